import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ReportLedger } from "../src/runner/reportLedger.js";
import { runReport } from "../src/runner/runReport.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { outFolder, request, sandboxClient } from "./support/inProcess.js";
import { testSandbox } from "./support/sandbox.js";

/*
 * The run's ledger of reports (src/runner/reportLedger.ts), the one owner of deleting them:
 * what no path settled is deleted when the ledger is drained, and a report is settled once,
 * however many paths ask.
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** A completed report, made outside any ledger and kept: its id. */
async function madeReport(): Promise<string> {
  const summary = await runReport({
    client: sandboxClient(sandbox!),
    request: request(),
    destination: { kind: "file", path: join(outFolder(), "q.csv") },
    pollIntervalMs: 20,
    keep: true,
  });
  return summary.reportId!;
}

describe("the report ledger", () => {
  it("drained, deletes the reports no path settled, and only those", async () => {
    sandbox = await testSandbox();
    const [settledId, leftId] = [await madeReport(), await madeReport()];
    const ledger = new ReportLedger(sandboxClient(sandbox));
    const settledEntry = ledger.open();
    settledEntry.reportId = settledId;
    ledger.open().reportId = leftId;
    const { settlements } = await ledger.settle([settledEntry], { keep: true });
    expect(settlements).toEqual([
      { reportId: settledId, deleted: false, kept: [settledId], leftBehind: [], problems: [] },
    ]);
    const drained = await ledger.drain({ keep: false });
    expect(drained).toEqual([{ reportId: leftId, deleted: true, kept: [], leftBehind: [], problems: [] }]);
    expect(sandbox.liveReports().map((report) => String(report.id))).toEqual([settledId]);
    expect(await ledger.drain({ keep: false })).toEqual([]);
  });

  it("settles a report once, however many paths ask at once", async () => {
    sandbox = await testSandbox();
    const id = await madeReport();
    const ledger = new ReportLedger(sandboxClient(sandbox));
    const entry = ledger.open();
    entry.reportId = id;
    const [first, second] = await Promise.all([
      ledger.settle([entry], { keep: false }),
      ledger.drain({ keep: false }),
    ]);
    expect(first.settlements[0]).toMatchObject({ reportId: id, deleted: true });
    expect(second).toEqual([]);
    expect(sandbox.stats.byRoute["DELETE contact_activity/:id"]).toBe(1);
    expect(sandbox.liveReports()).toEqual([]);
  });
});
