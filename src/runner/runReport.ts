import { randomBytes } from "node:crypto";
import type { OngageClient } from "../client/client.js";
import { reportState } from "../client/envelope.js";
import { OngageError } from "../client/errors.js";
import { sleep } from "../client/backoff.js";
import type { ContactActivityRequest } from "../emit/payloadSchema.js";
import { CsvSaveError, type CsvDestination } from "./csvOutput.js";
import { downloadReport } from "./downloadReport.js";

/** "saving": the complete CSV is going to its destination (stdout: a progress line must be off the terminal). */
export type RunState = "creating" | "pending" | "downloading" | "saving" | "deleting" | "done";

export interface RunProgress {
  state: RunState;
  reportId?: string;
  elapsedMs: number;
  bytes: number;
  rows: number;
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
  /** Give up waiting for completion after this long (ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  /** How many times a download cut off midway is started again (default 3). */
  exportRetries?: number;
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
   * deleted before its data is saved), and this is the command that downloads it again.
   */
  exportCommand?: string;
  /** Standard output was closed by its reader before the whole CSV was written (not retried). */
  outputClosed?: boolean;
  polls: number;
  calls: number;
  timings: { createMs: number; waitMs: number; exportMs: number; totalMs: number };
}

/**
 * A title no other report has, so that a create whose answer was lost can be found again
 * (OngageClient.createReport) and never made twice.
 */
export function uniqueTitle(title: string): string {
  return `${title} [oq ${randomBytes(4).toString("hex")}]`;
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
 * Whatever happens after the create (failure, timeout, Ctrl-C), the report is deleted unless
 * `keep`, and no partial CSV is left under the final name.
 */
export async function runReport(options: RunOptions): Promise<RunSummary> {
  const { signal } = options;
  // Its own view of the client, so that the calls it counts are this run's alone.
  const client = options.client.fork();
  const started = Date.now();
  const request = { ...options.request, title: uniqueTitle(options.request.title) };
  const summary: RunSummary = {
    reportId: undefined,
    title: request.title,
    ok: false,
    rows: 0,
    bytes: 0,
    output: options.destination.kind === "file" ? options.destination.path : "-",
    deleted: false,
    polls: 0,
    calls: 0,
    timings: { createMs: 0, waitMs: 0, exportMs: 0, totalMs: 0 },
  };
  let createUncertain = false;
  let completed = false;
  const progress = (state: RunState) =>
    options.onProgress?.({ state, elapsedMs: Date.now() - started, bytes: summary.bytes, rows: summary.rows, ...(summary.reportId ? { reportId: summary.reportId } : {}) });

  try {
    progress("creating");
    const created = await client.createReport(request, signal).catch((error: unknown) => {
      createUncertain = mayHaveCreated(error);
      throw error;
    });
    summary.reportId = created.id;
    summary.timings.createMs = Date.now() - started;

    progress("pending");
    const waitStarted = Date.now();
    const interval = options.pollIntervalMs ?? 2000;
    const timeout = options.timeoutMs ?? 30 * 60_000;
    for (let state = reportState(created.status); state !== "completed"; ) {
      if (Date.now() - waitStarted >= timeout) {
        throw new OngageError("timeout", `report ${created.id} did not complete within ${Math.round(timeout / 1000)}s`);
      }
      summary.polls++;
      await sleep(Math.min(pollDelay(summary.polls, interval), Math.max(0, timeout - (Date.now() - waitStarted))), signal).catch(stopped);
      const report = await client.getReport(created.id, signal);
      state = reportState(report.status);
      if (state === "failed") {
        throw new OngageError("report-failed", `report ${created.id} ended with status ${report.status} (${report.status_desc ?? "no description"})`);
      }
      progress("pending");
    }
    summary.timings.waitMs = Date.now() - waitStarted;

    const exportStarted = Date.now();
    completed = true;
    const saved = await downloadReport({
      client,
      reportId: created.id,
      destination: options.destination,
      detailed: options.detailed ?? false,
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
    summary.timings.exportMs = Date.now() - exportStarted;
    summary.ok = true;
  } catch (error) {
    summary.error = error instanceof Error ? error.message : String(error);
    if (error instanceof CsvSaveError && error.readerLeft) summary.outputClosed = true;
    else if (completed && !signal?.aborted && summary.reportId !== undefined) {
      // The data exists only in Ongage now: keep it, and say how to fetch it.
      summary.exportCommand = exportCommand(client, summary.reportId, options);
      summary.error = `${summary.error}; report ${summary.reportId} is kept in Ongage: fetch its CSV with: ${summary.exportCommand}`;
    }
  } finally {
    if (summary.reportId === undefined && createUncertain) {
      // Stopped or cut off while creating: the report may exist without our knowing its id.
      // The unique title finds it, so that it is not left behind.
      const found = await client.findReportByTitle(request.title).catch(() => undefined);
      if (found) summary.reportId = found.id;
    }
    if (summary.reportId !== undefined && !options.keep && summary.exportCommand === undefined) {
      progress("deleting");
      try {
        // Cleaning up must still happen after Ctrl-C, so it does not take the run's signal.
        await client.deleteReport(summary.reportId);
        summary.deleted = true;
      } catch (error) {
        summary.ok = false;
        summary.error = `${summary.error ? `${summary.error}; ` : ""}could not delete report ${summary.reportId}: ${(error as Error).message}`;
      }
    }
    summary.calls = client.calls;
    summary.timings.totalMs = Date.now() - started;
    progress("done");
  }
  return summary;
}

/** Whether a create that failed this way could still have made the report. */
function mayHaveCreated(error: unknown): boolean {
  if (!(error instanceof OngageError)) return true;
  return error.kind === "aborted" || error.kind === "network" || error.kind === "timeout" || (error.status ?? 0) >= 500;
}

function stopped(): never {
  throw new OngageError("aborted", "stopped");
}

/** The `oq reports export` command that fetches a kept report's CSV to where it was meant to go. */
function exportCommand(client: OngageClient, reportId: string, options: RunOptions): string {
  const out = options.destination.kind === "file" ? options.destination.path : `report-${reportId}.csv`;
  const words = ["oq", "reports", "export", reportId, ...(options.detailed ? ["--detailed"] : []), ...(client.listId ? ["--list-id", client.listId] : []), "--out", out];
  return words.map(shellWord).join(" ");
}

/** A word as a POSIX shell reads it back: quoted when it holds anything but safe characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
