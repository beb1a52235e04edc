import type { Host } from "../../app/host.js";
import { QueryPlanSchema, type QueryPlan } from "../../emit/planSchema.js";
import { ContactActivityRequestSchema, type ContactActivityRequest } from "../../emit/payloadSchema.js";
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

/** `oq plan --json` output, as it is: the plan without the report around it (file, ok, words, diagnostics). */
function fromPlanCommand(json: unknown): unknown {
  if (!json || typeof json !== "object" || Array.isArray(json) || !("ok" in json) || !("reports" in json))
    return json;
  const {
    file: _file,
    ok: _ok,
    words: _words,
    diagnostics: _diagnostics,
    ...plan
  } = json as Record<string, unknown>;
  return plan;
}

/**
 * The plan in `path`, checked against the plan contract: a usage error (exit 2) if it is not one.
 * `oq plan --json` of a query one report says holds just that report: it runs as that report.
 */
function readPlan(path: string): { plan: QueryPlan } | { request: ContactActivityRequest } {
  const json = fromPlanCommand(readJson(path, "plan"));
  const single = ContactActivityRequestSchema.safeParse(oneReportOf(json));
  if (single.success) return { request: single.data };
  const parsed = QueryPlanSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join(".") || "(top)"}: ${issue.message}`);
    throw new UsageError(`the plan ${path} is not a valid query plan: ${issues.join("; ")}`);
  }
  return { plan: parsed.data };
}

/** The report of a one-report `oq plan --json` (reports: [body], combine: report 0, no key). */
function oneReportOf(json: unknown): unknown {
  if (!json || typeof json !== "object" || Array.isArray(json)) return undefined;
  const { reports, key, columns } = json as Record<string, unknown>;
  return Array.isArray(reports) && reports.length === 1 && key === undefined && columns === undefined
    ? reports[0]
    : undefined;
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
