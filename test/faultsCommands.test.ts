import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Sandbox } from "../src/sandbox/server.js";
import { oq, type InProcessRun } from "./support/oqInProcess.js";
import { keptReport } from "./support/inProcess.js";
import { sandboxEnv, testCredentials, testSandbox } from "./support/sandbox.js";
import { until } from "./support/until.js";

/*
 * Faults survived by `oq run` with nothing lost: no partial CSV under the final name, no report
 * left behind, no credential printed. What the runner does with each fault is tested in process
 * (test/faults.test.ts); here, what only the command shows: the deadline's wording, and Ctrl-C
 * as an OS signal (exit 130).
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

describe("oq run", () => {
  it("a report that never completes: --timeout ends it, and the report is deleted", async () => {
    sandbox = await testSandbox({ faults: { neverComplete: true } });
    const dir = folder();
    const run = await oq(["run", "q.oq", "--out", "q.csv", "--poll-interval", "50ms", "--timeout", "1s"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
    });
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

  it("a create still unanswered at --timeout: the look-up for its report is announced, and the report deleted", async () => {
    sandbox = await testSandbox({ faults: { delayedStoreMs: 2000 } });
    const dir = folder();
    const run = await oq(
      ["run", "q.oq", "--out", "q.csv", "--poll-interval", "50ms", "--timeout", "1s", "--json"],
      {
        cwd: dir,
        env: sandboxEnv(sandbox),
      },
    );
    expect(sandbox.faults.delayedStoreMs).toBeUndefined(); // the store was delayed (the fault is used up)
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /oq: q\.oq: timed out after 1\.0s; looking for the report it may have made \(at most 3m30s; Ctrl-C to leave it\)\n/,
    );
    expect(sandbox.stats.reportsDeleted).toBe(1);
    // The report found by its marker is the run's, and --json says it was deleted.
    expect(JSON.parse(run.stdout)[0]).toMatchObject({
      reportId: expect.stringMatching(/^\d+$/),
      deleted: true,
    });
    expectNothingLost(dir, run);
  });

  it("Ctrl-C during a slow download: exit 130, no CSV, the report deleted", async () => {
    sandbox = await testSandbox({ contacts: 10_000, faults: { slowBodyMs: 300 } });
    const dir = folder();
    let command: InProcessRun | undefined;
    const interrupted = oq(["run", "q.oq", "--out", "q.csv", "--poll-interval", "20ms"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
      onStart: (started) => (command = started),
    });
    await until(
      () => sandbox!.stats.byRoute["GET contact_activity/:id/export"] !== undefined,
      "the export to start",
    );
    await new Promise((r) => setTimeout(r, 100));
    command!.signal("SIGINT");
    const run = await interrupted;
    expect(run.status).toBe(130);
    expect(existsSync(join(dir, "q.csv"))).toBe(false);
    expect(sandbox.stats.reportsDeleted).toBe(1);
    expectNothingLost(dir, run);
  });
});

describe("oq reports export", () => {
  it("Ctrl-C midway: exit 130, no CSV and no partial file", async () => {
    sandbox = await testSandbox({ contacts: 10_000, buildTimeMs: 0 });
    const env = sandboxEnv(sandbox);
    const dir = folder();
    const reportId = await keptReport(sandbox);
    sandbox.faults.slowBodyMs = 300;
    let command: InProcessRun | undefined;
    const interrupted = oq(["reports", "export", reportId, "--out", "q.csv"], {
      cwd: dir,
      env,
      onStart: (started) => (command = started),
    });
    await until(
      () => sandbox!.stats.byRoute["GET contact_activity/:id/export"] === 2,
      "the second export to start",
    );
    await new Promise((r) => setTimeout(r, 100));
    command!.signal("SIGINT");
    const run = await interrupted;
    expect(run.status).toBe(130);
    expect(existsSync(join(dir, "q.csv"))).toBe(false);
    expect(readdirSync(dir).filter((name) => name.endsWith(".part"))).toEqual([]);
  });
});
