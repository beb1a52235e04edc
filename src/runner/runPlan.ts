import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { cleanupBoundMs } from "../client/backoff.js";
import { caselessKeys, detailedExportColumns, detailedExportKey } from "../language/vocabulary.js";
import { QueryPlanSchema, type QueryPlan } from "../emit/planSchema.js";
import { maxPlanReports } from "../language/limits.js";
import { CsvDownload, CsvSaveError } from "./csvOutput.js";
import { cleanupBound, deleteReports } from "./deleteReports.js";
import { mergeResults, type MergeStats } from "./mergeResults.js";
import {
  runReportStep,
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
 * the end (after a failure, the deadline or the signal too) unless `keep`; none is deleted
 * before the merged CSV is saved: if it cannot be saved here, they are all kept, and the error
 * lists them. The temporary folder is removed in every case.
 */
export async function runPlan(options: PlanOptions): Promise<PlanSummary> {
  const plan = QueryPlanSchema.parse(options.plan);
  if (plan.reports.length > maxPlanReports)
    throw new RangeError(`a plan has at most ${maxPlanReports} reports, not ${plan.reports.length}`);
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
  // Stops the other reports when one fails.
  const failed = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, failed.signal]) : failed.signal;
  let firstFailure: { report: number; error: string } | undefined;
  let keepForSave = false;
  const folder = await mkdtemp(join(tmpdir(), "oq-plan-"));
  try {
    const files = plan.reports.map((_, index) => join(folder, `report-${index}.csv`));
    summary.reports = await Promise.all(
      plan.reports.map(async (request, index) => {
        const report = await runReportStep(
          {
            ...options,
            request,
            destination: { kind: "file", path: files[index]! },
            signal,
            onProgress: (p) => progress(p.state, { ...p, report: index }),
          },
          { leaveReport: true },
        );
        if (!report.ok && !failed.signal.aborted) {
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
            ? { key: detailedExportKey[plan.key] ?? plan.key }
            : { key: plan.key, columns: plan.columns }),
          detailed: options.detailed ?? false,
          folder,
          budgetBytes: options.mergeBudgetBytes,
          signal,
        },
        summary.merge,
      );
      await file.receive(
        Readable.from(merged),
        (counter) => {
          summary.bytes = counter.bytes;
          summary.rows = counter.rows;
          progress("merging");
        },
        signal,
      );
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
    summary.error = options.signal?.aborted ? "stopped" : (error as Error).message;
    if (error instanceof CsvSaveError) {
      if (error.readerLeft) summary.outputClosed = true;
      // The results exist only in Ongage now: nothing is deleted before it is saved.
      else keepForSave = true;
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
    await cleanUp(options, summary, keepForSave, progress);
    summary.calls += summary.reports.reduce((sum, report) => sum + report.calls, 0);
    summary.timings.totalMs = clock.now() - started;
    progress("done");
  }
  return summary;
}

/** Deletes the plan's reports (unless kept), concurrently, within the clean-up's bound. */
async function cleanUp(
  options: PlanOptions,
  summary: PlanSummary,
  keepForSave: boolean,
  progress: (state: PlanProgress["state"], extra?: Partial<PlanProgress>) => void,
): Promise<void> {
  const made = summary.reports.flatMap((report) => (report.reportId === undefined ? [] : [report.reportId]));
  const problems = summary.reports.flatMap((report) => (report.leftBehind.length > 0 ? [report] : []));
  summary.leftBehind.push(...problems.flatMap((report) => report.leftBehind));
  if (keepForSave && made.length > 0)
    summary.error = `${summary.error}; the plan's reports are kept in Ongage (${made.join(", ")}): run the plan again, or fetch each with oq reports export ID, then delete them`;
  if (options.keep || keepForSave || made.length === 0) {
    summary.deleted = made.length === 0 && summary.leftBehind.length === 0;
    return;
  }
  const cleaner = options.client.forCleanup();
  const bound = cleanupBound(
    options.cleanupTimeoutMs ?? cleanupBoundMs,
    options.cleanupSignal,
    options.client.clock,
  );
  try {
    progress("deleting", { deleting: made });
    const results = await Promise.all(made.map((id) => deleteReports(cleaner, [id], bound.signal)));
    const failures = results.flatMap((result) => result.failed);
    for (const report of summary.reports)
      if (
        report.reportId !== undefined &&
        results.some((result) => result.deleted.includes(report.reportId!))
      )
        report.deleted = true;
    summary.leftBehind.push(...failures.map((failure) => failure.id));
    summary.deleted = summary.leftBehind.length === 0;
    if (failures.length > 0) {
      summary.ok = false;
      summary.error = [summary.error, ...failures.map((failure) => failure.problem)]
        .filter(Boolean)
        .join("; ");
    }
  } finally {
    bound.done();
    summary.calls += cleaner.calls;
  }
}
