import { isAbsolute, relative } from "node:path";
import type { ContactActivityRequest } from "../emit/payloadSchema.js";
import type { QueryPlan } from "../emit/planSchema.js";
import type { OngageClient } from "../client/client.js";
import { cleanupBoundMs } from "../client/backoff.js";
import type { Redacted, RedactedLine } from "../client/serverText.js";
import type { CsvDestination } from "../runner/csvOutput.js";
import { formatMs } from "../runner/durations.js";
import { runPlan, type PlanSummary } from "../runner/runPlan.js";
import { ledgerOf, runReport, type RunProgress, type RunSummary } from "../runner/runReport.js";
import type { StopSignal } from "./exitCodes.js";
import type { Host } from "./host.js";
import { cleanupAfterSignalMs, interruptible } from "./interrupt.js";
import { deleteReportCommand, oqRecoveryCommands } from "./recoveryCommands.js";
import { formatBytes, ProgressLine } from "./progress.js";
import { terminalLine } from "./terminalText.js";

/*
 * Reports run as `oq run` runs them, for both shells (`oq run`, the REPL's `.run`): concurrently,
 * with progress and a summary line per query on stderr, and every signal cleaning up. Every line
 * is made by `say`, the client's door (terminalLine): ids, errors and paths pass its redaction.
 */

/** A path as the user would write it: relative to the working folder when inside it. */
function shortPath(path: string, cwd: string): string {
  const near = relative(cwd, path);
  return near && !near.startsWith("..") && !isAbsolute(near) ? near : path;
}

/** The line a finished query leaves on stderr, so that logs show what each run did. */
function summaryLine(
  say: RedactedLine,
  name: string,
  summary: RunSummary | PlanSummary,
  cwd: string,
): Redacted {
  if ("reports" in summary) return planSummaryLine(say, name, summary, cwd);
  const where = summary.output === "-" ? "stdout" : shortPath(summary.output, cwd);
  const rest = say`${summary.rows.toLocaleString("en-US")} rows, ${formatBytes(summary.bytes)} → ${where}, ${summary.calls} API calls, ${formatMs(summary.timings.totalMs)}`;
  return summary.reportId === undefined
    ? say`✓ ${name}: ${rest}`
    : say`✓ ${name}: report ${summary.reportId} (${summary.deleted ? "deleted" : "kept"}), ${rest}`;
}

/** The line a finished plan leaves on stderr. */
function planSummaryLine(say: RedactedLine, name: string, summary: PlanSummary, cwd: string): Redacted {
  const ids = summary.reports.map((report) => say`${report.reportId ?? "?"}`).join(", ");
  const where = summary.output === "-" ? "stdout" : shortPath(summary.output, cwd);
  return say`✓ ${name}: ${summary.reports.length} reports (${ids}; ${summary.deleted ? "deleted" : "kept"}), ${summary.rows.toLocaleString("en-US")} rows merged, ${formatBytes(summary.bytes)} → ${where}, ${summary.calls} API calls, ${formatMs(summary.timings.totalMs)}`;
}

/** The reports a run made: "report 123", or "reports 123, 124" for a plan; each id through the door. */
export function reportWords(say: RedactedLine, summary: RunSummary | PlanSummary): Redacted {
  const ids = ("reports" in summary ? summary.reports.map((report) => report.reportId) : [summary.reportId])
    .filter((id) => id !== undefined)
    .map((id) => say`${id}`);
  return ids.length === 0 ? say`` : say`report${ids.length > 1 ? "s" : ""} ${ids.join(", ")}`;
}

function sayDeleting(say: RedactedLine, stderr: NodeJS.WritableStream, name: string, ids: string[]): void {
  const each = ids.map((id) => say`${id}`).join(", ");
  stderr.write(say`oq: ${name}: deleting report${ids.length > 1 ? "s" : ""} ${each}\n`);
}

/** One query to run: its name in messages, its request (or plan) and where its CSV goes. */
type RunJob = { name: string; destination: CsvDestination } & (
  { request: ContactActivityRequest } | { plan: QueryPlan }
);

interface RunJobsOptions {
  detailed?: boolean | undefined;
  keep?: boolean | undefined;
  quiet?: boolean | undefined;
  listId?: string | undefined;
  pollIntervalMs: number;
  timeoutMs: number;
  /** The process goes on afterwards (the REPL): see interruptible's `outlivesWork`. */
  outlivesWork?: boolean;
}

/**
 * Runs reports concurrently, as `oq run` does (and the REPL's `.run`): progress on the host's
 * stderr, a summary line per query, and every signal the host receives cleaning up the reports
 * made. Every report of the run is in one ledger (runner/reportLedger.ts): each query settles
 * its own, and the ledger is drained once they all ended, so that a report no query settled
 * (after a signal or an error in any phase) is deleted all the same.
 */
export async function runJobs(
  host: Host,
  client: OngageClient,
  jobs: RunJob[],
  options: RunJobsOptions,
): Promise<{ summaries: (RunSummary | PlanSummary)[]; stoppedBy: StopSignal | undefined }> {
  const stderr = host.stderr;
  const say = terminalLine(client.redaction);
  const progress = new ProgressLine(stderr);
  const sayLeftBehind = (id: string, name?: string) => {
    const query = name === undefined ? say`` : say`${name}: `;
    stderr.write(
      say`oq: ${query}report ${id} is still in Ongage; delete it with: ${deleteReportCommand(id, options.listId)}\n`,
    );
  };
  let stopping = false;
  // The reports each query is deleting now, to name them if a signal comes meanwhile.
  const deleting = new Map<string, string[]>();
  // The queries whose clean-up after the deadline has been announced (once each).
  const announced = new Set<string>();
  const { result: summaries, stoppedBy } = await interruptible(
    host,
    async ({ signal, cleanupSignal }) => {
      const ledger = ledgerOf({
        client,
        signal,
        cleanupSignal,
        cleanupAfterStopMs: cleanupAfterSignalMs,
        recoveryCommands: oqRecoveryCommands,
      });
      const ended = await Promise.allSettled(
        jobs.map(async (job) => {
          const { name, destination } = job;
          const common = {
            client,
            destination,
            detailed: options.detailed ?? false,
            keep: options.keep ?? false,
            pollIntervalMs: options.pollIntervalMs,
            timeoutMs: options.timeoutMs,
            signal,
            cleanupSignal,
            recoveryCommands: oqRecoveryCommands,
            ledger,
          };
          const onProgress = (p: RunProgress, report?: number) => {
            progress.update(report === undefined ? name : `${name} #${report + 1}`, p);
            // A plan's clean-up is said once, by the plan, not by each of its reports.
            if (report !== undefined) return;
            if (p.deleting) deleting.set(name, p.deleting);
            else deleting.delete(name);
            // After a signal, the clean-up is said out loud: which reports are being deleted.
            if (stopping && p.deleting && p.deleting.length > 0) sayDeleting(say, stderr, name, p.deleting);
            // So is the clean-up after the deadline, which may outlast it (off a terminal too).
            if (!stopping && p.deleting && p.timedOutAfterMs !== undefined && !announced.has(name)) {
              announced.add(name);
              const ids = p.deleting.map((id) => say`${id}`).join(", ");
              const what =
                p.deleting.length > 0
                  ? say`deleting report${p.deleting.length > 1 ? "s" : ""} ${ids}`
                  : say`looking for the report it may have made`;
              progress.log(
                say`oq: ${name}: timed out after ${formatMs(p.timedOutAfterMs)}; ${what} (at most ${formatMs(cleanupBoundMs)}; Ctrl-C to leave ${p.deleting.length > 1 ? "them" : "it"})`,
              );
            }
          };
          const summary =
            "plan" in job
              ? await runPlan({
                  ...common,
                  plan: job.plan,
                  // One progress line per report of the plan, then the merge's.
                  onProgress: (p) =>
                    onProgress({ ...p, state: p.state === "merging" ? "saving" : p.state }, p.report),
                })
              : await runReport({ ...common, request: job.request, onProgress });
          if (summary.ok || summary.outputClosed) {
            const line = summary.ok
              ? summaryLine(say, name, summary, host.cwd())
              : summary.deleted
                ? say`oq: ${name}: stopped: ${summary.error ?? ""}; ${reportWords(say, summary)} deleted`
                : say`oq: ${name}: stopped: ${summary.error ?? ""}`;
            if (!options.quiet) progress.log(line);
          } else {
            // Above the progress line, if any, as a summary line is; but never silenced by --quiet.
            progress.log(say`oq: ${name}: ${summary.error ?? "failed"}`);
          }
          for (const id of summary.leftBehind) sayLeftBehind(id, name);
          return summary;
        }),
      );
      // What no query settled (an error none of them foresaw) is deleted here, and said.
      for (const settlement of await ledger.drain({ keep: options.keep ?? false })) {
        for (const problem of settlement.problems) stderr.write(say`oq: ${problem}\n`);
        for (const id of settlement.leftBehind) sayLeftBehind(id);
      }
      return ended.map((outcome) => {
        if (outcome.status === "rejected") throw outcome.reason;
        return outcome.value;
      });
    },
    {
      onStop: (signal) => {
        stopping = true;
        progress.stop();
        const again = signal === "SIGINT" ? "Ctrl-C" : `send ${signal} or press Ctrl-C`;
        stderr.write(
          options.keep
            ? say`\noq: stopping (${signal})\n`
            : say`\noq: stopping (${signal}); deleting the reports this run made (at most ${formatMs(cleanupAfterSignalMs)}; ${again} again to leave them)\n`,
        );
        for (const [name, ids] of deleting) sayDeleting(say, stderr, name, ids);
      },
      onAbandon: () => stderr.write(say`oq: clean-up abandoned\n`),
      outlivesWork: options.outlivesWork ?? false,
    },
  );
  progress.stop();
  return { summaries, stoppedBy };
}
