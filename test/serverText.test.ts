import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { headerAuth } from "../src/client/auth.js";
import { OngageClient } from "../src/client/client.js";
import { decodedForms } from "../src/client/echoedSecrets.js";
import { OngageError } from "../src/client/errors.js";
import { envelope, fakeOngage, type FakeOngage } from "./support/fakeOngage.js";
import { oq, type CliRun } from "./support/oqInProcess.js";
import { scratch } from "./support/scratch.js";

/*
 * Nothing the server says is printed before it passes the one redaction door
 * (src/client/serverText.ts): a status, a title, an id, a CSV header, an error, whether oq
 * run prints it on stderr or in --json, for one report, a plan or the REPL's .run, and in
 * oq reports list and status. The commands run in this process, against fake Ongages.
 */

// A password that holds the username: blanking the username first would leave `***-battery-staple`.
const credentials = {
  username: "correct-horse",
  password: "correct-horse-battery-staple",
  accountCode: "ACCT42",
};
const secrets = headerAuth(credentials).secrets();
/** What no output may hold, in any decoded form: each credential, and the password's tail. */
const forbidden = [...secrets, "battery", "staple"];

/** Fails when `text`, or any form of it decoded in layers, holds a credential or the password's tail. */
function expectNoCredential(text: string, what = "output"): void {
  for (const form of decodedForms(text))
    for (const word of forbidden)
      expect(form.toLowerCase(), `${what}: ${text}`).not.toContain(word.toLowerCase());
}

/**
 * The credential headers of a request, as a server that logs them would quote them, in the
 * encodings the first line of defence blanks out (so that the rest stays readable).
 */
function echoedHeaders(req: IncomingMessage): string {
  const said = ["x_username", "x_password", "x_account_code"]
    .map((name) => `${name.toUpperCase()}: ${String(req.headers[name])}`)
    .join("; ");
  return [
    said,
    encodeURIComponent(said),
    JSON.stringify(said).replace(/-/g, "\\u002d"),
    [...said].map((c) => `&#${c.charCodeAt(0)};`).join(""),
  ].join(" | ");
}

let fakes: FakeOngage[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await Promise.all(fakes.map((fake) => fake.close()));
  fakes = [];
});

async function fake(route: Parameters<typeof fakeOngage>[1], reportId = "1001"): Promise<FakeOngage> {
  const made = await fakeOngage(reportId, route);
  fakes.push(made);
  return made;
}

function json(res: ServerResponse, payload: unknown): true {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(envelope(payload));
  return true;
}

/**
 * Reports that fail: each create makes the next id of `ids` (pending), and its status is 4 with
 * a status_desc that echoes the request's credential headers.
 */
function failingReports(ids: string[]): Parameters<typeof fakeOngage>[1] {
  let made = 0;
  return (req, res, path) => {
    if (req.method === "POST") return json(res, { id: ids[made++ % ids.length], status: 1 });
    const id = /^\/api\/contact_activity\/([^/]+)$/.exec(path)?.[1];
    if (req.method === "GET" && id !== undefined)
      return json(res, { id, status: 4, status_desc: `Failed: ${echoedHeaders(req)}` });
    return false;
  };
}

/** The fake's settings and the credentials, as the environment `oq` reads them from. */
function fakeEnv(server: FakeOngage): Record<string, string | undefined> {
  return {
    ONGAGE_BASE_URL: server.url,
    ONGAGE_LIST_ID: "12345",
    ONGAGE_USERNAME: credentials.username,
    ONGAGE_PASSWORD: credentials.password,
    ONGAGE_ACCOUNT_CODE: credentials.accountCode,
    ONGAGE_API_KEY: undefined,
  };
}

/** `oq ARGS` in this process (test/support/oqInProcess.ts) against the fake, in `cwd`. */
function command(
  server: FakeOngage,
  args: string[],
  options: { cwd?: string; input?: string } = {},
): Promise<CliRun> {
  return oq(args, { ...options, env: fakeEnv(server) });
}

const oneReport = "in segment 3\n";
// Two reports whose contacts are merged (a plan).
const twoReports = 'email ends "gmail.com" and (opens > 3 or clicks > 2) select email, opens\n';

/** `oq run q.oq [--json]` in this process. */
function oqRun(server: FakeOngage, query: string, extra: { json?: boolean } = {}): Promise<CliRun> {
  const dir = scratch({ "q.oq": query });
  return command(
    server,
    [
      "run",
      "q.oq",
      "--poll-interval",
      "20ms",
      "--timeout",
      "30s",
      "--out",
      "out/",
      ...(extra.json ? ["--json"] : []),
    ],
    { cwd: dir },
  );
}

describe("a failed report's status_desc that echoes the request headers is printed redacted", () => {
  it("oq run: on stderr and in --json, the report still deleted", async () => {
    const server = await fake(failingReports(["1001"]));
    for (const json of [false, true]) {
      const run = await oqRun(server, oneReport, { json });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(
        "report 1001 ended with status 4 (Failed: X_USERNAME: ***; X_PASSWORD: ***",
      );
      expectNoCredential(run.stdout + run.stderr, json ? "--json" : "stderr");
      if (json) expect(JSON.parse(run.stdout)[0].error).toContain("X_PASSWORD: ***");
    }
    expect(server.requests.filter((request) => request === "DELETE /api/contact_activity/1001")).toHaveLength(
      2,
    );
  });

  it("a plan: on stderr and in --json", async () => {
    const server = await fake(failingReports(["2001", "2002"]));
    const run = await oqRun(server, twoReports, { json: true });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /report [12] of 2 \(200[12]\): report 200[12] ended with status 4 \(Failed: X_USERNAME: \*\*\*/,
    );
    expectNoCredential(run.stdout + run.stderr);
    expect(server.requests).toEqual(
      expect.arrayContaining(["DELETE /api/contact_activity/2001", "DELETE /api/contact_activity/2002"]),
    );
  });

  it("the REPL's .run", async () => {
    const server = await fake(failingReports(["3001"]));
    const run = await command(server, ["repl", "--now", "2024-02-01T00:00:00Z"], {
      cwd: scratch({}),
      input: `${oneReport}.run --poll-interval 20ms --timeout 30s
`,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("report 3001 ended with status 4");
    expectNoCredential(run.stdout + run.stderr);
  });

  it("oq reports list and oq reports status, as text and --json", async () => {
    const server = await fake((req, res, path) => {
      const report = { id: "4001", status: 4, status_desc: `Failed: ${echoedHeaders(req)}`, title: "weekly" };
      if (path === "/api/contact_activity") return json(res, [report]);
      if (path === "/api/contact_activity/4001") return json(res, report);
      return false;
    });
    for (const json of [false, true]) {
      const list = await command(server, ["reports", "list", ...(json ? ["--json"] : [])]);
      expect(list.status).toBe(0);
      expect(list.stdout).toContain("X_PASSWORD: ***");
      expectNoCredential(list.stdout + list.stderr, `list ${json}`);
      const status = await command(server, ["reports", "status", "4001", ...(json ? ["--json"] : [])]);
      expect(status.status).toBe(1);
      expect(status.stdout).toContain("X_PASSWORD: ***");
      expectNoCredential(status.stdout + status.stderr, `status ${json}`);
    }
  });
});

describe("a failed report's status_desc that quotes a run of the password, not its start", () => {
  /** A report that fails with `said` as its status_desc. */
  const failingWith =
    (said: string): Parameters<typeof fakeOngage>[1] =>
    (req, res, path) => {
      if (req.method === "POST") return json(res, { id: "1001", status: 1 });
      if (req.method === "GET" && path === "/api/contact_activity/1001")
        return json(res, { id: "1001", status: 4, status_desc: `Failed: ${said}` });
      return false;
    };

  // The password less its first character, its tail, and a start whose username the first line blanks (`***-batt`).
  it.each([
    ["orrect-horse-battery-staple", "orrect"],
    ["battery-staple", "battery"],
    ["correct-horse-batt", "-batt"],
  ])("%j: withheld, on stderr and in --json", async (said, fragment) => {
    const server = await fake(failingWith(said));
    for (const json of [false, true]) {
      const run = await oqRun(server, oneReport, { json });
      expect(run.status).toBe(1);
      // The server did send it: the report failed with its words, which oq did not show.
      expect(run.stderr).toContain("report 1001 ended with status 4");
      expect(run.stdout + run.stderr).toContain("not shown: it contained a credential");
      expect(run.stdout + run.stderr).not.toContain(fragment);
      expectNoCredential(run.stdout + run.stderr, json ? "--json" : "stderr");
    }
  });
});

describe("a part's header that holds the credentials", () => {
  it("is never quoted: the error names the column it lacks and what the report selects", async () => {
    let made = 0;
    const server = await fake((req, res, path) => {
      if (req.method === "POST") return json(res, { id: String(5001 + made++), status: 2 });
      if (path.endsWith("/export")) {
        res.writeHead(200, { "content-type": "text/csv" });
        // The second report's CSV has no email column; its header quotes the headers it was asked with.
        res.end(
          path.includes("5002")
            ? `${["x_username", "x_password", "x_account_code"].map((name) => req.headers[name]).join(",")},opens\r\n1,2,3,4\r\n`
            : "email,opens\r\na@gmail.com,5\r\n",
        );
        return true;
      }
      return false;
    });
    const run = await oqRun(server, twoReports, { json: true });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("has no column email (the report selects email, opens)");
    expectNoCredential(run.stdout + run.stderr);
  });
});

describe("a server-chosen report id or title that is, or holds, a credential", () => {
  it("an id equal to the password: the run uses it, and prints *** for it, on stderr and in --json", async () => {
    const server = await fake(() => false, credentials.password);
    for (const json of [false, true]) {
      const run = await oqRun(server, oneReport, { json });
      expect(run.status).toBe(0);
      expect(run.stderr).toContain("✓ q.oq: report *** (deleted)");
      expectNoCredential(run.stdout + run.stderr);
      if (json) expect(JSON.parse(run.stdout)[0].reportId).toBe("***");
    }
    expect(server.requests).toContain(`DELETE /api/contact_activity/${credentials.password}`);
  });

  it("ids and titles that hold a credential, in oq reports list and status", async () => {
    const report = {
      id: `77-${credentials.accountCode}`,
      status: 2,
      status_desc: "Completed",
      title: `[oq 1a2b3c4d] for ${credentials.username}`,
    };
    const server = await fake((_req, res, path) => {
      if (path === "/api/contact_activity") return json(res, [report]);
      if (path.startsWith("/api/contact_activity/")) return json(res, report);
      return false;
    });
    for (const json of [false, true]) {
      const list = await command(server, ["reports", "list", ...(json ? ["--json"] : [])]);
      expect(list.stdout).toContain("77-***");
      expect(list.stdout).toContain("[oq 1a2b3c4d] for ***");
      expectNoCredential(list.stdout + list.stderr);
      const status = await command(server, ["reports", "status", report.id, ...(json ? ["--json"] : [])]);
      expect(status.stdout).toContain("for ***");
      expectNoCredential(status.stdout + status.stderr);
    }
  });
});

describe("the server's words on the terminal", () => {
  it("a report id with control characters is escaped in the summary line and in --json", async () => {
    const id = "77\u001b[2J\u001b]0;owned\u0007";
    const server = await fake(() => false, id);
    const run = await oqRun(server, oneReport);
    expect(run.status).toBe(0);
    expect(server.requests).toContain(`DELETE /api/contact_activity/${id}`);
    expect(run.stderr).toContain("✓ q.oq: report 77\\x1b[2J\\x1b]0;owned\\x07 (deleted)");
    expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    const json = await oqRun(server, oneReport, { json: true });
    expect(JSON.parse(json.stdout)[0].reportId).toBe(id);
    expect(json.stdout + json.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  });
});

/**
 * Encodings that write a text a character at a time (so that a server may switch between them
 * mid-text), then encodings of a whole text, PHP's and C's, written apart from the client's
 * decoders.
 */
const characterEncodings: Record<string, (text: string) => string> = {
  plain: (t) => t,
  urlencode: (t) => encodeURIComponent(t).replace(/-/g, "%2D"),
  "urlencode twice": (t) => encodeURIComponent(encodeURIComponent(t).replace(/-/g, "%2D")),
  "json \\u": (t) => [...t].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join(""),
  "html decimal": (t) => [...t].map((c) => `&#${c.charCodeAt(0)};`).join(""),
  "html hex": (t) => [...t].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join(""),
  "\\x escapes": (t) => t.replace(/-/g, "\\x2d"),
  "urlencode of json \\u": (t) => encodeURIComponent(t.replace(/-/g, "\\u002d")),
};
const textEncodings: Record<string, (text: string) => string> = {
  base64: (t) => Buffer.from(t).toString("base64"),
  "base64 of a header line": (t) => Buffer.from(`X_PASSWORD: ${t}`).toString("base64"),
  "json of json": (t) => JSON.stringify(JSON.stringify(t)),
};

describe("overlapping credentials are redacted longest first, in every encoding", () => {
  /** The error the client throws when the server quotes `echo` in an error envelope. */
  async function errorQuoting(echo: string): Promise<OngageError> {
    const server = await fake((_req, res) => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          metadata: { error: true },
          payload: { code: 400, message: `denied: ${echo}`, errors: [echo] },
        }),
      );
      return true;
    });
    const client = new OngageClient({
      auth: headerAuth(credentials),
      baseUrl: server.url,
      backoff: { retries: 0 },
    });
    const error = await client.getReport("1").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OngageError);
    return error as OngageError;
  }

  const { username, password } = credentials;
  const tail = password.slice(username.length);

  for (const [name, encode] of Object.entries(characterEncodings)) {
    it(`${name}: the password, the username in it, and each half encoded apart`, async () => {
      for (const echo of [
        encode(password),
        // The username as sent, the rest encoded: blanking the username must not strand the tail.
        `${username}${encode(tail)}`,
        `${encode(username)}${tail}`,
        ...Object.values(characterEncodings).map((other) => `${other(username)}${encode(tail)}`),
        encode(`${username}:${password}`),
        `${encode(password)} ${encode(username)}`,
      ]) {
        const error = await errorQuoting(echo);
        expectNoCredential([error.message, ...error.errors].join("\n"), `${name}: ${echo}`);
        expect(error.message).toContain("Ongage answered 400");
      }
    });
  }

  for (const [name, encode] of Object.entries(textEncodings)) {
    it(`${name}: the password, the username, and the pair`, async () => {
      for (const echo of [
        encode(password),
        encode(`${username}:${password}`),
        `${encode(password)} ${encode(username)}`,
      ]) {
        const error = await errorQuoting(echo);
        expectNoCredential([error.message, ...error.errors].join("\n"), `${name}: ${echo}`);
      }
    });
  }
});
