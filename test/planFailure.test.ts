import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runPlan, type PlanProgress } from "../src/runner/runPlan.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { fakeTimeSandbox, gmailOrOpenersPlan, outFolder } from "./support/inProcess.js";

/*
 * docs/running.md, "Plans", when things go wrong: "a report fails: the other reports are
 * stopped at once; the run fails with `report N of M (ID): why`; nothing is written under the
 * final name; every report is deleted". In process, on a fake clock: one report fails while
 * the other would never complete, so a plan that did not stop the other would run into its
 * 30-minute deadline.
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const plan = gmailOrOpenersPlan;

describe("runPlan: a report that fails stops the others", () => {
  it("at once: the run fails naming the report, writes nothing, and deletes both reports", async () => {
    const wired = await fakeTimeSandbox({ buildTimeMs: 1000 });
    sandbox = wired.sandbox;
    const { clock } = wired;
    const dir = outFolder();
    const ids = new Map<number, string>();
    const onProgress = (event: PlanProgress) => {
      if (event.report === undefined || event.reportId === undefined || ids.has(event.report)) return;
      ids.set(event.report, event.reportId);
      if (ids.size < 2) return;
      // Both exist: report 1 (the second) ends in failure, report 0 never completes.
      for (const report of sandbox!.liveReports()) {
        if (String(report.id) === ids.get(1)) report.failed = true;
        if (String(report.id) === ids.get(0)) report.readyAt = Infinity;
      }
    };
    const started = clock.now();
    const summary = await clock.run(
      runPlan({
        client: wired.client,
        plan,
        destination: { kind: "file", path: join(dir, "merged.csv") },
        pollIntervalMs: 100,
        onProgress,
      }),
    );
    expect(summary.ok).toBe(false);
    expect(summary.error).toMatch(
      new RegExp(`^report 2 of 2 \\(${ids.get(1)}\\): report ${ids.get(1)} ended with status 3 \\(Failed\\)`),
    );
    // Stopped at once: seconds after report 2 failed (its build time and its polls), not at
    // report 1's deadline, half an hour on.
    expect(clock.since(started)).toBeLessThan(60_000);
    expect(summary.reports[0]!.ok).toBe(false);
    expect(existsSync(join(dir, "merged.csv"))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    expect(sandbox.stats.reportsCreated).toBe(2);
    expect(sandbox.stats.reportsDeleted).toBe(2);
    expect(sandbox.liveReports()).toEqual([]);
    expect(summary.deleted).toBe(true);
  });
});
