import { request as httpRequest } from "node:http";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { headerAuth, redact } from "../src/client/auth.js";
import { backoffDelay, defaultBackoff } from "../src/client/backoff.js";
import { OngageClient, type OngageClientOptions } from "../src/client/client.js";
import { CredentialError, ListIdError, OngageError } from "../src/client/errors.js";
import { nodeTransport, type Transport } from "../src/client/transport.js";
import { compile } from "../src/index.js";
import { runReport } from "../src/runner/runReport.js";
import { parseFaults } from "../src/sandbox/faults.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { oq, type CliRun } from "./support/oqInProcess.js";
import { sandboxEnv, testSandbox } from "./support/sandbox.js";
import { drainedText } from "./support/drainedText.js";

/*
 * The network layer against a hostile server: nothing waits for ever, nothing exits early,
 * no credential is printed, 429s are waited out, and the rate limit holds as the server counts.
 * docs/running.md ("The network layer") lists what each test here proves.
 */

let sandboxes: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
  sandboxes = [];
});

async function sandboxWith(options: Parameters<typeof testSandbox>[0] = {}): Promise<Sandbox> {
  const sandbox = await testSandbox(options);
  sandboxes.push(sandbox);
  return sandbox;
}

function folder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "oq-net-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function clientFor(sandbox: Sandbox, options: Partial<OngageClientOptions> = {}): OngageClient {
  return new OngageClient({
    auth: headerAuth(sandbox.credentials),
    baseUrl: sandbox.url,
    listId: sandbox.listId,
    ...options,
  });
}

async function failureOf(promise: Promise<unknown>): Promise<OngageError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OngageError);
  return error as OngageError;
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await work();
  return { result, ms: Date.now() - started };
}

const query = "in segment 3\nselect email, opens\n";

describe("a run ends only when every query has ended", () => {
  it("a folder of 15 queries with a small callsPerMinute: every CSV written, every report deleted, no warning", async () => {
    const sandbox = await sandboxWith();
    const files: Record<string, string> = {
      "oq.config.json": JSON.stringify({ callsPerMinute: 8, rateWindowSeconds: 0.5 }),
    };
    for (let i = 1; i <= 15; i++) files[`q${String(i).padStart(2, "0")}.oq`] = query;
    const dir = folder(files);
    const run = await oq(["run", ".", "--out", "out", "--poll-interval", "20ms"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
    });
    expect(run.stderr).not.toMatch(/Warning/);
    expect(run.status).toBe(0);
    expect(readdirSync(join(dir, "out")).sort()).toHaveLength(15);
    expect(sandbox.stats.reportsCreated).toBe(15);
    expect(sandbox.stats.reportsDeleted).toBe(15);
    expect(sandbox.liveReports()).toEqual([]);
  });

  it("one query with callsPerMinute 2: it waits for the window, and finishes", async () => {
    const sandbox = await sandboxWith();
    const dir = folder({
      "q.oq": query,
      "oq.config.json": JSON.stringify({ callsPerMinute: 2, rateWindowSeconds: 0.3 }),
    });
    const run = await oq(["run", "q.oq", "--out", "q.csv", "--poll-interval", "20ms"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
    });
    expect(run.stderr).not.toMatch(/Warning|Error/);
    expect(run.status).toBe(0);
    expect(readFileSync(join(dir, "q.csv"), "utf8")).toMatch(/^email,opens\r\n/);
    expect(sandbox.stats.reportsDeleted).toBe(1);
    expect(sandbox.liveReports()).toEqual([]);
  });

  it("15 queries at Ongage's limits print no MaxListenersExceededWarning", async () => {
    const sandbox = await sandboxWith();
    const files: Record<string, string> = {};
    for (let i = 1; i <= 15; i++) files[`q${i}.oq`] = query;
    const dir = folder(files);
    const run = await oq(["run", ".", "--out", "out", "--poll-interval", "20ms"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
    });
    expect(run.stderr).not.toContain("MaxListenersExceededWarning");
    expect(run.status).toBe(0);
    expect(sandbox.liveReports()).toEqual([]);
  });
});

describe("the rate limit, as the server counts it", () => {
  it("holds callsPerMinute in every sliding window at the server, even when early calls arrive late", async () => {
    const sandbox = await sandboxWith({ rateWindowMs: 1000, callsPerMinute: 10_000 });
    // The first calls take a while to reach the server; later ones are quick. Counting calls
    // from their start let a window at the server see both batches.
    const network = nodeTransport(10);
    let sent = 0;
    const slowAtFirst: Transport = async (request) => {
      if (sent++ < 5) await new Promise((resolve) => setTimeout(resolve, 400));
      return network(request);
    };
    const client = clientFor(sandbox, { callsPerMinute: 5, rateWindowMs: 1000, transport: slowAtFirst });
    await Promise.all(Array.from({ length: 12 }, () => client.listFields()));
    expect(sandbox.stats.requests).toBe(12);
    expect(sandbox.stats.maxCallsInWindow).toBeGreaterThan(0);
    expect(sandbox.stats.maxCallsInWindow).toBeLessThanOrEqual(5);
  });
});

/** Test credentials with characters that change under URL, JSON, HTML and base64 encoding. */
const awkwardCredentials = {
  username: "oq tester+1@example.com",
  password: 'S3cr&t<"pa ss">%2F+/=\\',
  accountCode: "ACCT-7731",
};
/** How a server might echo a secret back (worked out here, independently of the client's redaction). */
const echoedForms = (secret: string) => [
  secret,
  encodeURIComponent(secret),
  JSON.stringify(secret).slice(1, -1),
  secret.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;"),
  Buffer.from(secret).toString("base64"),
];
const everySecretForm = [
  ...Object.values(awkwardCredentials).flatMap(echoedForms),
  Buffer.from(`${awkwardCredentials.username}:${awkwardCredentials.password}`).toString("base64"),
];

function expectNoSecretIn(text: string): void {
  for (const form of everySecretForm) expect(text.toLowerCase()).not.toContain(form.toLowerCase());
}

describe("credentials are never printed", () => {
  it("an HTML page that echoes the request headers: oq run, --json and oq reports print none of them", async () => {
    const sandbox = await sandboxWith({ credentials: awkwardCredentials, faults: { htmlEcho: Infinity } });
    const dir = folder({ "q.oq": query });
    const env = sandboxEnv(sandbox);
    const runs: CliRun[] = [];
    for (const args of [
      ["run", "q.oq", "--poll-interval", "20ms"],
      ["run", "q.oq", "--json", "--poll-interval", "20ms"],
      ["reports", "list"],
      ["reports", "list", "--json"],
      ["reports", "status", "1000", "--json"],
      ["reports", "export", "1000"],
      ["reports", "delete", "1000"],
    ]) {
      const run = await oq(args, { cwd: dir, env });
      expect(run.status, args.join(" ")).toBe(1);
      expectNoSecretIn(run.stdout + run.stderr);
      runs.push(run);
    }
    expect(sandbox.stats.htmlEchoes).toBeGreaterThanOrEqual(runs.length);
    // The page did reach oq, and was quoted with the credentials blanked out.
    expect(runs[2]!.stderr).toMatch(/not JSON.*x_username<\/td><td>\*\*\*/i);
  });

  it("redaction covers every credential in the forms a server echoes, in any case, even where a quote is cut short", async () => {
    const secrets = headerAuth(awkwardCredentials).secrets();
    const echoes = [...everySecretForm, ...everySecretForm.map((form) => form.toUpperCase())].join(" | ");
    expectNoSecretIn(redact(echoes, secrets));
    expect(redact("user oq tester+1@example.com, code ACCT-7731", secrets)).toBe("user ***, code ***");
  });

  it("an error thrown by the client carries no secret in any property", async () => {
    const sandbox = await sandboxWith({ credentials: awkwardCredentials, faults: { htmlEcho: Infinity } });
    const error = await failureOf(clientFor(sandbox).listReports());
    expect(sandbox.stats.htmlEchoes).toBe(1);
    expect(error.kind).toBe("protocol");
    expectNoSecretIn(
      JSON.stringify({
        ...error,
        message: error.message,
        stack: error.stack,
        cause: (error as { cause?: unknown }).cause,
      }),
    );
  });

  it("a credential a header cannot carry is a usage error at once, naming the variable and not its value", async () => {
    const sandbox = await sandboxWith();
    const dir = folder({ "q.oq": query });
    for (const [variable, value] of [
      ["ONGAGE_PASSWORD", "first-line\nsecond-line"],
      ["ONGAGE_USERNAME", "naïve✓user"],
      ["ONGAGE_ACCOUNT_CODE", "ACCT\r\nX-Injected: 1"],
    ] as const) {
      const { result: run, ms } = await timed(() =>
        oq(["run", "q.oq"], { cwd: dir, env: sandboxEnv(sandbox, { [variable]: value }) }),
      );
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(variable);
      expect(run.stderr).not.toContain(value.split(/\r?\n/)[1]!);
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(ms).toBeLessThan(15_000);
    }
    expect(sandbox.stats.requests).toBe(0);
    expect(
      () => new OngageClient({ auth: headerAuth({ username: "u", password: "a\nb", accountCode: "c" }) }),
    ).toThrow(CredentialError);
  });
});

describe("every network read has a time limit", () => {
  const fast = { idleTimeoutMs: 300, timeoutMs: 1500, backoff: { retries: 1, baseMs: 10, maxMs: 20 } };

  it("headers, then silence: a clear idle timeout, soon", async () => {
    const sandbox = await sandboxWith({ faults: { stallHeaders: Infinity } });
    const { result: error, ms } = await timed(() => failureOf(clientFor(sandbox, fast).listReports()));
    expect(sandbox.stats.stalled).toBe(2);
    expect(error.kind).toBe("timeout");
    expect(error.message).toMatch(
      /GET contact_activity: 127\.0\.0\.1:\d+ sent nothing for 0\.3s \(the idle timeout\)/,
    );
    expect(ms).toBeLessThan(10_000);
  });

  it("an export whose body stops: the stream fails with the idle timeout", async () => {
    const sandbox = await sandboxWith();
    const client = clientFor(sandbox, fast);
    const report = await client.createReport(compile('title "T" in segment 3').payload!);
    while ((await client.getReport(report.id)).status !== 2)
      await new Promise((resolve) => setTimeout(resolve, 20));
    sandbox.faults.stallHeaders = 1;
    const body = await client.exportReport(report.id);
    const error = await failureOf(drainedText(body));
    expect(sandbox.stats.stalled).toBe(1);
    expect(error.kind).toBe("timeout");
    expect(error.message).toContain("sent nothing for 0.3s");
  });

  it("no answer at all: a clear idle timeout, soon", async () => {
    const sandbox = await sandboxWith({ faults: { noAnswer: Infinity } });
    const { result: error, ms } = await timed(() => failureOf(clientFor(sandbox, fast).getReport("1000")));
    expect(sandbox.stats.unanswered).toBe(2);
    expect(error.kind).toBe("timeout");
    expect(error.message).toContain("sent nothing for 0.3s");
    expect(ms).toBeLessThan(10_000);
  });

  it("a header byte every 50 ms, which no idle timeout catches: the call's deadline does", async () => {
    const sandbox = await sandboxWith({ faults: { trickleMs: 50 } });
    const { result: error, ms } = await timed(() => failureOf(clientFor(sandbox, fast).getReport("1000")));
    expect(sandbox.stats.trickled).toBe(2);
    expect(error.kind).toBe("timeout");
    expect(error.message).toContain("did not answer in full within 1.5s");
    expect(ms).toBeLessThan(15_000);
  });

  it("the caller's signal cancels a call in flight at once", async () => {
    const sandbox = await sandboxWith({ faults: { noAnswer: Infinity } });
    const controller = new AbortController();
    const pending = failureOf(clientFor(sandbox).listFields(controller.signal));
    while (sandbox.stats.unanswered === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const { result: error, ms } = await timed(() => (controller.abort(), pending));
    expect(error.kind).toBe("aborted");
    expect(ms).toBeLessThan(5_000);
  });
});

describe("429s without Retry-After", () => {
  it("are backed off across Ongage's one-minute window, and a DELETE longer still", async () => {
    const least = (retries: number) =>
      Array.from({ length: retries }, (_, i) => backoffDelay(i + 1, {}, undefined, () => 0, true)).reduce(
        (a, b) => a + b,
        0,
      );
    expect(least(defaultBackoff.retries)).toBeGreaterThan(60_000);
    expect(least(defaultBackoff.deleteRetries)).toBeGreaterThan(5 * 60_000);
  });

  it("on the final DELETE: waited out, and the report deleted", async () => {
    const sandbox = await sandboxWith();
    const client = clientFor(sandbox, {
      backoff: { baseMs: 1, maxMs: 5, rateLimitBaseMs: 10, rateLimitMaxMs: 50 },
    });
    const dir = folder();
    const summary = await runReport({
      client,
      request: compile("in segment 3").payload!,
      destination: { kind: "file", path: join(dir, "q.csv") },
      pollIntervalMs: 20,
      onProgress: (progress) => {
        if (progress.state === "deleting")
          Object.assign(sandbox.faults, { rateLimitBurst: 8, omitRetryAfter: true });
      },
    });
    expect(summary.error).toBeUndefined();
    expect(summary.ok).toBe(true);
    expect(sandbox.stats.rateLimited).toBe(8);
    expect(summary.deleted).toBe(true);
    expect(sandbox.liveReports()).toEqual([]);
  });

  it("the sandbox sends them with 429-bare:N", async () => {
    expect(parseFaults("429-bare:3")).toEqual({ rateLimitBurst: 3, omitRetryAfter: true });
    const sandbox = await sandboxWith({ faults: { rateLimitBurst: 1, omitRetryAfter: true } });
    const response = await fetch(`${sandbox.url}/api/list_fields`, {
      headers: {
        X_USERNAME: sandbox.credentials.username,
        X_PASSWORD: sandbox.credentials.password,
        X_ACCOUNT_CODE: sandbox.credentials.accountCode,
      },
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBeNull();
  });
});

describe("list ids", () => {
  it("a list id that is not digits is a usage error, and nothing is sent", async () => {
    const sandbox = await sandboxWith();
    const dir = folder({ "q.oq": query });
    for (const listId of ["..", ".", "/", "%2f", "", "12/../13", "12 "]) {
      const run = await oq(["reports", "list", "--list-id", listId], {
        cwd: dir,
        env: sandboxEnv(sandbox),
      });
      expect(run.status, JSON.stringify(listId)).toBe(2);
      expect(run.stderr).toContain("--list-id");
      expect(run.stderr).toContain("not a list id");
    }
    const fromEnv = await oq(["reports", "list"], {
      cwd: dir,
      env: sandboxEnv(sandbox, { ONGAGE_LIST_ID: ".." }),
    });
    expect(fromEnv.status).toBe(2);
    expect(fromEnv.stderr).toContain("ONGAGE_LIST_ID");
    expect(sandbox.stats.requests).toBe(0);
    expect(() => clientFor(sandbox, { listId: ".." })).toThrow(ListIdError);
  });
});

describe("oq sandbox", () => {
  it("the sandbox's fault list reads the new faults", async () => {
    expect(parseFaults("html-echo,stall-headers:2,no-answer,trickle:1000")).toEqual({
      htmlEcho: Infinity,
      stallHeaders: 2,
      noAnswer: Infinity,
      trickleMs: 1000,
    });
    expect(() => parseFaults("trickle")).toThrow(/whole number/);
  });

  it("on a busy port: one line that says so and suggests --port, exit 1", async () => {
    const busy = await sandboxWith();
    const port = new URL(busy.url).port;
    const run = await oq(["sandbox", "--port", port]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `oq: port ${port} is in use; choose another with --port N, or --port 0 for any free port\n`,
    );
  });

  it("refuses a request body past its limit with 413, without reading the rest", async () => {
    const sandbox = await sandboxWith({ maxBodyBytes: 10_000 });
    const url = new URL(`${sandbox.url}/${sandbox.listId}/api/contact_activity`);
    const headers = {
      X_USERNAME: sandbox.credentials.username,
      X_PASSWORD: sandbox.credentials.password,
      X_ACCOUNT_CODE: sandbox.credentials.accountCode,
    };
    /** Sends `chunks` chunks of 64 KB (or announces them with Content-Length), stopping at the answer. */
    const post = (announce: boolean, chunks: number) =>
      new Promise<{ status: number; written: number }>((resolve, reject) => {
        const size = 64 * 1024;
        let written = 0;
        const outgoing = httpRequest(
          url,
          {
            method: "POST",
            headers: { ...headers, ...(announce ? { "content-length": String(size * chunks) } : {}) },
          },
          (response) => {
            response.resume();
            resolve({ status: response.statusCode ?? 0, written });
            outgoing.destroy();
          },
        );
        outgoing.on("error", reject);
        const writeMore = () => {
          while (written < chunks) {
            written++;
            if (!outgoing.write(Buffer.alloc(size, 0x20))) return void outgoing.once("drain", writeMore);
          }
          outgoing.end();
        };
        writeMore();
      });
    const announced = await post(true, 1000);
    expect(announced.status).toBe(413);
    const chunked = await post(false, 1000);
    expect(chunked.status).toBe(413);
    // Answered long before 64 MB were sent.
    expect(chunked.written).toBeLessThan(1000);
    expect(sandbox.stats.tooLarge).toBe(2);
    expect(sandbox.stats.reportsCreated).toBe(0);
    // And it still serves the next client.
    const report = await clientFor(sandbox).createReport(compile('title "T" in segment 3').payload!);
    expect(report.id).toBeTruthy();
  });
});
