import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { headerAuth, redact, shortestSecretInWords } from "../src/client/auth.js";
import { decodedForms } from "../src/client/echoedSecrets.js";
import { oq } from "./support/oqInProcess.js";
import { scratch } from "./support/scratch.js";

/*
 * Redaction by construction: a credential is blanked out however a server escapes it, even
 * character by character in a mix of encodings (docs/running.md, "No message oq prints
 * contains a credential"). The encoders here are written independently of the client's.
 */

/** Ways one character may be written by a server echoing it (PHP, JavaScript, HTML, URLs). */
const characterEncoders: Array<(char: string) => string> = [
  (c) => c,
  (c) => c.toUpperCase(),
  (c) => [...Buffer.from(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""),
  (c) => [...Buffer.from(c)].map((b) => `%${b.toString(16).padStart(2, "0")}`).join(""),
  (c) => [...Buffer.from(c)].map((b) => `%25${b.toString(16).padStart(2, "0")}`).join(""),
  (c) => (c === " " ? "+" : c),
  (c) => JSON.stringify(c).slice(1, -1).replace(/\//g, "\\/"),
  (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  (c) => `&#${c.codePointAt(0)};`,
  (c) => `&#0${c.codePointAt(0)};`,
  (c) => `&#x${c.codePointAt(0)!.toString(16).toUpperCase()};`,
  (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c,
  (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#039;" })[c] ?? c,
];

/** PHP's json_encode (escapes `/`), htmlspecialchars(ENT_QUOTES) and urlencode (`+` for space, `'` as %27). */
const phpForms = (secret: string) => [
  JSON.stringify(secret).slice(1, -1).replace(/\//g, "\\/"),
  secret
    .replace(/&/g, "&amp;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#039;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;"),
  encodeURIComponent(secret)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+"),
];

const specialCharacters = [..."/'\"&<>+ %\\=?#;:@!~*()[]{}é"];
const secretArb = fc
  .array(fc.oneof(fc.constantFrom(...specialCharacters), fc.constantFrom(..."abcXYZ019")), {
    minLength: 1,
    maxLength: 16,
  })
  .map((chars) => chars.join(""))
  .filter((secret) => secret.trim() === secret && secret.length > 0);

describe("redaction by construction", () => {
  it("property: any secret, each character escaped in any way, is blanked out", async () => {
    fc.assert(
      fc.property(
        secretArb,
        fc.array(fc.nat(characterEncoders.length - 1), { minLength: 16, maxLength: 16 }),
        (secret, picks) => {
          const encoded = [...secret].map((char, i) => characterEncoders[picks[i]!]!(char)).join("");
          expect(redact(`err: ${encoded} :end`, [secret])).toBe("err: *** :end");
        },
      ),
      { numRuns: 500 },
    );
  });

  it("PHP's encodings of a password and an API key are blanked out", async () => {
    for (const secret of ["abc/defgh12", "it's a secret", "Key/Abc+123=zz"]) {
      for (const form of phpForms(secret))
        expect(redact(`<p>${form}</p>`, [secret]), form).toBe("<p>***</p>");
    }
  });

  it("secrets of one or two characters are blanked out as words of their own, not inside other words", async () => {
    expect(redact("account ab, about abc, 'ab'", ["ab"])).toBe("account ***, about abc, '***'");
    expect(redact("x=7 and 77", ["7"])).toBe("x=*** and 77");
  });
});

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  servers = [];
});

/** An Ongage imitation that answers 400 and quotes every request header in PHP's encodings, mixed. */
async function phpEchoServer(): Promise<{ url: string; requests: IncomingHttpHeaders[] }> {
  const requests: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    requests.push(req.headers);
    const values = Object.values(req.headers).map(String);
    const mixed = values.map((value) =>
      [...value].map((c, i) => (i % 2 ? encodeURIComponent(c) : `&#${c.charCodeAt(0)};`)).join(""),
    );
    const message = [...values.flatMap(phpForms), ...mixed].join(" | ");
    res.writeHead(400, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        metadata: { error: true },
        payload: { code: 400, message, errors: { header: message } },
      }).replace(/\//g, "\\/"),
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

describe("credentials echoed in PHP's encodings are never printed", () => {
  const credentials = { username: "ana.o'neil@ex.com", password: "abc/defgh12' x", accountCode: "ab" };
  const apiKey = "Key/Abc+123=zz";

  function expectNothingOf(secrets: string[], text: string): void {
    for (const secret of secrets) {
      // A two-letter secret is redacted as a word of its own (auth.ts), not inside other words:
      // the random marker in a report's title ("[oq 64abf6c5]") holds "ab" about one time in 40.
      const short = [...secret].length < shortestSecretInWords;
      for (const form of [
        ...(short ? [] : [secret, ...phpForms(secret)]),
        Buffer.from(secret).toString("base64"),
      ])
        expect(text.toLowerCase()).not.toContain(form.toLowerCase());
    }
    // A two-letter secret is looked for as a word of its own.
    expect(text).not.toMatch(/(?<![\p{L}\p{N}])ab(?![\p{L}\p{N}])/iu);
  }

  it("header credentials: oq run, --json and oq reports list print none of them", async () => {
    const server = await phpEchoServer();
    const dir = scratch({ "q.oq": "in segment 3\n" });
    const env = {
      ONGAGE_BASE_URL: server.url,
      ONGAGE_LIST_ID: "12345",
      ONGAGE_USERNAME: credentials.username,
      ONGAGE_PASSWORD: credentials.password,
      ONGAGE_ACCOUNT_CODE: credentials.accountCode,
    };
    for (const args of [
      ["run", "q.oq"],
      ["run", "q.oq", "--json"],
      ["reports", "list"],
      ["reports", "list", "--json"],
    ]) {
      const run = await oq(args, { cwd: dir, env });
      expect(run.status, args.join(" ")).toBe(1);
      // The server's message did reach the user, with the credentials blanked out.
      expect(run.stdout + run.stderr).toMatch(/400.*\*\*\*/);
      expectNothingOf([...headerAuth(credentials).secrets()], run.stdout + run.stderr);
    }
    expect(server.requests.length).toBeGreaterThanOrEqual(4);
    expect(server.requests.every((headers) => headers["x_password"] === credentials.password)).toBe(true);
  });

  it("an API key: oq run --json and oq reports list print none of it", async () => {
    const server = await phpEchoServer();
    const dir = scratch({ "q.oq": "in segment 3\n" });
    writeFileSync(join(dir, "oq.config.json"), JSON.stringify({ auth: "api-key" }));
    const env = { ONGAGE_BASE_URL: server.url, ONGAGE_LIST_ID: "12345", ONGAGE_API_KEY: apiKey };
    for (const args of [
      ["run", "q.oq", "--json"],
      ["reports", "list"],
    ]) {
      const run = await oq(args, { cwd: dir, env });
      expect(run.status, args.join(" ")).toBe(1);
      expect(run.stdout + run.stderr).toMatch(/400.*\*\*\*/);
      for (const form of [apiKey, ...phpForms(apiKey)])
        expect((run.stdout + run.stderr).toLowerCase()).not.toContain(form.toLowerCase());
    }
    expect(server.requests.map((headers) => headers["x-api-key"])).toEqual([apiKey, apiKey]);
  });
});

/** PHP's json_encode (with `\/`) and urlencode, and htmlspecialchars(ENT_QUOTES), for the stacked echoes below. */
const phpJson = (text: string) => JSON.stringify(text).slice(1, -1).replace(/\//g, "\\/");
const phpUrl = (text: string) =>
  encodeURIComponent(text)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
const phpHtml = (text: string) =>
  text
    .replace(/&/g, "&amp;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#039;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");

describe("credentials echoed in stacked encodings are never printed (second line of defence)", () => {
  /** Answers 400 quoting every credential header as json_encode(json_encode(x)) and urlencode(htmlspecialchars(x)), and a start of each. */
  async function stackedEchoServer(): Promise<{ url: string; requests: IncomingHttpHeaders[] }> {
    const requests: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      requests.push(req.headers);
      const values = ["x_username", "x_password", "x_account_code", "x-api-key"]
        .map((name) => req.headers[name])
        .filter((v): v is string => typeof v === "string");
      const message = values
        .flatMap((v) => [
          phpJson(phpJson(v)),
          phpUrl(phpHtml(v)),
          v.slice(0, Math.max(6, Math.ceil(v.length / 2))),
        ])
        .join(" | ");
      res.writeHead(400, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          metadata: { error: true },
          payload: { code: 400, message, errors: { header: message } },
        }),
      );
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
  }

  function expectNoEcho(text: string, secrets: string[]): void {
    for (const secret of secrets) {
      expect(text).not.toContain(secret);
      const start = secret
        .slice(0, Math.min(secret.length, Math.max(6, Math.ceil(secret.length / 2))))
        .toLowerCase();
      for (const form of decodedForms(text)) expect(form.toLowerCase()).not.toContain(start);
    }
  }

  it("oq run --json and oq reports list print the error without the server's words, header credentials and an API key", async () => {
    const credentials = {
      username: "al'ice \"o/n&eil+1@ex.com",
      password: "Pa's\"s/w&rd <x> +%=9",
      accountCode: "AC/7'31&z",
    };
    const server = await stackedEchoServer();
    const headerDir = scratch({ "q.oq": "in segment 3\n" });
    const keyDir = scratch({
      "q.oq": "in segment 3\n",
      "oq.config.json": JSON.stringify({ auth: "api-key" }),
    });
    const headerEnv = {
      ONGAGE_BASE_URL: server.url,
      ONGAGE_LIST_ID: "12345",
      ONGAGE_USERNAME: credentials.username,
      ONGAGE_PASSWORD: credentials.password,
      ONGAGE_ACCOUNT_CODE: credentials.accountCode,
    };
    const keyEnv = { ONGAGE_BASE_URL: server.url, ONGAGE_LIST_ID: "12345", ONGAGE_API_KEY: "Key/Abc+123=zz" };
    for (const [dir, env, secrets] of [
      [headerDir, headerEnv, [...headerAuth(credentials).secrets()]],
      [keyDir, keyEnv, ["Key/Abc+123=zz"]],
    ] as const) {
      for (const args of [
        ["run", "q.oq", "--json"],
        ["reports", "list"],
      ]) {
        const run = await oq(args, { cwd: dir, env });
        expect(run.status, args.join(" ")).toBe(1);
        expect(run.stdout + run.stderr).toContain("400");
        expect(run.stdout + run.stderr).toContain("not shown: it contained a credential");
        expectNoEcho(run.stdout + run.stderr, [...secrets]);
      }
    }
    expect(server.requests.length).toBeGreaterThanOrEqual(4);
    expect(server.requests.some((headers) => headers["x_password"] === credentials.password)).toBe(true);
    expect(server.requests.some((headers) => headers["x-api-key"] === "Key/Abc+123=zz")).toBe(true);
  });
});
