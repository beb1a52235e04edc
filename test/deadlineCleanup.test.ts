import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cleanupCallMs } from "../src/client/backoff.js";
import { runReport, type RunProgress } from "../src/runner/runReport.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { fakeTimeSandbox, outFolder, request } from "./support/inProcess.js";

/*
 * The clean-up after --timeout runs past the deadline (a report must not be left behind because
 * time ran out), but says so at once, and a server that went dead costs it seconds, not minutes
 * (docs/running.md, "--timeout"). On a fake clock: the 20 seconds it takes run in milliseconds.
 * (The CLI's wording of the notice: test/faultsCommands.test.ts, "a report that never completes".)
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe("the clean-up after the deadline", () => {
  it("is announced, and a server that stopped answering is given up on soon, naming the report left", async () => {
    const wired = await fakeTimeSandbox({ faults: { neverComplete: true } });
    sandbox = wired.sandbox;
    const { clock } = wired;
    const dir = outFolder();
    const progress: RunProgress[] = [];
    const started = clock.now();
    const summary = await clock.run(
      runReport({
        client: wired.client,
        request: request(),
        destination: { kind: "file", path: join(dir, "q.csv") },
        pollIntervalMs: 20,
        timeoutMs: 2000,
        onProgress: (event) => {
          progress.push(event);
          // Once the report exists and was checked on, the server goes silent: the wait, then
          // the clean-up, meet no answer.
          if (
            event.state === "pending" &&
            event.reportId &&
            sandbox!.stats.byRoute["GET contact_activity/:id"]
          )
            sandbox!.faults.noAnswer = Infinity;
        },
      }),
    );
    const id = summary.reportId!;
    expect(id).toBeDefined();
    expect(summary.ok).toBe(false);
    expect(summary.error).toMatch(
      new RegExp(`^report ${id} did not complete within 2\\.0s \\(the timeout\\)`),
    );
    // Announced at the deadline, before the clean-up's first call.
    const announced = progress.find((event) => event.state === "deleting")!;
    expect(announced).toMatchObject({ deleting: [id], timedOutAfterMs: 2000 });
    expect(announced.elapsedMs).toBe(2000);
    // The DELETE was sent and met silence, three times (two retries), each given up on after the
    // clean-up's idle timeout: about 20 s in all, not minutes (it was 2 minutes).
    const cleanupMs = clock.since(started) - 2000;
    expect(cleanupMs).toBeGreaterThanOrEqual(3 * cleanupCallMs.idleTimeoutMs);
    expect(cleanupMs).toBeLessThan(30_000);
    expect(sandbox.stats.byRoute["DELETE contact_activity/:id"] ?? 0).toBe(0);
    const statusCheck = 1;
    const deleteTries = 1 + cleanupCallMs.retries;
    expect(sandbox.stats.unanswered).toBe(statusCheck + deleteTries);
    expect(summary.leftBehind).toEqual([id]);
    expect(summary.error).toContain(`could not delete report ${id}: DELETE contact_activity/${id}: `);
    expect(summary.deleted).toBe(false);
    expect(sandbox.liveReports().map((report) => String(report.id))).toEqual([id]);
    expect(existsSync(join(dir, "q.csv"))).toBe(false);
  });
});
