import type { OngageClient } from "../client/client.js";
import type { UnknownCreates } from "../client/createRecovery.js";
import { reportState, type ReportInfo } from "../client/envelope.js";
import { OngageError } from "../client/errors.js";
import { cleanupBoundMs, cleanupCallMs, lateListingMs } from "../client/backoff.js";
import { timeoutSignal } from "../client/clock.js";
import { carriesMarker, markTitle, newMarker } from "../client/reportMarker.js";
import type { ContactActivityRequest } from "../emit/payloadSchema.js";
import { detailedExportColumns } from "../language/vocabulary.js";
import { CsvSaveError, type CsvDestination } from "./csvOutput.js";
import { downloadReport } from "./downloadReport.js";
import { cleanupBound, deleteReports } from "./deleteReports.js";
import { formatMs } from "./durations.js";

/** "saving": the complete CSV is going to its destination (stdout: a progress line must be off the terminal). */
export type RunState = "creating" | "pending" | "downloading" | "saving" | "deleting" | "done";

export interface RunProgress {
  state: RunState;
  reportId?: string;
  elapsedMs: number;
  bytes: number;
  rows: number;
  /** While deleting: the ids of the reports being deleted. */
  deleting?: string[];
  /** The clean-up started because the deadline (`timeoutMs`, in ms) passed. */
  timedOutAfterMs?: number;
}

export interface RunOptions {
  client: OngageClient;
  request: ContactActivityRequest;
  destination: CsvDestination;
  detailed?: boolean;
  /** Keep the report in Ongage afterwards. */
  keep?: boolean;
  /** The first wait between status checks (ms); it grows gently for long reports. */
  pollIntervalMs?: number;
  /**
   * A deadline for the whole run (create, wait, download), in ms (default 30 min); in-flight
   * calls are cancelled when it passes. The clean-up that follows has its own bound.
   */
  timeoutMs?: number;
  /** Stops the run (Ctrl-C); the clean-up still happens. */
  signal?: AbortSignal;
  /** Abandons the clean-up (a second Ctrl-C): what was not deleted is listed in `leftBehind`. */
  cleanupSignal?: AbortSignal;
  /** Bounds the clean-up, in ms (default cleanupBoundMs: long enough for a DELETE's patience with 429s). */
  cleanupTimeoutMs?: number;
  onProgress?: (progress: RunProgress) => void;
  /** How many times a download cut off midway is started again (default 3). */
  exportRetries?: number;
  /**
   * What the user can do by hand about what a run leaves behind, in the words of the caller's
   * shell (the command line's: app/recoveryCommands.ts). The runner never words a command itself:
   * without these, its messages name only Ongage's reports.
   */
  recoveryCommands?: RecoveryCommands;
}

/** The words of the commands a user runs to finish by hand what a run could not (RunOptions). */
export interface RecoveryCommands {
  /** The command that fetches a kept report's CSV to `out`, where the run meant it to go. */
  exportReport(kept: {
    reportId: string;
    listId: string | undefined;
    detailed: boolean;
    out: string;
  }): string;
  /** Where reports are listed with their titles, to find one by its title (`oq reports list`). */
  reportList: string;
}

export interface RunSummary {
  reportId: string | undefined;
  title: string;
  ok: boolean;
  error?: string;
  rows: number;
  bytes: number;
  /** Where the CSV went: a path, or "-" for stdout. */
  output: string;
  deleted: boolean;
  /**
   * Set when the report completed but its CSV could not be saved: the report is then kept (never
   * deleted before its data is saved), and this is the command that downloads it again (worded
   * by `recoveryCommands`; absent without them).
   */
  exportCommand?: string;
  /** Standard output was closed by its reader before the whole CSV was written (not retried). */
  outputClosed?: boolean;
  /** Reports this run made that still exist and were not meant to (not the one --keep kept). */
  leftBehind: string[];
  /**
   * Creates whose outcome stayed unknown: their reports were looked for until the end and not
   * found, so Ongage may still list them later, under a title starting with `marker`. The run
   * then fails (exit 1) even if its CSV was saved: a report may be left in Ongage.
   */
  unaccountedCreates?: { marker: string; count: number };
  polls: number;
  calls: number;
  timings: { createMs: number; waitMs: number; exportMs: number; totalMs: number };
}

/**
 * The wait before status check `poll` (1-based): the interval for the first five checks, then
 * 20% longer each time, up to 15x the interval or 30 s, whichever is less (Ongage suggests
 * polling big reports every 15-30 s). A 20-minute report at 2 s costs about 50 checks.
 */
export function pollDelay(poll: number, intervalMs: number): number {
  const ceiling = Math.max(intervalMs, Math.min(intervalMs * 15, 30_000));
  return Math.min(ceiling, intervalMs * 1.2 ** Math.max(0, poll - 5));
}

/**
 * The whole asynchronous flow: create the report, wait for it, download its CSV, delete it.
 * Whatever happens after the create was sent (failure, deadline, Ctrl-C, an answer lost or
 * unreadable), the reports it may have made are looked for (by the run's title marker) and
 * deleted unless `keep`, and no partial CSV is left under the final name.
 */
export async function runReport(options: RunOptions): Promise<RunSummary> {
  return runReportStep(options, { leaveReport: false });
}

/**
 * runReport as a step of a larger run (a plan, runPlan.ts): with `leaveReport`, the report it
 * used is neither deleted nor offered for export at the end, whatever happened: the caller
 * deletes it (or keeps it) once the larger run is over. Duplicates made by creates whose answer
 * was lost are still deleted here, and a report found by its marker becomes `reportId`.
 */
export async function runReportStep(
  options: RunOptions,
  step: { leaveReport: boolean },
): Promise<RunSummary> {
  // Its own view of the client, so that the calls it counts are this run's alone.
  const client = options.client.fork();
  const clock = client.clock;
  const started = clock.now();
  const marker = newMarker();
  const request = { ...options.request, title: markTitle(marker, options.request.title) };
  const summary: RunSummary = {
    reportId: undefined,
    title: request.title,
    ok: false,
    rows: 0,
    bytes: 0,
    output: options.destination.kind === "file" ? options.destination.path : "-",
    deleted: false,
    leftBehind: [],
    polls: 0,
    calls: 0,
    timings: { createMs: 0, waitMs: 0, exportMs: 0, totalMs: 0 },
  };
  const unknown: UnknownCreates = { attempts: 0, unresolved: 0, lastAt: 0 };
  let state: RunState = "creating";
  let completed = false;
  let timedOut = false;
  // The report completed but its CSV could not be saved: it stays in Ongage, as with --keep.
  let keptForSave = false;
  const progress = (next: RunState, deleting?: string[]) => {
    state = next;
    options.onProgress?.({
      state,
      elapsedMs: clock.now() - started,
      bytes: summary.bytes,
      rows: summary.rows,
      ...(summary.reportId ? { reportId: summary.reportId } : {}),
      ...(deleting ? { deleting } : {}),
      ...(timedOut && deleting ? { timedOutAfterMs: timeoutMs } : {}),
    });
  };
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const deadline = new AbortController();
  const cancelDeadline = clock.after(timeoutMs, () => deadline.abort());
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;

  try {
    progress("creating");
    const created = await client.createReport(request, signal, unknown);
    summary.reportId = created.id;
    summary.timings.createMs = clock.now() - started;

    progress("pending");
    const waitStarted = clock.now();
    const interval = options.pollIntervalMs ?? 2000;
    for (let status = reportState(created.status); status !== "completed";) {
      summary.polls++;
      await clock.sleep(pollDelay(summary.polls, interval), signal).catch(stopped);
      const report = await client.getReport(created.id, signal);
      status = reportState(report.status);
      if (status === "failed") {
        throw new OngageError(
          "report-failed",
          `report ${created.id} ended with status ${report.status} (${report.status_desc ?? "no description"})`,
        );
      }
      progress("pending");
    }
    summary.timings.waitMs = clock.now() - waitStarted;

    const exportStarted = clock.now();
    completed = true;
    const saved = await downloadReport({
      client,
      reportId: created.id,
      destination: options.destination,
      detailed: options.detailed ?? false,
      // A body that is not a CSV of these ("try later" as text) is refused, never saved.
      columns: options.detailed ? detailedExportColumns : options.request.selected_fields,
      signal,
      retries: options.exportRetries ?? 3,
      onChunk: (counter) => {
        summary.bytes = counter.bytes;
        summary.rows = counter.rows;
        progress("downloading");
      },
      onSaving: () => progress("saving"),
    });
    summary.bytes = saved.bytes;
    summary.rows = saved.rows;
    summary.timings.exportMs = clock.now() - exportStarted;
    summary.ok = true;
  } catch (error) {
    summary.ok = false;
    timedOut = deadline.signal.aborted && !options.signal?.aborted;
    summary.error = timedOut
      ? timedOutMessage(state, summary.reportId, timeoutMs)
      : error instanceof Error
        ? error.message
        : String(error);
    if (error instanceof CsvSaveError && error.readerLeft) summary.outputClosed = true;
    else if (completed && !step.leaveReport && !options.signal?.aborted && summary.reportId !== undefined) {
      // The data exists only in Ongage now: keep it, and say how to fetch it. (Also when the
      // deadline cut the download: only the user stopping the run, a signal, discards it.)
      keptForSave = true;
      const out =
        options.destination.kind === "file" ? options.destination.path : `report-${summary.reportId}.csv`;
      const fetchCommand = options.recoveryCommands?.exportReport({
        reportId: summary.reportId,
        listId: client.listId,
        detailed: options.detailed ?? false,
        out,
      });
      if (fetchCommand !== undefined) summary.exportCommand = fetchCommand;
      summary.error = `${summary.error}; report ${summary.reportId} is kept in Ongage${fetchCommand === undefined ? "" : `: fetch its CSV with: ${fetchCommand}`}`;
    }
  } finally {
    cancelDeadline();
    const cleaner = client.forCleanup();
    await cleanUp(cleaner, options, step.leaveReport || keptForSave, marker, unknown, summary, progress);
    summary.calls = client.calls + cleaner.calls;
    summary.timings.totalMs = clock.now() - started;
    progress("done");
  }
  return summary;
}

function timedOutMessage(state: RunState, reportId: string | undefined, timeoutMs: number): string {
  const within = formatMs(timeoutMs);
  if (state === "pending") return `report ${reportId} did not complete within ${within} (the timeout)`;
  if (state === "downloading")
    return `the download of report ${reportId} did not finish within ${within} (the timeout)`;
  return `the report was not created within ${within} (the timeout)`;
}

/**
 * After the run: finds every report it may have made (creates whose answer was lost, or that
 * Ongage stored late, leave reports carrying the run's marker) and deletes them, but for the
 * one `keep` keeps. Bounded by `cleanupTimeoutMs` and `cleanupSignal`; what it could not delete
 * goes to `summary.leftBehind`.
 */
async function cleanUp(
  client: OngageClient,
  options: RunOptions,
  /** The run's own report stays: a plan's step, or a report whose CSV could not be saved. */
  keepsReport: boolean,
  marker: string,
  unknown: UnknownCreates,
  summary: RunSummary,
  progress: (state: RunState, deleting?: string[]) => void,
): Promise<void> {
  const boundMs = options.cleanupTimeoutMs ?? cleanupBoundMs;
  const cleanupStarted = client.clock.now();
  const bound = cleanupBound(boundMs, options.cleanupSignal, client.clock);
  const signal = bound.signal;
  const problems: string[] = [];
  const reportList = options.recoveryCommands?.reportList ?? "Ongage's list of reports";
  try {
    let others: ReportInfo[] = [];
    if (unknown.attempts > 0) {
      // Said before the look-up, which may take a while: which report is being cleaned up, if known.
      progress(
        "deleting",
        summary.reportId !== undefined && !options.keep && !keepsReport ? [summary.reportId] : [],
      );
      // Every create with an unknown outcome may have made a report, perhaps listed late.
      const expected = (summary.reportId !== undefined ? 1 : 0) + unknown.unresolved;
      // Once a create went through, the server takes creates: an unanswered one may well have
      // made a report that Ongage lists late, so it is looked for longer (within the bound).
      const lookFor =
        summary.reportId !== undefined
          ? Math.max(client.createLookupMs, lateListingMs)
          : client.createLookupMs;
      const until = Math.min(unknown.lastAt + lookFor, cleanupStarted + boundMs / 2);
      // Bounded as a whole (a dead server makes every list call time out), not only between looks.
      const lookupBound = timeoutSignal(
        client.clock,
        Math.max(0, until - client.clock.now()) + cleanupCallMs.timeoutMs,
      );
      try {
        const lookup = AbortSignal.any([signal, lookupBound.signal]);
        const marked = await client.awaitReports((report) => carriesMarker(report.title, marker), {
          atLeast: expected,
          until,
          signal: lookup,
        });
        others = marked.filter((report) => report.id !== summary.reportId);
        // The report the run used is accounted for, listed or not; the unanswered creates are not.
        if (others.length < unknown.unresolved) {
          // Most likely nothing was made; but if Ongage lists it later, the user must know how to find it.
          summary.unaccountedCreates = { marker, count: unknown.unresolved - others.length };
          problems.push(
            `a create that got no readable answer may have made a report that Ongage does not list yet: look in ${reportList} for a title starting with ${marker} and delete it`,
          );
        }
      } catch (error) {
        summary.unaccountedCreates = { marker, count: unknown.unresolved };
        problems.push(
          `could not look for the report${unknown.unresolved > 1 ? "s" : ""} an unanswered create may have made (${(error as Error).message}); look in ${reportList} for a title starting with ${marker}`,
        );
      } finally {
        lookupBound.cancel();
      }
    }
    if ((options.keep || keepsReport) && summary.reportId === undefined && others.length > 0)
      summary.reportId = others.shift()!.id;
    // A report whose CSV could not be saved is kept like --keep: its data exists only in Ongage.
    const keepMain = options.keep || keepsReport;
    const doomed = [
      ...(!keepMain && summary.reportId !== undefined ? [summary.reportId] : []),
      ...others.map((report) => report.id),
    ];
    if (doomed.length === 0) return;
    progress("deleting", doomed);
    const { deleted, failed } = await deleteReports(client, doomed, signal);
    if (summary.reportId !== undefined && deleted.includes(summary.reportId)) summary.deleted = true;
    for (const { id, problem } of failed) {
      summary.leftBehind.push(id);
      problems.push(problem);
    }
  } finally {
    bound.done();
    if (problems.length > 0) {
      summary.ok = false;
      summary.error = [summary.error, ...problems].filter(Boolean).join("; ");
    }
  }
}

function stopped(): never {
  throw new OngageError("aborted", "stopped");
}
