import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Sandbox } from "../src/sandbox/server.js";
import { runOqAsync } from "./support/cli.js";
import { sandboxEnv, testCredentials, testSandbox } from "./support/sandbox.js";
import { until } from "./support/until.js";

/*
 * Each fault the sandbox can show, survived by `oq run` with nothing lost: no partial CSV under
 * the final name, no duplicate report, no report left behind, no credential printed.
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const query = "in segment 1234567890\nduring 120d\nselect email, ocx_status, opens, last_open_date\n";

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "oq-faults-"));
  writeFileSync(join(dir, "q.oq"), query);
  return dir;
}

function expectNothingLost(dir: string, run: { stdout: string; stderr: string }): void {
  expect(readdirSync(dir).filter((name) => name.endsWith(".part"))).toEqual([]);
  expect(sandbox!.liveReports()).toEqual([]);
  expect(run.stdout + run.stderr).not.toContain(testCredentials.password);
}

/** The CSV a run without faults gives, from a sandbox with the same data. */
async function cleanCsv(): Promise<string> {
  const clean = await testSandbox();
  try {
    const dir = folder();
    const run = await runOqAsync(["run", "q.oq", "--poll-interval", "20ms"], {
      cwd: dir,
      env: sandboxEnv(clean),
    });
    expect(run.status).toBe(0);
    return run.stdout;
  } finally {
    await clean.close();
  }
}

describe("oq run survives", () => {
  it("a burst of 429s, honouring Retry-After, without a duplicate report", async () => {
    sandbox = await testSandbox({ faults: { rateLimitBurst: 4, retryAfterSeconds: 0 } });
    const dir = folder();
    const run = await runOqAsync(["run", "q.oq", "--out", "q.csv", "--poll-interval", "20ms"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
    });
    expect(run.status).toBe(0);
    expect(sandbox.stats.rateLimited).toBe(4);
    expect(sandbox.stats.reportsCreated).toBe(1);
    expect(readFileSync(join(dir, "q.csv"), "utf8")).toBe(await cleanCsv());
    expectNothingLost(dir, run);
  });

  it("5xx answers to status checks and deletes", async () => {
    sandbox = await testSandbox({ faults: { serverErrors: 2 } });
    const dir = folder();
    const run = await runOqAsync(["run", "q.oq", "--out", "q.csv", "--poll-interval", "20ms"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
    });
    expect(run.status).toBe(0);
    // The fault happened: both 503s were sent (to the first status checks), and retried past.
    expect(sandbox.stats.serverErrors).toBe(2);
    expect(sandbox.stats.byRoute["GET contact_activity/:id"]).toBeGreaterThanOrEqual(3);
    expect(sandbox.stats.reportsCreated).toBe(1);
    expect(sandbox.stats.reportsDeleted).toBe(1);
    expect(readFileSync(join(dir, "q.csv"), "utf8")).toBe(await cleanCsv());
    expectNothingLost(dir, run);
  });

  it("a create whose answer is lost: it finds the report instead of making a second", async () => {
    sandbox = await testSandbox({ faults: { dropCreateAfterCommit: 1 } });
    const dir = folder();
    const run = await runOqAsync(["run", "q.oq", "--out", "q.csv", "--poll-interval", "20ms"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
    });
    expect(run.status).toBe(0);
    expect(sandbox.stats.droppedCreates).toBe(1);
    expect(sandbox.stats.reportsCreated).toBe(1);
    expect(sandbox.stats.byRoute["GET contact_activity"]).toBeGreaterThanOrEqual(1);
    expect(readFileSync(join(dir, "q.csv"), "utf8")).toBe(await cleanCsv());
    expectNothingLost(dir, run);
  });

  it("a connection dropped in the middle of the export: the download starts again, and the CSV is whole", async () => {
    sandbox = await testSandbox({ faults: { dropExportAfterBytes: 3000 } });
    const dir = folder();
    const run = await runOqAsync(["run", "q.oq", "--out", "q.csv", "--poll-interval", "20ms"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
    });
    expect(run.status).toBe(0);
    expect(sandbox.faults.dropExportAfterBytes).toBeUndefined(); // the cut happened (it is used up)
    expect(sandbox.stats.byRoute["GET contact_activity/:id/export"]).toBe(2);
    expect(readFileSync(join(dir, "q.csv"), "utf8")).toBe(await cleanCsv());
    expectNothingLost(dir, run);
  });

  it("a report that never completes: --timeout ends it, and the report is deleted", async () => {
    sandbox = await testSandbox({ faults: { neverComplete: true } });
    const dir = folder();
    const run = await runOqAsync(
      ["run", "q.oq", "--out", "q.csv", "--poll-interval", "50ms", "--timeout", "1s"],
      { cwd: dir, env: sandboxEnv(sandbox) },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/did not complete within/);
    // The clean-up past the deadline is announced at once, with its bound.
    expect(run.stderr).toMatch(
      /oq: q\.oq: timed out after 1\.0s; deleting report \d+ \(at most 3m30s; Ctrl-C to leave it\)\n/,
    );
    expect(existsSync(join(dir, "q.csv"))).toBe(false);
    expect(sandbox.stats.reportsDeleted).toBe(1);
    expectNothingLost(dir, run);
  });

  it("a failed report status, reported with its description", async () => {
    sandbox = await testSandbox({ faults: { failReports: true } });
    const dir = folder();
    const run = await runOqAsync(["run", "q.oq", "--out", "q.csv", "--poll-interval", "20ms"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("ended with status 3 (Failed)");
    expect(existsSync(join(dir, "q.csv"))).toBe(false);
    expectNothingLost(dir, run);
  });

  it("Ctrl-C during a slow download: exit 130, no CSV, the report deleted", async () => {
    sandbox = await testSandbox({ contacts: 10_000, faults: { slowBodyMs: 300 } });
    const dir = folder();
    let child: ChildProcess | undefined;
    const interrupted = runOqAsync(["run", "q.oq", "--out", "q.csv", "--poll-interval", "20ms"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
      onSpawn: (c) => (child = c),
    });
    await until(
      () => sandbox!.stats.byRoute["GET contact_activity/:id/export"] !== undefined,
      "the export to start",
    );
    await new Promise((r) => setTimeout(r, 100));
    child!.kill("SIGINT");
    const run = await interrupted;
    expect(run.status).toBe(130);
    expect(existsSync(join(dir, "q.csv"))).toBe(false);
    expect(sandbox.stats.reportsDeleted).toBe(1);
    expectNothingLost(dir, run);
  });

  it("Ctrl-C while waiting: exit 130, the report deleted", async () => {
    sandbox = await testSandbox({ faults: { neverComplete: true } });
    const dir = folder();
    let child: ChildProcess | undefined;
    const interrupted = runOqAsync(["run", "q.oq", "--out", "q.csv", "--poll-interval", "20ms"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
      onSpawn: (c) => (child = c),
    });
    await until(() => sandbox!.stats.byRoute["GET contact_activity/:id"] !== undefined, "a status check");
    child!.kill("SIGINT");
    const run = await interrupted;
    expect(run.status).toBe(130);
    expect(sandbox.stats.reportsDeleted).toBe(1);
    expectNothingLost(dir, run);
  });
});

describe("oq reports export", () => {
  it("Ctrl-C midway: exit 130, no CSV and no partial file", async () => {
    sandbox = await testSandbox({ contacts: 10_000, buildTimeMs: 0 });
    const env = sandboxEnv(sandbox);
    const dir = folder();
    const kept = await runOqAsync(
      ["run", "q.oq", "--keep", "--out", "first.csv", "--json", "--poll-interval", "20ms"],
      { cwd: dir, env },
    );
    const [{ reportId }] = JSON.parse(kept.stdout);
    sandbox.faults.slowBodyMs = 300;
    let child: ChildProcess | undefined;
    const interrupted = runOqAsync(["reports", "export", reportId, "--out", "q.csv"], {
      cwd: dir,
      env,
      onSpawn: (c) => (child = c),
    });
    await until(
      () => sandbox!.stats.byRoute["GET contact_activity/:id/export"] === 2,
      "the second export to start",
    );
    await new Promise((r) => setTimeout(r, 100));
    child!.kill("SIGINT");
    const run = await interrupted;
    expect(run.status).toBe(130);
    expect(existsSync(join(dir, "q.csv"))).toBe(false);
    expect(readdirSync(dir).filter((name) => name.endsWith(".part"))).toEqual([]);
  });
});

describe("the runner, as a library", () => {
  it("carries on with a report whose create's answer was lost, found by its marker even without retries, and deletes it", async () => {
    const { OngageClient } = await import("../src/client/client.js");
    const { headerAuth } = await import("../src/client/auth.js");
    const { runReport } = await import("../src/runner/runReport.js");
    const { compile } = await import("../src/index.js");
    sandbox = await testSandbox({ faults: { dropCreateAfterCommit: 1 } });
    // No retries: the create is not sent again, though the sandbox did make the report.
    const client = new OngageClient({
      auth: headerAuth(sandbox.credentials),
      baseUrl: sandbox.url,
      listId: sandbox.listId,
      backoff: { retries: 0 },
    });
    const dir = folder();
    const summary = await runReport({
      client,
      request: compile("in segment 1").payload!,
      destination: { kind: "file", path: join(dir, "x.csv") },
      pollIntervalMs: 10,
    });
    expect(summary.ok).toBe(true);
    expect(sandbox.stats.droppedCreates).toBe(1);
    expect(sandbox.stats.reportsCreated).toBe(1);
    expect(summary.deleted).toBe(true);
    expect(sandbox.liveReports()).toEqual([]);
    expect(existsSync(join(dir, "x.csv"))).toBe(true);
  });
});
