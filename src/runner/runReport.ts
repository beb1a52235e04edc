import type { OngageClient } from "../client/client.js";
import { reportState } from "../client/envelope.js";
import { OngageError } from "../client/errors.js";
import { markTitle } from "../client/reportMarker.js";
import type { ContactActivityRequest } from "../emit/payloadSchema.js";
import { detailedExportColumns } from "../language/vocabulary.js";
import { CsvSaveError, type CsvDestination } from "./csvOutput.js";
import { downloadReport } from "./downloadReport.js";
import { formatMs } from "./durations.js";
import { ReportLedger, type LedgerEntry, type Settlement } from "./reportLedger.js";

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
  /**
   * The CSV is taken whatever its header names (still refused when it is not a CSV at all): for
   * `oq doctor`, which reads the header itself to learn what it carries. By default the header
   * must name the report's columns.
   */
  anyHeader?: boolean;
  /** Keep the report in Ongage afterwards. */
  keep?: boolean;
  /**
   * The CSV is of no use beyond this run (`oq doctor`'s probes): a report whose CSV could not be
   * saved is deleted like any other, not kept for the user to fetch.
   */
  disposable?: boolean;
  /**
   * The run's ledger of reports, which deletes or keeps them: one for several runs that end
   * together (app/runJobs.ts: the queries of one `oq run`), which drains it at the end. By
   * default, one of this run's own, made with `signal`, `cleanupSignal`, `cleanupTimeoutMs`,
   * `cleanupAfterStopMs` and `recoveryCommands`.
   */
  ledger?: ReportLedger;
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
  cleanupSignal?: AbortSignal | undefined;
  /** Bounds the clean-up, in ms (default cleanupBoundMs: long enough for a DELETE's patience with 429s). */
  cleanupTimeoutMs?: number | undefined;
  /**
   * Once `signal` aborts, the clean-up has at most this long (ms) before `cleanupSignal` ends it
   * (app/interrupt.ts: 15 s after a signal); the look-ups for lost creates are fitted within it.
   */
  cleanupAfterStopMs?: number | undefined;
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
  const ledger = options.ledger ?? ledgerOf(options);
  return runReportStep(options, ledger.open(), ledger);
}

/** A run's own ledger (RunOptions.ledger), with the clean-up's options. */
export function ledgerOf(
  options: Pick<
    RunOptions,
    "client" | "signal" | "cleanupSignal" | "cleanupTimeoutMs" | "cleanupAfterStopMs" | "recoveryCommands"
  >,
): ReportLedger {
  return new ReportLedger(options.client, {
    cleanupSignal: options.cleanupSignal,
    cleanupTimeoutMs: options.cleanupTimeoutMs,
    ...(options.signal && options.cleanupAfterStopMs !== undefined
      ? { afterStop: { signal: options.signal, boundMs: options.cleanupAfterStopMs } }
      : {}),
    reportList: options.recoveryCommands?.reportList,
  });
}

/**
 * runReport, its report recorded in `entry` from the moment its create is sent, and settled by
 * `ledger` at the end. Without a ledger it is a step of a larger run (a plan, runPlan.ts): the
 * report is neither deleted nor offered for export, whatever happened, and nothing is looked for
 * by its marker: the caller settles the entry once the larger run is over (marked `mustKeep`
 * when its CSV could not be saved here).
 */
export async function runReportStep(
  options: RunOptions,
  entry: LedgerEntry,
  ledger: ReportLedger | undefined,
): Promise<RunSummary> {
  // Its own view of the client, so that the calls it counts are this run's alone.
  const client = options.client.fork();
  const clock = client.clock;
  const started = clock.now();
  const request = { ...options.request, title: markTitle(entry.marker, options.request.title) };
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
  let state: RunState = "creating";
  let completed = false;
  let timedOut = false;
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
    const created = await client.createReport(request, signal, entry.unknown);
    entry.reportId = created.id;
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
          client.redaction
            .line`report ${created.id} ended with status ${report.status} (${report.status_desc ?? "no description"})`,
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
      columns: options.anyHeader
        ? undefined
        : options.detailed
          ? detailedExportColumns
          : options.request.selected_fields,
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
    else if (completed && !options.signal?.aborted && summary.reportId !== undefined && !ledger) {
      // A plan's part is of no use alone; but results that cannot be saved here keep the whole plan.
      if (error instanceof CsvSaveError) entry.mustKeep = true;
    } else if (
      completed &&
      !options.signal?.aborted &&
      summary.reportId !== undefined &&
      !options.disposable
    ) {
      // The data exists only in Ongage now: keep it, and say how to fetch it. (Also when the
      // deadline cut the download: only the user stopping the run, a signal, discards it.)
      entry.mustKeep = true;
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
    summary.calls = client.calls;
    if (ledger) {
      const { settlements, calls } = await ledger.settle([entry], {
        keep: options.keep ?? false,
        onDeleting: (ids) => progress("deleting", ids),
      });
      settled(summary, settlements[0]!);
      summary.calls += calls;
    }
    // What the summary says passes the door: it quotes ids and the server's words.
    if (summary.error !== undefined) summary.error = client.redaction.quote(summary.error);
    summary.timings.totalMs = clock.now() - started;
    progress("done");
  }
  return summary;
}

/** What the ledger did with a run's report, in its summary. */
export function settled(summary: RunSummary, settlement: Settlement): void {
  summary.reportId = settlement.reportId;
  summary.deleted = settlement.deleted;
  summary.leftBehind.push(...settlement.leftBehind);
  if (settlement.unaccountedCreates) summary.unaccountedCreates = settlement.unaccountedCreates;
  if (settlement.problems.length > 0) {
    summary.ok = false;
    summary.error = [summary.error, ...settlement.problems].filter(Boolean).join("; ");
  }
}

function timedOutMessage(state: RunState, reportId: string | undefined, timeoutMs: number): string {
  const within = formatMs(timeoutMs);
  if (state === "pending") return `report ${reportId} did not complete within ${within} (the timeout)`;
  if (state === "downloading")
    return `the download of report ${reportId} did not finish within ${within} (the timeout)`;
  return `the report was not created within ${within} (the timeout)`;
}

function stopped(): never {
  throw new OngageError("aborted", "stopped");
}
