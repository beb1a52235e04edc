import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { formatDiagnostics, plan } from "../../compile.js";
import { settingsForRun, type SettingsFor } from "../compileSettings.js";
import type { ContactActivityRequest } from "../../emit/payloadSchema.js";
import type { QueryPlan } from "../../emit/planSchema.js";
import { runPlan, type PlanSummary } from "../../runner/runPlan.js";
import { parseCliDuration, formatMs } from "../../runner/durations.js";
import { runReport, type RunProgress, type RunSummary } from "../../runner/runReport.js";
import { cleanupBoundMs } from "../../client/backoff.js";
import type { CsvDestination } from "../../runner/csvOutput.js";
import { connect, type ConnectionFlags } from "../connection.js";
import { formatBytes, ProgressLine } from "../progress.js";
import { readInput } from "../input.js";
import { exitCodes, signalExitCodes, type StopSignal } from "../exitCodes.js";
import type { OngageClient } from "../../client/client.js";
import { UsageError } from "../usageError.js";
import { maxReportsFlag } from "../maxReportsFlag.js";
import { cleanupAfterSignalMs, interruptible } from "./interrupt.js";
import { checkedFile, checkFolder, isFolderPath, outputFile } from "../outputPath.js";
import { terminalSafe, terminalSafeJson } from "../terminalText.js";

export interface RunCommandOptions extends ConnectionFlags {
  out?: string;
  detailed?: boolean;
  keep?: boolean;
  pollInterval: string;
  timeout: string;
  json?: boolean;
  color?: boolean;
  /** No summary line per query on stderr. */
  quiet?: boolean;
  /** A query plan (JSON) to run instead of queries. */
  plan?: string;
  /** The most reports a query's plan may take (default: limits.maxReports). */
  maxReports?: string;
}

/** The .oq files named: files as they are, folders searched (recursively) for *.oq. */
function expandTargets(targets: string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith(".oq")) files.push(join(dir, entry.name));
    }
  };
  for (const target of targets) {
    let isDirectory = false;
    try {
      isDirectory = target !== "-" && statSync(target).isDirectory();
    } catch {
      throw new UsageError(`cannot read ${target}: no such file or folder`);
    }
    if (isDirectory) walk(target);
    else files.push(target);
  }
  if (files.length === 0) throw new UsageError(`no .oq files in ${targets.join(", ")}`);
  return files;
}

export function durationFlag(name: string, value: string): number {
  const ms = parseCliDuration(value);
  if (ms === undefined || ms <= 0)
    throw new UsageError(`${name} takes a duration such as 200ms, 2s, 30m or 1h, not '${value}'`);
  return ms;
}

/**
 * Where each query's CSV goes: stdout for one query without --out (and without --json), else
 * files. Checked before anything is sent, so that no report is made for a CSV that cannot be saved.
 */
function destinations(files: string[], options: RunCommandOptions): CsvDestination[] {
  const names = files.map((file) => `${basename(file === "-" ? "stdin" : file).replace(/\.oq$/, "")}.csv`);
  if (files.length === 1 && !options.out) {
    if (!options.json) return [{ kind: "stdout", stream: process.stdout }];
  } else if (files.length === 1) {
    return [{ kind: "file", path: outputFile("--out", options.out!, names[0]!) }];
  }
  const out = options.out ?? ".";
  if (!isFolderPath(out) && existsSync(out))
    throw new UsageError(
      `--out ${out} must be a folder when several queries run (each writes NAME.csv there)`,
    );
  const folder = resolve(out);
  checkFolder("--out", folder, true);
  const clash = names.find((name, index) => names.indexOf(name) !== index);
  if (clash) throw new UsageError(`two queries would both write ${clash}; rename one of them`);
  return names.map((name) => ({ kind: "file", path: checkedFile("--out", join(folder, name)) }));
}

/** A path as the user would write it: relative to the working folder when inside it. */
function shortPath(path: string): string {
  const near = relative(process.cwd(), path);
  return near && !near.startsWith("..") && !isAbsolute(near) ? near : path;
}

/** The line a finished query leaves on stderr, so that logs show what each run did. */
function summaryLine(name: string, summary: RunSummary | PlanSummary): string {
  if ("reports" in summary) return planSummaryLine(name, summary);
  const report =
    summary.reportId === undefined
      ? ""
      : `report ${terminalSafe(summary.reportId)} (${summary.deleted ? "deleted" : "kept"}), `;
  const where = summary.output === "-" ? "stdout" : shortPath(summary.output);
  return `✓ ${terminalSafe(name)}: ${report}${summary.rows.toLocaleString("en-US")} rows, ${formatBytes(summary.bytes)} → ${terminalSafe(where)}, ${summary.calls} API calls, ${formatMs(summary.timings.totalMs)}`;
}

/** The line a finished plan leaves on stderr. */
function planSummaryLine(name: string, summary: PlanSummary): string {
  const ids = summary.reports.map((report) => terminalSafe(report.reportId ?? "?")).join(", ");
  const where = summary.output === "-" ? "stdout" : shortPath(summary.output);
  return `✓ ${terminalSafe(name)}: ${summary.reports.length} reports (${ids}; ${summary.deleted ? "deleted" : "kept"}), ${summary.rows.toLocaleString("en-US")} rows merged, ${formatBytes(summary.bytes)} → ${terminalSafe(where)}, ${summary.calls} API calls, ${formatMs(summary.timings.totalMs)}`;
}

/** The reports a run made: "report 123", or "reports 123, 124" for a plan. */
export function reportWords(summary: RunSummary | PlanSummary): string {
  const ids = ("reports" in summary ? summary.reports.map((report) => report.reportId) : [summary.reportId])
    .filter((id) => id !== undefined)
    .map((id) => terminalSafe(id));
  return ids.length === 0 ? "" : `report${ids.length > 1 ? "s" : ""} ${ids.join(", ")}`;
}

function sayDeleting(name: string, ids: string[]): void {
  process.stderr.write(
    `oq: ${terminalSafe(name)}: deleting report${ids.length > 1 ? "s" : ""} ${ids.map(terminalSafe).join(", ")}\n`,
  );
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
 * Runs reports concurrently, as `oq run` does (and the REPL's `.run`): progress on stderr, a
 * summary line per query, and every signal cleaning up the reports made.
 */
export async function runJobs(
  client: OngageClient,
  jobs: RunJob[],
  options: RunJobsOptions,
): Promise<{ summaries: (RunSummary | PlanSummary)[]; stoppedBy: StopSignal | undefined }> {
  const progress = new ProgressLine();
  let stopping = false;
  // The reports each query is deleting now, to name them if a signal comes meanwhile.
  const deleting = new Map<string, string[]>();
  // The queries whose clean-up after the deadline has been announced (once each).
  const announced = new Set<string>();
  const { result: summaries, stoppedBy } = await interruptible(
    ({ signal, cleanupSignal }) =>
      Promise.all(
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
          };
          const onProgress = (p: RunProgress, report?: number) => {
            progress.update(report === undefined ? name : `${name} #${report + 1}`, p);
            // A plan's clean-up is said once, by the plan, not by each of its reports.
            if (report !== undefined) return;
            if (p.deleting) deleting.set(name, p.deleting);
            else deleting.delete(name);
            // After a signal, the clean-up is said out loud: which reports are being deleted.
            if (stopping && p.deleting && p.deleting.length > 0) sayDeleting(name, p.deleting);
            // So is the clean-up after the deadline, which may outlast it (off a terminal too).
            if (!stopping && p.deleting && p.timedOutAfterMs !== undefined && !announced.has(name)) {
              announced.add(name);
              const what =
                p.deleting.length > 0
                  ? `deleting report${p.deleting.length > 1 ? "s" : ""} ${p.deleting.map(terminalSafe).join(", ")}`
                  : "looking for the report it may have made";
              progress.log(
                `oq: ${terminalSafe(name)}: timed out after ${formatMs(p.timedOutAfterMs)}; ${what} (at most ${formatMs(cleanupBoundMs)}; Ctrl-C to leave ${p.deleting.length > 1 ? "them" : "it"})`,
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
              ? summaryLine(name, summary)
              : `oq: ${terminalSafe(name)}: stopped: ${terminalSafe(summary.error ?? "")}${summary.deleted ? `; ${reportWords(summary)} deleted` : ""}`;
            if (!options.quiet) progress.log(line);
          } else {
            process.stderr.write(
              `${progress.enabled ? "\r\x1b[K" : ""}oq: ${terminalSafe(name)}: ${terminalSafe(summary.error ?? "failed")}\n`,
            );
          }
          for (const id of summary.leftBehind) {
            process.stderr.write(
              `oq: ${terminalSafe(name)}: report ${terminalSafe(id)} is still in Ongage; delete it with: oq reports delete ${terminalSafe(id)}${options.listId ? ` --list-id ${terminalSafe(options.listId)}` : ""}\n`,
            );
          }
          return summary;
        }),
      ),
    {
      onStop: (signal) => {
        stopping = true;
        progress.stop();
        process.stderr.write(
          `\noq: stopping (${signal})${options.keep ? "" : `; deleting the reports this run made (at most ${formatMs(cleanupAfterSignalMs)}; ${signal === "SIGINT" ? "Ctrl-C" : `send ${signal} or press Ctrl-C`} again to leave them)`}\n`,
        );
        for (const [name, ids] of deleting) sayDeleting(name, ids);
      },
      onAbandon: () => process.stderr.write("oq: clean-up abandoned\n"),
      outlivesWork: options.outlivesWork ?? false,
    },
  );
  progress.stop();
  return { summaries, stoppedBy };
}

export async function runCommand(
  targets: string[],
  options: RunCommandOptions,
  settingsFor: SettingsFor,
): Promise<number> {
  const pollIntervalMs = durationFlag("--poll-interval", options.pollInterval);
  const timeoutMs = durationFlag("--timeout", options.timeout);
  const files = expandTargets(targets);
  const outputs = destinations(files, options);

  const maxReports = maxReportsFlag(options.maxReports);
  // Every query compiles (to one request, or a plan of several) before any call is made.
  const work: ({ request: ContactActivityRequest } | { plan: QueryPlan })[] = [];
  let compileFailed = false;
  const inputs = files.map((file) => ({ file, ...readInput(file) }));
  const allSettings = await settingsForRun(settingsFor, inputs);
  for (const [index, input] of inputs.entries()) {
    const settings = allSettings[index]!;
    const limits = maxReports === undefined ? settings.limits : { ...settings.limits, maxReports };
    const result = plan(input.text, { ...settings, ...(limits ? { limits } : {}), fileName: input.name });
    const rendered = formatDiagnostics(result, {
      color: options.color !== false && process.stderr.isTTY === true && !process.env["NO_COLOR"],
    });
    if (rendered) process.stderr.write(rendered);
    if (result.payload) work.push({ request: result.payload });
    else if (result.plan) work.push({ plan: result.plan });
    else compileFailed = true;
  }
  if (compileFailed) {
    process.stderr.write("oq: nothing was sent to Ongage: fix the errors above first\n");
    return exitCodes.failed;
  }

  const client = await connect(options, process.env, process.cwd());
  const { summaries, stoppedBy } = await runJobs(
    client,
    files.map((file, index) => ({ name: basename(file), destination: outputs[index]!, ...work[index]! })),
    { ...options, pollIntervalMs, timeoutMs },
  );
  if (stoppedBy) return signalExitCodes[stoppedBy];
  // Always an array, one summary per query, however many ran.
  if (options.json)
    process.stdout.write(
      `${terminalSafeJson(summaries.map((summary, index) => ({ file: files[index], ...summary })))}\n`,
    );
  // A reader that left (`oq run q.oq | head -1`) took what it wanted: not a failure.
  return summaries.every((summary) => summary.ok || summary.outputClosed) ? exitCodes.ok : exitCodes.failed;
}
