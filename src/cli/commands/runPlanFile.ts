import type { Host } from "../../app/host.js";
import { oneReportOf, readQueryPlan, type QueryPlan } from "../../emit/planSchema.js";
import type { ContactActivityRequest } from "../../emit/payloadSchema.js";
import type { CsvDestination } from "../../runner/csvOutput.js";
import { connect } from "../../app/connection.js";
import { readJson } from "../../app/readJsonFile.js";
import { exitCodes, signalExitCodes } from "../../app/exitCodes.js";
import { UsageError } from "../../app/usageError.js";
import { outputFile } from "../../app/outputPath.js";
import { terminalJson } from "../../app/terminalText.js";
import { basename } from "node:path";
import { durationFlag } from "../../app/durationFlag.js";
import { runJobs } from "../../app/runJobs.js";
import type { RunCommandOptions } from "./run.js";

/**
 * The plan in `path`, checked against the plan contract before anything is created: a usage
 * error (exit 2) with the reasons if it is not one. A plan that is one report with its own
 * columns (what `oq plan --json` prints for a query one report says) runs as that report.
 */
function readPlan(path: string): { plan: QueryPlan } | { request: ContactActivityRequest } {
  const read = readQueryPlan(readJson(path, "plan"));
  if ("problems" in read)
    throw new UsageError(`the plan ${path} is not a valid query plan: ${read.problems.join("; ")}`);
  const request = oneReportOf(read.plan);
  return request ? { request } : read;
}

/** `oq run --plan FILE.json`: the plan's reports, merged into one CSV (docs/running.md, "Plans"). */
export async function runPlanFileCommand(
  targets: string[],
  options: RunCommandOptions,
  host: Host,
): Promise<number> {
  if (options.plan === undefined)
    throw new UsageError("oq run needs queries (.oq files or folders) or --plan FILE");
  if (targets.length > 0) throw new UsageError("oq run --plan runs one plan: give no queries beside it");
  const pollIntervalMs = durationFlag("--poll-interval", options.pollInterval);
  const timeoutMs = durationFlag("--timeout", options.timeout);
  const work = readPlan(options.plan);
  const name = basename(options.plan);
  const csvName = `${name.replace(/\.json$/, "")}.csv`;
  const destination: CsvDestination =
    options.out === undefined && !options.json
      ? { kind: "stdout", stream: host.stdout }
      : { kind: "file", path: outputFile("--out", options.out ?? ".", csvName) };

  const client = await connect(options, host.env, host.cwd());
  const { summaries, stoppedBy } = await runJobs(host, client, [{ name, destination, ...work }], {
    ...options,
    pollIntervalMs,
    timeoutMs,
  });
  const summary = summaries[0]!;
  // After a signal too: what is known (the reports made, and whether they were deleted).
  if (options.json) host.stdout.write(terminalJson(client.redaction, [{ file: options.plan, ...summary }]));
  if (stoppedBy) return signalExitCodes[stoppedBy];
  return summary.ok || summary.outputClosed ? exitCodes.ok : exitCodes.failed;
}
