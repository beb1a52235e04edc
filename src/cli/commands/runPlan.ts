import { QueryPlanSchema, type QueryPlan } from "../../emit/planSchema.js";
import { formatMs } from "../../runner/durations.js";
import { runPlan, type PlanSummary } from "../../runner/runPlan.js";
import type { CsvDestination } from "../../runner/csvOutput.js";
import { connect } from "../connection.js";
import { formatBytes, ProgressLine } from "../progress.js";
import { readJson } from "../readJsonFile.js";
import { exitCodes, signalExitCodes } from "../exitCodes.js";
import { UsageError } from "../usageError.js";
import { cleanupAfterSignalMs, interruptible } from "./interrupt.js";
import { outputFile } from "../outputPath.js";
import { terminalSafe, terminalSafeJson } from "../terminalText.js";
import { basename } from "node:path";
import { durationFlag, sayDeleting, shortPath, type RunCommandOptions } from "./run.js";

/** The plan in `path`, checked against the plan contract: a usage error (exit 2) if it is not one. */
function readPlan(path: string): QueryPlan {
  const parsed = QueryPlanSchema.safeParse(readJson(path, "plan"));
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join(".") || "(top)"}: ${issue.message}`);
    throw new UsageError(`the plan ${path} is not a valid query plan: ${issues.join("; ")}`);
  }
  return parsed.data;
}

/** The line a finished plan leaves on stderr. */
function summaryLine(name: string, summary: PlanSummary): string {
  const ids = summary.reports.map((report) => terminalSafe(report.reportId ?? "?")).join(", ");
  const where = summary.output === "-" ? "stdout" : shortPath(summary.output);
  return `✓ ${terminalSafe(name)}: ${summary.reports.length} reports (${ids}; ${summary.deleted ? "deleted" : "kept"}), ${summary.rows.toLocaleString("en-US")} rows merged, ${formatBytes(summary.bytes)} → ${terminalSafe(where)}, ${summary.calls} API calls, ${formatMs(summary.timings.totalMs)}`;
}

/** `oq run --plan FILE.json`: the plan's reports, merged into one CSV (docs/running.md, "Plans"). */
export async function runPlanCommand(targets: string[], options: RunCommandOptions): Promise<number> {
  if (options.plan === undefined)
    throw new UsageError("oq run needs queries (.oq files or folders) or --plan FILE");
  if (targets.length > 0) throw new UsageError("oq run --plan runs one plan: give no queries beside it");
  const pollIntervalMs = durationFlag("--poll-interval", options.pollInterval);
  const timeoutMs = durationFlag("--timeout", options.timeout);
  const plan = readPlan(options.plan);
  const name = basename(options.plan);
  const csvName = `${name.replace(/\.json$/, "")}.csv`;
  const destination: CsvDestination =
    options.out === undefined && !options.json
      ? { kind: "stdout", stream: process.stdout }
      : { kind: "file", path: outputFile("--out", options.out ?? ".", csvName) };

  const progress = new ProgressLine();
  const client = await connect(options, process.env, process.cwd());
  let stopping = false;
  const { result: summary, stoppedBy } = await interruptible(
    ({ signal, cleanupSignal }) =>
      runPlan({
        client,
        plan,
        destination,
        detailed: options.detailed ?? false,
        keep: options.keep ?? false,
        pollIntervalMs,
        timeoutMs,
        signal,
        cleanupSignal,
        onProgress: (p) => {
          const label = p.report === undefined ? name : `${name} #${p.report + 1}`;
          progress.update(label, { ...p, state: p.state === "merging" ? "downloading" : p.state });
          // After a signal, the clean-up is said out loud: which reports are being deleted.
          if (stopping && p.report === undefined && p.deleting && p.deleting.length > 0)
            sayDeleting(name, p.deleting);
        },
      }),
    {
      onStop: (signal) => {
        stopping = true;
        progress.stop();
        process.stderr.write(
          `\noq: stopping (${signal})${options.keep ? "" : `; deleting the reports this run made (at most ${formatMs(cleanupAfterSignalMs)}; ${signal === "SIGINT" ? "Ctrl-C" : `send ${signal} or press Ctrl-C`} again to leave them)`}\n`,
        );
      },
      onAbandon: () => process.stderr.write("oq: clean-up abandoned\n"),
    },
  );
  progress.stop();
  if (summary.ok) {
    if (!options.quiet) progress.log(summaryLine(name, summary));
  } else if (summary.outputClosed) {
    if (!options.quiet)
      progress.log(`oq: ${terminalSafe(name)}: stopped: ${terminalSafe(summary.error ?? "")}`);
  } else {
    process.stderr.write(`oq: ${terminalSafe(name)}: ${terminalSafe(summary.error ?? "failed")}\n`);
  }
  for (const id of summary.leftBehind)
    process.stderr.write(
      `oq: ${terminalSafe(name)}: report ${terminalSafe(id)} is still in Ongage; delete it with: oq reports delete ${terminalSafe(id)}${options.listId ? ` --list-id ${terminalSafe(options.listId)}` : ""}\n`,
    );
  if (stoppedBy) return signalExitCodes[stoppedBy];
  if (options.json) process.stdout.write(`${terminalSafeJson([{ file: options.plan, ...summary }])}\n`);
  return summary.ok || summary.outputClosed ? exitCodes.ok : exitCodes.failed;
}
