import { existsSync, readdirSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { OngageClientOptions } from "../src/client/client.js";
import type { RunOptions, RunProgress } from "../src/runner/runReport.js";
import type { Sandbox, SandboxOptions } from "../src/sandbox/server.js";
import {
  cleanCsv,
  fakeTimeSandbox,
  holdsSecret,
  runLifetime,
  type LifetimeRun,
} from "./support/inProcess.js";

/*
 * Each fault the sandbox can show, survived by the runner as `oq run` drives it, with nothing
 * lost: no partial CSV under the final name, no duplicate report, no report left behind, no
 * credential in what the user sees. Then the end of a run: the deadline, Ctrl-C (the run's
 * signal, which `oq run` aborts on SIGINT, SIGTERM and SIGHUP) and the bounded clean-up. In
 * process, on a fake clock; the CLI's exit codes and wording, and the OS signals themselves:
 * test/faultsCommands.test.ts (in process) and test/signals.e2e.test.ts.
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function wire(options: SandboxOptions = {}, clientOptions: Partial<OngageClientOptions> = {}) {
  const wired = await fakeTimeSandbox(options, clientOptions);
  sandbox = wired.sandbox;
  return wired;
}

const partFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith(".part"));

function expectNothingLost(run: LifetimeRun): void {
  expect(partFiles(run.dir)).toEqual([]);
  expect(sandbox!.liveReports()).toEqual([]);
  expect(holdsSecret(JSON.stringify(run.summary) + JSON.stringify(run.progress))).toBe(false);
}

describe("the runner survives", () => {
  it("a burst of 429s, honouring Retry-After, without a duplicate report", async () => {
    const wired = await wire({ faults: { rateLimitBurst: 4, retryAfterSeconds: 0 } });
    const run = await runLifetime(wired);
    expect(run.summary.ok).toBe(true);
    expect(wired.sandbox.stats.rateLimited).toBe(4);
    expect(wired.sandbox.stats.reportsCreated).toBe(1);
    expect(readFileSync(run.csv, "utf8")).toBe(await cleanCsv());
    expectNothingLost(run);
  });

  it("5xx answers to status checks and deletes", async () => {
    const wired = await wire({ faults: { serverErrors: 2 } });
    const run = await runLifetime(wired);
    expect(run.summary.ok).toBe(true);
    // The fault happened: both 503s were sent (to the first status checks), and retried past.
    expect(wired.sandbox.stats.serverErrors).toBe(2);
    expect(wired.sandbox.stats.byRoute["GET contact_activity/:id"]).toBeGreaterThanOrEqual(3);
    expect(wired.sandbox.stats.reportsCreated).toBe(1);
    expect(wired.sandbox.stats.reportsDeleted).toBe(1);
    expect(readFileSync(run.csv, "utf8")).toBe(await cleanCsv());
    expectNothingLost(run);
  });

  it("a create whose answer is lost: it finds the report instead of making a second", async () => {
    const wired = await wire({ faults: { dropCreateAfterCommit: 1 } });
    const run = await runLifetime(wired);
    expect(run.summary.ok).toBe(true);
    expect(wired.sandbox.stats.droppedCreates).toBe(1);
    expect(wired.sandbox.stats.reportsCreated).toBe(1);
    expect(wired.sandbox.stats.byRoute["GET contact_activity"]).toBeGreaterThanOrEqual(1);
    expect(readFileSync(run.csv, "utf8")).toBe(await cleanCsv());
    expectNothingLost(run);
  });

  it("a create whose answer is lost, found by its marker even without retries, and deleted", async () => {
    // No retries: the create is not sent again, though the sandbox did make the report.
    const wired = await wire({ faults: { dropCreateAfterCommit: 1 } }, { backoff: { retries: 0 } });
    const run = await runLifetime(wired);
    expect(run.summary.ok).toBe(true);
    expect(wired.sandbox.stats.droppedCreates).toBe(1);
    expect(wired.sandbox.stats.reportsCreated).toBe(1);
    expect(run.summary.deleted).toBe(true);
    expect(wired.sandbox.liveReports()).toEqual([]);
    expect(existsSync(run.csv)).toBe(true);
  });

  it("a connection dropped in the middle of the export: the download starts again, and the CSV is whole", async () => {
    const wired = await wire({ faults: { dropExportAfterBytes: 3000 } });
    const run = await runLifetime(wired);
    expect(run.summary.ok).toBe(true);
    expect(wired.sandbox.faults.dropExportAfterBytes).toBeUndefined(); // the cut happened (it is used up)
    expect(wired.sandbox.stats.byRoute["GET contact_activity/:id/export"]).toBe(2);
    expect(readFileSync(run.csv, "utf8")).toBe(await cleanCsv());
    expectNothingLost(run);
  });

  it("a report that never completes: the deadline ends it, and the report is deleted", async () => {
    const wired = await wire({ faults: { neverComplete: true } });
    const run = await runLifetime(wired, { pollIntervalMs: 50, timeoutMs: 1000 });
    expect(run.summary.ok).toBe(false);
    expect(run.summary.error).toMatch(/^report \d+ did not complete within 1\.0s \(the timeout\)/);
    // The clean-up past the deadline is announced at once.
    const announced = run.progress.find((event) => event.state === "deleting");
    expect(announced).toMatchObject({ deleting: [run.summary.reportId], timedOutAfterMs: 1000 });
    expect(existsSync(run.csv)).toBe(false);
    expect(wired.sandbox.stats.reportsDeleted).toBe(1);
    expectNothingLost(run);
  });

  it("a failed report status, reported with its description", async () => {
    const wired = await wire({ faults: { failReports: true } });
    const run = await runLifetime(wired);
    expect(run.summary.ok).toBe(false);
    expect(run.summary.error).toContain("ended with status 3 (Failed)");
    expect(existsSync(run.csv)).toBe(false);
    expectNothingLost(run);
  });
});

describe("--timeout is a deadline for the whole run", () => {
  it("a download slower than the deadline is cancelled: no CSV, the completed report kept with the command that fetches it", async () => {
    const wired = await wire({ contacts: 10_000, faults: { slowBodyMs: 3000 } });
    const run = await runLifetime(wired, { timeoutMs: 5000 });
    expect(wired.sandbox.stats.byRoute["GET contact_activity/:id/export"]).toBeGreaterThanOrEqual(1);
    expect(run.summary.ok).toBe(false);
    expect(run.summary.error).toMatch(/^the download of report \d+ did not finish within 5\.0s/);
    expect(existsSync(run.csv)).toBe(false);
    expect(partFiles(run.dir)).toEqual([]);
    // Its data exists only in Ongage: kept, never deleted before it is saved.
    expect(wired.sandbox.stats.reportsDeleted).toBe(0);
    expect(wired.sandbox.liveReports()).toHaveLength(1);
    expect(run.summary.error).toMatch(
      /is kept in Ongage: fetch its CSV with: oq reports export \d+ .*--out .*q\.csv/,
    );
    expect(run.summary.exportCommand).toMatch(/^oq reports export \d+ /);
  });
});

/** Runs the lifetime query, aborting the run's signal (Ctrl-C) once `when` holds for an event. */
async function interrupted(
  wired: Awaited<ReturnType<typeof wire>>,
  when: (event: RunProgress) => boolean,
  options: Partial<RunOptions> = {},
): Promise<LifetimeRun> {
  const stop = new AbortController();
  return runLifetime(wired, {
    signal: stop.signal,
    onProgress: (event) => {
      if (!stop.signal.aborted && when(event)) stop.abort();
    },
    ...options,
  });
}

describe("Ctrl-C (the run's signal) cleans up", () => {
  it("during a slow download: no CSV, no .part file, the report deleted", async () => {
    const wired = await wire({ contacts: 10_000, faults: { slowBodyMs: 300 } });
    const run = await interrupted(wired, (event) => event.state === "downloading");
    expect(wired.sandbox.stats.byRoute["GET contact_activity/:id/export"]).toBe(1);
    expect(run.summary.ok).toBe(false);
    expect(existsSync(run.csv)).toBe(false);
    expect(wired.sandbox.stats.reportsDeleted).toBe(1);
    expect(run.summary.deleted).toBe(true);
    expectNothingLost(run);
  });

  it("while waiting: the report deleted", async () => {
    const wired = await wire({ faults: { neverComplete: true } });
    const run = await interrupted(
      wired,
      (event) => event.state === "pending" && !!wired.sandbox.stats.byRoute["GET contact_activity/:id"],
    );
    expect(run.summary.ok).toBe(false);
    expect(wired.sandbox.stats.reportsDeleted).toBe(1);
    expectNothingLost(run);
  });

  it("while creating: the report the create made is found and deleted, and the summary says so", async () => {
    const wired = await wire({ faults: { delayedStoreMs: 1500 } });
    const stop = new AbortController();
    const running = runLifetime(wired, { signal: stop.signal });
    // Aborted once the create has reached the server, which stores the report 1.5 s later.
    const aborted = (async () => {
      while (!wired.sandbox.stats.byRoute["POST contact_activity"])
        await new Promise((resolve) => setTimeout(resolve, 1));
      stop.abort();
    })();
    const run = await running;
    await aborted;
    expect(run.summary.ok).toBe(false);
    expect(wired.sandbox.faults.delayedStoreMs).toBeUndefined(); // the store was delayed (the fault is used up)
    expect(wired.sandbox.stats.reportsCreated).toBe(1);
    expect(wired.sandbox.stats.reportsDeleted).toBe(1);
    expect(wired.sandbox.liveReports()).toEqual([]);
    // Found by its marker and deleted: `oq: stopped; report N deleted`, and --json, say which.
    expect(run.summary.reportId).toMatch(/^\d+$/);
    expect(run.summary.deleted).toBe(true);
    expect(run.progress.at(-2)).toMatchObject({ state: "deleting", deleting: [run.summary.reportId] });
  });
});

describe("the clean-up", () => {
  it("is bounded: a delete that never answers is given up after cleanupTimeoutMs", async () => {
    const wired = await wire({ faults: { hangDeletes: 1 } });
    const run = await runLifetime(wired, { cleanupTimeoutMs: 500 });
    expect(wired.sandbox.faults.hangDeletes).toBe(0);
    expect(run.summary.ok).toBe(false);
    expect(run.summary.error).toMatch(/could not delete report \d+: the clean-up was cut short/);
    expect(run.summary.leftBehind).toEqual([run.summary.reportId]);
    expect(existsSync(run.csv)).toBe(true);
  });

  it("names the report it deletes; abandoned (a second Ctrl-C), it leaves the report and says so", async () => {
    const wired = await wire({ faults: { hangDeletes: 1 } });
    const stop = new AbortController();
    const leave = new AbortController();
    const run = await runLifetime(wired, {
      cleanupSignal: leave.signal,
      onProgress: (event) => {
        if (event.state === "deleting" && !leave.signal.aborted) {
          expect(event.deleting).toEqual([event.reportId]);
          // Once the DELETE is at the server (which never answers it), the clean-up is abandoned.
          void (async () => {
            while (!wired.sandbox.stats.byRoute["DELETE contact_activity/:id"])
              await new Promise((resolve) => setTimeout(resolve, 1));
            stop.abort();
            leave.abort();
          })();
        }
      },
    });
    const id = run.summary.reportId!;
    expect(run.summary.ok).toBe(false);
    expect(run.summary.leftBehind).toEqual([id]);
    // The CSV was saved before the delete began; the report is honestly left behind.
    expect(readFileSync(run.csv, "utf8")).toMatch(/^email,/);
    expect(wired.sandbox.liveReports().map((report) => String(report.id))).toEqual([id]);
    expect(partFiles(run.dir)).toEqual([]);
  });
});
