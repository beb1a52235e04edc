import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { headerAuth, redact } from "../src/client/auth.js";
import { runOqAsync, scratch } from "./support/cli.js";

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
  secret.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/'/g, "&#039;").replace(/</g, "&lt;").replace(/>/g, "&gt;"),
  encodeURIComponent(secret).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, "+"),
];

const specialCharacters = [..."/'\"&<>+ %\\=?#;:@!~*()[]{}é"];
const secretArb = fc
  .array(fc.oneof(fc.constantFrom(...specialCharacters), fc.constantFrom(..."abcXYZ019")), { minLength: 1, maxLength: 16 })
  .map((chars) => chars.join(""))
  .filter((secret) => secret.trim() === secret && secret.length > 0);

describe("redaction by construction", () => {
  it("property: any secret, each character escaped in any way, is blanked out", () => {
    fc.assert(
      fc.property(secretArb, fc.array(fc.nat(characterEncoders.length - 1), { minLength: 16, maxLength: 16 }), (secret, picks) => {
        const encoded = [...secret].map((char, i) => characterEncoders[picks[i]!]!(char)).join("");
        expect(redact(`err: ${encoded} :end`, [secret])).toBe("err: *** :end");
      }),
      { numRuns: 500 },
    );
  });

  it("PHP's encodings of a password and an API key are blanked out", () => {
    for (const secret of ["abc/defgh12", "it's a secret", "Key/Abc+123=zz"]) {
      for (const form of phpForms(secret)) expect(redact(`<p>${form}</p>`, [secret]), form).toBe("<p>***</p>");
    }
  });

  it("secrets of one or two characters are blanked out as words of their own, not inside other words", () => {
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
    const mixed = values.map((value) => [...value].map((c, i) => (i % 2 ? encodeURIComponent(c) : `&#${c.charCodeAt(0)};`)).join(""));
    const message = [...values.flatMap(phpForms), ...mixed].join(" | ");
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ metadata: { error: true }, payload: { code: 400, message, errors: { header: message } } }).replace(/\//g, "\\/"));
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
      for (const form of [secret, ...phpForms(secret), Buffer.from(secret).toString("base64")]) expect(text.toLowerCase()).not.toContain(form.toLowerCase());
    }
    // A two-letter secret is looked for as a word of its own.
    expect(text).not.toMatch(/(?<![\p{L}\p{N}])ab(?![\p{L}\p{N}])/iu);
  }

  it("header credentials: oq run, --json and oq reports list print none of them", async () => {
    const server = await phpEchoServer();
    const dir = scratch({ "q.oq": "in segment 3\n" });
    const env = { ONGAGE_BASE_URL: server.url, ONGAGE_LIST_ID: "12345", ONGAGE_USERNAME: credentials.username, ONGAGE_PASSWORD: credentials.password, ONGAGE_ACCOUNT_CODE: credentials.accountCode };
    for (const args of [["run", "q.oq"], ["run", "q.oq", "--json"], ["reports", "list"], ["reports", "list", "--json"]]) {
      const run = await runOqAsync(args, { cwd: dir, env });
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
    for (const args of [["run", "q.oq", "--json"], ["reports", "list"]]) {
      const run = await runOqAsync(args, { cwd: dir, env });
      expect(run.status, args.join(" ")).toBe(1);
      expect(run.stdout + run.stderr).toMatch(/400.*\*\*\*/);
      for (const form of [apiKey, ...phpForms(apiKey)]) expect((run.stdout + run.stderr).toLowerCase()).not.toContain(form.toLowerCase());
    }
    expect(server.requests.map((headers) => headers["x-api-key"])).toEqual([apiKey, apiKey]);
  });
});
