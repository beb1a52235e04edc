import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { caselessKeys, detailedExportColumns, detailedExportKey } from "../language/vocabulary.js";
import { readQueryPlan, type QueryPlan } from "../emit/planSchema.js";
import { drainStream } from "../client/byteSource.js";
import { CsvDownload, CsvSaveError, saveFailure } from "./csvOutput.js";
import { mergeResults, type MergeStats } from "./mergeResults.js";
import type { LedgerEntry, ReportLedger } from "./reportLedger.js";
import {
  ledgerOf,
  runReportStep,
  settled,
  type RunOptions,
  type RunProgress,
  type RunState,
  type RunSummary,
} from "./runReport.js";

export interface PlanOptions extends Omit<RunOptions, "request" | "onProgress"> {
  plan: QueryPlan;
  /** Progress of each report (`report`: its index in the plan), then of the merge. */
  onProgress?: (progress: PlanProgress) => void;
  /** Bytes of CSV one partition of the merge may hold in memory (default 16 MB; see mergeResults.ts). */
  mergeBudgetBytes?: number;
}

export interface PlanProgress extends Omit<RunProgress, "state"> {
  /** "merging": every report is downloaded, and the merged CSV is being written. */
  state: RunState | "merging";
  /** The report (index in the plan) this is about; none for the merge and the plan's clean-up. */
  report?: number;
}

export interface PlanSummary {
  ok: boolean;
  error?: string;
  /** Rows and bytes of the merged CSV. */
  rows: number;
  bytes: number;
  /** Where the CSV went: a path, or "-" for stdout. */
  output: string;
  /** Every report of the plan that was made is deleted. */
  deleted: boolean;
  /** One summary per report of the plan, in its order (each `deleted` once the plan deleted it). */
  reports: RunSummary[];
  /** Reports the run made that still exist and were not meant to (not those --keep kept). */
  leftBehind: string[];
  /** Standard output was closed by its reader before the whole CSV was written. */
  outputClosed?: boolean;
  merge: MergeStats;
  calls: number;
  timings: { reportsMs: number; mergeMs: number; totalMs: number };
}

/**
 * Runs a query plan: every report concurrently (within the client's rate and in-flight
 * limits), each export streamed to a file in a private temporary folder, then one merged CSV
 * with exactly the plan's columns, every contact once, saved to `destination` atomically.
 *
 * The guarantees are runReport's, for the plan as a whole: one report failing stops the others
 * and fails the run, with nothing written under the final name; every report made is deleted at
 * the end (after a failure, the deadline or the signal too, in whatever phase) unless `keep`, by
 * the run's ledger, which also names each create whose report it could not find; none is deleted
 * before the merged CSV is saved: if the results cannot be saved here, they are all kept, and
 * the error lists them. The temporary folder is removed in every case, once the merge has
 * stopped writing in it.
 */
export async function runPlan(options: PlanOptions): Promise<PlanSummary> {
  // Checked before anything is created: a plan whose reports disagree would merge a wrong CSV.
  const read = readQueryPlan(options.plan);
  if ("problems" in read) throw new TypeError(`not a valid query plan: ${read.problems.join("; ")}`);
  const { plan } = read;
  const clock = options.client.clock;
  const started = clock.now();
  const summary: PlanSummary = {
    ok: false,
    rows: 0,
    bytes: 0,
    output: options.destination.kind === "file" ? options.destination.path : "-",
    deleted: false,
    reports: [],
    leftBehind: [],
    merge: { partitions: 0, spilledBytes: 0, contacts: 0 },
    calls: 0,
    timings: { reportsMs: 0, mergeMs: 0, totalMs: 0 },
  };
  const progress = (state: PlanProgress["state"], extra: Partial<PlanProgress> = {}) =>
    options.onProgress?.({
      state,
      elapsedMs: clock.now() - started,
      bytes: summary.bytes,
      rows: summary.rows,
      ...extra,
    });
  const ledger = options.ledger ?? ledgerOf(options);
  const entries = plan.reports.map(() => ledger.open());
  // Stops the other reports when one fails.
  const failed = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, failed.signal]) : failed.signal;
  let firstFailure: { report: number; error: string } | undefined;
  // The results cannot be saved here: nothing is deleted, as their only copy is in Ongage.
  let unsaved = false;
  let folder: string | undefined;
  // A part that gave up on 429s would throw away the parts already finished: once there are
  // some, the others wait 429s out until their deadline (docs/running.md, "Plans").
  let finishedParts = 0;
  const client = options.client.fork({ holdOn: () => finishedParts > 0 });
  try {
    const parent = tmpdir();
    folder = await mkdtemp(join(parent, "oq-plan-")).catch((error: NodeJS.ErrnoException) => {
      throw saveFailure(`make a temporary folder in ${parent}`, error);
    });
    const files = plan.reports.map((_, index) => join(folder!, `report-${index}.csv`));
    summary.reports = await Promise.all(
      plan.reports.map(async (request, index) => {
        const report = await runReportStep(
          {
            ...options,
            client,
            request,
            destination: { kind: "file", path: files[index]! },
            signal,
            onProgress: (p) => progress(p.state, { ...p, report: index }),
          },
          entries[index]!,
          undefined,
        );
        if (report.ok) finishedParts++;
        else if (!failed.signal.aborted) {
          firstFailure = { report: index, error: report.error ?? "failed" };
          failed.abort();
        }
        return report;
      }),
    );
    summary.timings.reportsMs = clock.now() - started;
    const partName = (report: number) => {
      const id = summary.reports[report]!.reportId;
      return `report ${report + 1} of ${plan.reports.length}${id === undefined ? "" : ` (${id})`}`;
    };
    if (options.signal?.aborted) throw new Error("stopped");
    if (firstFailure) throw new Error(`${partName(firstFailure.report)}: ${firstFailure.error}`);

    const mergeStarted = clock.now();
    progress("merging");
    const file = new CsvDownload(
      options.destination,
      options.detailed ? detailedExportColumns : plan.columns,
    );
    try {
      const merged = mergeResults(
        {
          files,
          names: plan.reports.map((_, report) => partName(report)),
          combine: plan.combine,
          keyIgnoresCase: caselessKeys.has(plan.key),
          // The detailed export has columns of its own, whatever the reports select: all are kept.
          ...(options.detailed
            ? { key: detailedExportKey[plan.key] }
            : { key: plan.key, columns: plan.columns }),
          detailed: options.detailed ?? false,
          folder,
          budgetBytes: options.mergeBudgetBytes,
          signal,
        },
        summary.merge,
      );
      await receiveMerge(file, merged, signal, (counter) => {
        summary.bytes = counter.bytes;
        summary.rows = counter.rows;
        progress("merging");
      });
      progress("saving");
      await file.commit();
    } catch (error) {
      await file.discard();
      throw error;
    }
    summary.bytes = file.counter.bytes;
    summary.rows = file.counter.rows;
    summary.timings.mergeMs = clock.now() - mergeStarted;
    summary.ok = true;
  } catch (error) {
    summary.ok = false;
    if (options.signal?.aborted) summary.error = "stopped";
    else {
      summary.error = (error as Error).message;
      if (error instanceof CsvSaveError && error.readerLeft) summary.outputClosed = true;
      else if (error instanceof CsvSaveError) unsaved = true;
    }
  } finally {
    if (folder !== undefined) await removeFolder(folder, summary);
    await cleanUp(options, ledger, entries, summary, unsaved, progress);
    // What the summary says passes the door: it quotes ids and the server's words.
    if (summary.error !== undefined) summary.error = options.client.redaction.quote(summary.error);
    summary.calls += summary.reports.reduce((sum, report) => sum + report.calls, 0);
    summary.timings.totalMs = clock.now() - started;
    progress("done");
  }
  return summary;
}

/**
 * Streams the merge into `file`, and returns (or throws) only once the merge has stopped: a
 * stream that fails or is aborted lets go of its generator before the generator has returned,
 * and it would go on writing partition files into the folder about to be removed.
 */
async function receiveMerge(
  file: CsvDownload,
  merged: AsyncGenerator<Buffer>,
  signal: AbortSignal,
  onChunk: Parameters<CsvDownload["receive"]>[1],
): Promise<void> {
  try {
    const stream = Readable.from(merged);
    await file.receive({ drain: (sink) => drainStream(stream, sink, signal) }, onChunk, signal);
  } finally {
    // Queued behind the step the generator is running, so it settles once that step is over.
    await merged.return(undefined).catch(() => undefined);
  }
}

/** Removes the plan's temporary folder (reports' CSVs, partition files: contacts' rows). */
async function removeFolder(folder: string, summary: PlanSummary): Promise<void> {
  try {
    await rm(folder, { recursive: true, force: true, maxRetries: 3 });
  } catch (error) {
    summary.ok = false;
    summary.error = [
      summary.error,
      `could not remove the temporary folder ${folder}, which holds contacts' rows (${(error as Error).message}): remove it by hand`,
    ]
      .filter(Boolean)
      .join("; ");
  }
}

/**
 * Settles the plan's reports with the run's ledger: each deleted, or all kept (`keep`, or
 * results saved nowhere: `unsaved`, or a report whose CSV could not be saved here), and what
 * could not be deleted or found named, report by report.
 */
async function cleanUp(
  options: PlanOptions,
  ledger: ReportLedger,
  entries: readonly LedgerEntry[],
  summary: PlanSummary,
  unsaved: boolean,
  progress: (state: PlanProgress["state"], extra?: Partial<PlanProgress>) => void,
): Promise<void> {
  const savedNowhere = unsaved || entries.some((entry) => entry.mustKeep);
  const { settlements, calls } = await ledger.settle(entries, {
    keep: (options.keep ?? false) || savedNowhere,
    onDeleting: (ids) => progress("deleting", { deleting: ids }),
  });
  summary.calls += calls;
  const problems: string[] = [];
  settlements.forEach((settlement, index) => {
    const report = summary.reports[index];
    if (report) settled(report, settlement);
    summary.leftBehind.push(...settlement.leftBehind);
    for (const problem of settlement.problems)
      problems.push(`report ${index + 1} of ${entries.length}: ${problem}`);
  });
  summary.deleted =
    summary.leftBehind.length === 0 &&
    settlements.every((settlement) => settlement.reportId === undefined || settlement.deleted);
  const kept = settlements.flatMap((settlement) => settlement.kept);
  if (!summary.ok && kept.length > 0)
    summary.error = savedNowhere
      ? `${summary.error}; the plan's reports are kept in Ongage (${kept.join(", ")}): run the plan again, or fetch each with oq reports export ID, then delete them`
      : `${summary.error}; the plan's reports are kept in Ongage (--keep): ${kept.join(", ")}`;
  if (problems.length > 0) {
    summary.ok = false;
    summary.error = [summary.error, ...problems].filter(Boolean).join("; ");
  }
}
