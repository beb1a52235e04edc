import type { Host } from "../../app/host.js";
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { formatDiagnostics, plan } from "../../compile.js";
import { settingsForRun, type SettingsFor } from "../../app/compileSettings.js";
import type { ContactActivityRequest } from "../../emit/payloadSchema.js";
import type { QueryPlan } from "../../emit/planSchema.js";
import type { CsvDestination } from "../../runner/csvOutput.js";
import { connect, type ConnectionFlags } from "../../app/connection.js";
import { readInputs } from "../input.js";
import { exitCodes, signalExitCodes } from "../../app/exitCodes.js";
import { UsageError } from "../../app/usageError.js";
import { maxReportsFlag } from "../maxReportsFlag.js";
import { durationFlag } from "../../app/durationFlag.js";
import { runJobs } from "../../app/runJobs.js";
import { checkedFile, checkFolder, isFolderPath, outputFile } from "../../app/outputPath.js";
import { terminalJson } from "../../app/terminalText.js";
import { useColor } from "../useColor.js";

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

/**
 * Where each query's CSV goes: stdout for one query without --out (and without --json), else
 * files. Checked before anything is sent, so that no report is made for a CSV that cannot be saved.
 */
function destinations(files: string[], options: RunCommandOptions, host: Host): CsvDestination[] {
  const names = files.map((file) => `${basename(file === "-" ? "stdin" : file).replace(/\.oq$/, "")}.csv`);
  if (files.length === 1 && !options.out) {
    if (!options.json) return [{ kind: "stdout", stream: host.stdout }];
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

export async function runCommand(
  targets: string[],
  options: RunCommandOptions,
  settingsFor: SettingsFor,
  host: Host,
): Promise<number> {
  const pollIntervalMs = durationFlag("--poll-interval", options.pollInterval);
  const timeoutMs = durationFlag("--timeout", options.timeout);
  const files = expandTargets(targets);
  const outputs = destinations(files, options, host);

  const maxReports = maxReportsFlag(options.maxReports);
  // Every query compiles (to one request, or a plan of several) before any call is made.
  const work: ({ request: ContactActivityRequest } | { plan: QueryPlan })[] = [];
  let compileFailed = false;
  const inputs = await readInputs(files, host);
  const allSettings = await settingsForRun(settingsFor, inputs);
  for (const [index, input] of inputs.entries()) {
    const settings = allSettings[index]!;
    const limits = maxReports === undefined ? settings.limits : { ...settings.limits, maxReports };
    const result = plan(input.text, { ...settings, ...(limits ? { limits } : {}), fileName: input.name });
    const rendered = formatDiagnostics(result, {
      color: useColor(options, host),
    });
    if (rendered) host.stderr.write(rendered);
    if (result.payload) work.push({ request: result.payload });
    else if (result.plan) work.push({ plan: result.plan });
    else compileFailed = true;
  }
  if (compileFailed) {
    host.stderr.write("oq: nothing was sent to Ongage: fix the errors above first\n");
    return exitCodes.failed;
  }

  const client = await connect(options, host.env, host.cwd());
  const { summaries, stoppedBy } = await runJobs(
    host,
    client,
    files.map((file, index) => ({ name: basename(file), destination: outputs[index]!, ...work[index]! })),
    { ...options, pollIntervalMs, timeoutMs },
  );
  // Always an array, one summary per query, however many ran; its ids and errors through the door; after a signal too (what is known).
  if (options.json)
    host.stdout.write(
      terminalJson(
        client.redaction,
        summaries.map((summary, index) => ({ file: files[index], ...summary })),
      ),
    );
  if (stoppedBy) return signalExitCodes[stoppedBy];
  // A reader that left (`oq run q.oq | head -1`) took what it wanted: not a failure.
  return summaries.every((summary) => summary.ok || summary.outputClosed) ? exitCodes.ok : exitCodes.failed;
}
