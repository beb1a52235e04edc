import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { headerAuth } from "../src/client/auth.js";
import { OngageClient } from "../src/client/client.js";
import { compile } from "../src/index.js";
import { runReport } from "../src/runner/runReport.js";
import { badCreateAnswers } from "../src/sandbox/faults.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { runOqAsync, type CliRun } from "./support/cli.js";
import { sandboxEnv, testCredentials, testSandbox } from "./support/sandbox.js";

/*
 * A report's lifetime under a hostile Ongage (docs/running.md, "Guarantees"): every create whose
 * outcome is unknown is looked for and deleted (or kept with --keep), no report is made twice
 * or outlives the run, --timeout bounds the whole run, and SIGINT, SIGTERM and SIGHUP all clean
 * up, with a bounded clean-up that a second signal abandons.
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const query = 'title "Weekly gmail openers for the marketing team"\nin segment 1234567890\nduring 120d\nselect email, ocx_status, opens, last_open_date\n';

async function until(condition: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > 30_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function folder(config?: object): string {
  const dir = mkdtempSync(join(tmpdir(), "oq-recovery-"));
  writeFileSync(join(dir, "q.oq"), query);
  if (config) writeFileSync(join(dir, "oq.config.json"), JSON.stringify(config));
  return dir;
}

function run(dir: string, args: string[], onSpawn?: (child: ChildProcess) => void): Promise<CliRun> {
  return runOqAsync(["run", "q.oq", "--poll-interval", "20ms", ...args], { cwd: dir, env: sandboxEnv(sandbox!), ...(onSpawn ? { onSpawn } : {}) });
}

function partFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith(".part"));
}

function expectNoSecret(result: CliRun): void {
  for (const secret of [testCredentials.password, testCredentials.username, testCredentials.accountCode]) expect(result.stdout + result.stderr).not.toContain(secret);
}

/** The sandbox's reports that carry an oq marker, by title. */
function liveTitles(): string[] {
  return sandbox!.liveReports().map((report) => report.request.title);
}

describe("creates whose answer cannot be read", () => {
  it.each(badCreateAnswers)("create-answer:%s: the report is found by its marker, used, and deleted", async (kind) => {
    sandbox = await testSandbox({ faults: { createAnswer: kind } });
    const dir = folder();
    const result = await run(dir, ["--out", "q.csv"]);
    expect(sandbox.faults.createAnswer).toBeUndefined(); // the fault happened
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(readFileSync(join(dir, "q.csv"), "utf8")).toMatch(/^email,/);
    expect(sandbox.stats.reportsCreated).toBe(1);
    expect(sandbox.stats.byRoute["GET contact_activity"]).toBeGreaterThanOrEqual(1);
    expect(sandbox.liveReports()).toEqual([]);
    expect(partFiles(dir)).toEqual([]);
    expectNoSecret(result);
  });

  it("create-answer:html with --keep: the one report made is kept, and its id given", async () => {
    sandbox = await testSandbox({ faults: { createAnswer: "html" } });
    const dir = folder();
    const result = await run(dir, ["--out", "q.csv", "--keep", "--json"]);
    expect(sandbox.faults.createAnswer).toBeUndefined();
    expect(result.status).toBe(0);
    expect(sandbox.stats.reportsCreated).toBe(1);
    const { reportId } = JSON.parse(result.stdout) as { reportId: string };
    expect(sandbox.liveReports().map((report) => String(report.id))).toEqual([reportId]);
  });

  it("create-answer:gzip on a report that then fails: a clear error, and the report deleted", async () => {
    sandbox = await testSandbox({ faults: { createAnswer: "gzip", failReports: true } });
    const dir = folder();
    const result = await run(dir, ["--out", "q.csv"]);
    expect(sandbox.faults.createAnswer).toBeUndefined();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^oq: q\.oq: report \d+ ended with status 3 \(Failed\)$/m);
    expect(sandbox.stats.reportsCreated).toBe(1);
    expect(sandbox.liveReports()).toEqual([]);
  });
});

describe("never a duplicate, never a leftover", () => {
  it("late-visible: a lost create's report listed seconds late is waited for, not made again", async () => {
    sandbox = await testSandbox({ faults: { dropCreateAfterCommit: 1, lateVisibleMs: 2000 } });
    const dir = folder();
    const result = await run(dir, ["--out", "q.csv"]);
    expect(sandbox.faults.dropCreateAfterCommit).toBe(0);
    expect(result.status).toBe(0);
    expect(sandbox.stats.reportsCreated).toBe(1);
    expect(sandbox.liveReports()).toEqual([]);
    expectNoSecret(result);
  });

  it("truncate-titles: the marker comes first, so a shortened title is still found", async () => {
    sandbox = await testSandbox({ faults: { dropCreateAfterCommit: 1, truncateTitles: 24 } });
    const dir = folder();
    const result = await run(dir, ["--out", "q.csv", "--keep", "--json"]);
    expect(result.status).toBe(0);
    expect(sandbox.stats.reportsCreated).toBe(1);
    // Kept, to see what Ongage stored: the marker survived the cut.
    expect(liveTitles()).toEqual([expect.stringMatching(/^\[oq [0-9a-f]{8}\] Weekly gma$/)]);
    expect(JSON.parse(result.stdout).title).toMatch(/^\[oq [0-9a-f]{8}\] Weekly gmail openers for the marketing team$/);
  });

  it("delayed-store: a create stored only after --timeout cancelled it is found and deleted", async () => {
    sandbox = await testSandbox({ faults: { delayedStoreMs: 2500 } });
    const dir = folder();
    const result = await run(dir, ["--out", "q.csv", "--timeout", "1s"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/oq: q\.oq: the report was not created within 1\.0s \(the timeout\)/);
    expect(sandbox.stats.reportsCreated).toBe(1);
    expect(sandbox.stats.reportsDeleted).toBe(1);
    expect(sandbox.liveReports()).toEqual([]);
    expect(existsSync(join(dir, "q.csv"))).toBe(false);
  });

  it("a second report made while the first was unlisted is noticed at the end, and both are deleted", async () => {
    // Looking for only 300 ms, oq decides the lost create made nothing and creates again; the
    // first report shows up later, and the sweep at the end deletes it too.
    sandbox = await testSandbox({ buildTimeMs: 3000, faults: { dropCreateAfterCommit: 1, lateVisibleMs: 1500 } });
    const dir = folder({ createLookupMs: 300 });
    const result = await run(dir, ["--out", "q.csv"]);
    expect(result.status).toBe(0);
    expect(sandbox.stats.reportsCreated).toBe(2);
    expect(sandbox.stats.reportsDeleted).toBe(2);
    expect(sandbox.liveReports()).toEqual([]);
  });

  it("delayed-store past the client's own timeout: the duplicate made by the retry is deleted (library)", async () => {
    sandbox = await testSandbox({ buildTimeMs: 2500, faults: { delayedStoreMs: 1200 } });
    const client = new OngageClient({ auth: headerAuth(sandbox.credentials), baseUrl: sandbox.url, listId: sandbox.listId, timeoutMs: 400, createLookupMs: 200 });
    const dir = folder();
    const summary = await runReport({ client, request: compile("in segment 1").payload!, destination: { kind: "file", path: join(dir, "x.csv") }, pollIntervalMs: 20 });
    expect(summary.ok).toBe(true);
    expect(sandbox.stats.reportsCreated).toBe(2);
    expect(sandbox.stats.reportsDeleted).toBe(2);
    expect(sandbox.liveReports()).toEqual([]);
  });
});

describe("--timeout is a deadline for the whole run", () => {
  it("a download slower than the deadline is cancelled: exit 1, no CSV, the report deleted", async () => {
    sandbox = await testSandbox({ contacts: 10_000, faults: { slowBodyMs: 2000 } });
    const dir = folder();
    const result = await run(dir, ["--out", "q.csv", "--timeout", "3s"]);
    expect(sandbox.stats.byRoute["GET contact_activity/:id/export"]).toBeGreaterThanOrEqual(1);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/the download of report \d+ did not finish within 3\.0s/);
    expect(existsSync(join(dir, "q.csv"))).toBe(false);
    expect(partFiles(dir)).toEqual([]);
    expect(sandbox.stats.reportsDeleted).toBe(1);
    expect(sandbox.liveReports()).toEqual([]);
  });
});

/** Starts `oq run` and sends it `signal` once `ready` holds (checked against the server). */
async function signalled(dir: string, args: string[], signal: NodeJS.Signals, ready: () => boolean): Promise<CliRun> {
  let child: ChildProcess | undefined;
  const running = run(dir, args, (c) => (child = c));
  await until(ready, "the moment to send the signal");
  child!.kill(signal);
  return running;
}

describe("signals", () => {
  for (const [signal, code] of [["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    it(`${signal} during a download: exit ${code}, no CSV, no .part file, the report deleted`, async () => {
      sandbox = await testSandbox({ contacts: 10_000, faults: { slowBodyMs: 300 } });
      const dir = folder();
      const result = await signalled(dir, ["--out", "q.csv"], signal, () => sandbox!.stats.byRoute["GET contact_activity/:id/export"] !== undefined);
      expect(result.status).toBe(code);
      expect(result.stderr).toContain(`oq: stopping (${signal})`);
      expect(existsSync(join(dir, "q.csv"))).toBe(false);
      expect(partFiles(dir)).toEqual([]);
      expect(sandbox.stats.reportsDeleted).toBe(1);
      expect(sandbox.liveReports()).toEqual([]);
    });
  }

  it("SIGTERM while creating: exit 143, and the report the create made is found and deleted", async () => {
    sandbox = await testSandbox({ faults: { delayedStoreMs: 1500 } });
    const dir = folder();
    const result = await signalled(dir, ["--out", "q.csv"], "SIGTERM", () => sandbox!.stats.byRoute["POST contact_activity"] !== undefined);
    expect(result.status).toBe(143);
    expect(sandbox.stats.reportsCreated).toBe(1);
    expect(sandbox.liveReports()).toEqual([]);
  });

  it("oq reports export: SIGTERM midway gives exit 143 and leaves no partial file", async () => {
    sandbox = await testSandbox({ contacts: 10_000, buildTimeMs: 0 });
    const env = sandboxEnv(sandbox);
    const dir = folder();
    const kept = await runOqAsync(["run", "q.oq", "--keep", "--out", "first.csv", "--json", "--poll-interval", "20ms"], { cwd: dir, env });
    const { reportId } = JSON.parse(kept.stdout) as { reportId: string };
    sandbox.faults.slowBodyMs = 300;
    let child: ChildProcess | undefined;
    const exporting = runOqAsync(["reports", "export", reportId, "--out", "q.csv"], { cwd: dir, env, onSpawn: (c) => (child = c) });
    await until(() => sandbox!.stats.byRoute["GET contact_activity/:id/export"] === 2, "the export to start");
    child!.kill("SIGTERM");
    const result = await exporting;
    expect(result.status).toBe(143);
    expect(existsSync(join(dir, "q.csv"))).toBe(false);
    expect(partFiles(dir)).toEqual([]);
  });

  it("Ctrl-C while the final delete hangs: the report is named; a second Ctrl-C leaves it and says how to delete it", async () => {
    sandbox = await testSandbox({ faults: { hangDeletes: 1 } });
    const dir = folder();
    let child: ChildProcess | undefined;
    let stderr = "";
    const running = run(dir, ["--out", "q.csv"], (c) => {
      child = c;
      c.stderr!.on("data", (text: string) => (stderr += text));
    });
    await until(() => sandbox!.stats.byRoute["DELETE contact_activity/:id"] !== undefined, "the delete");
    const [report] = sandbox.liveReports();
    child!.kill("SIGINT");
    await until(() => stderr.includes(`deleting report ${report!.id}`), "the clean-up to be announced");
    child!.kill("SIGINT");
    const result = await running;
    expect(result.status).toBe(130);
    expect(result.stderr).toContain(`oq: q.oq: report ${report!.id} is still in Ongage; delete it with: oq reports delete ${report!.id}`);
    // The CSV was saved before the delete began; the report is honestly left behind.
    expect(readFileSync(join(dir, "q.csv"), "utf8")).toMatch(/^email,/);
    expect(sandbox.liveReports().map((r) => r.id)).toEqual([report!.id]);
    expect(partFiles(dir)).toEqual([]);
  });

  it("the clean-up is bounded: a delete that never answers is given up after cleanupTimeoutMs (library)", async () => {
    sandbox = await testSandbox({ faults: { hangDeletes: 1 } });
    const client = new OngageClient({ auth: headerAuth(sandbox.credentials), baseUrl: sandbox.url, listId: sandbox.listId });
    const dir = folder();
    const summary = await runReport({ client, request: compile("in segment 1").payload!, destination: { kind: "file", path: join(dir, "x.csv") }, pollIntervalMs: 20, cleanupTimeoutMs: 500 });
    expect(sandbox.faults.hangDeletes).toBe(0);
    expect(summary.ok).toBe(false);
    expect(summary.error).toMatch(/could not delete report \d+: the clean-up was cut short/);
    expect(summary.leftBehind).toEqual([summary.reportId]);
    expect(existsSync(join(dir, "x.csv"))).toBe(true);
  });
});
