import type { Host } from "../../app/host.js";
import { reportState } from "../../client/envelope.js";
import { OngageError } from "../../client/errors.js";
import { CsvSaveError, type CsvDestination } from "../../runner/csvOutput.js";
import { downloadReport } from "../../runner/downloadReport.js";
import { outputFile } from "../../app/outputPath.js";
import { terminalJson, terminalLine } from "../../app/terminalText.js";
import { connect, type ConnectionFlags } from "../../app/connection.js";
import { ProgressLine } from "../../app/progress.js";
import { interruptible } from "../../app/interrupt.js";
import { exitCodes, signalExitCodes } from "../../app/exitCodes.js";
import { wholeNumberFlag } from "../wholeNumberFlag.js";

/*
 * `oq reports ...`: the report calls one at a time, for reports made elsewhere (the Ongage UI,
 * another tool, or `oq run --keep`). Ids, statuses and titles are the server's words: every line
 * is made by the client's door (`say`, terminalLine; `--json` through terminalJson).
 */

interface ListOptions extends ConnectionFlags {
  sort?: string;
  order?: string;
  offset?: string;
  limit?: string;
  json?: boolean;
}

export async function listReports(options: ListOptions, host: Host): Promise<number> {
  const client = await connect(options, host.env, host.cwd());
  const order = options.order?.toUpperCase();
  const { reports, total } = await client.listReports({
    ...(options.sort ? { sort: options.sort } : {}),
    ...(order === "ASC" || order === "DESC" ? { order } : {}),
    ...(options.offset ? { offset: wholeNumberFlag("--offset", options.offset) } : {}),
    ...(options.limit ? { limit: wholeNumberFlag("--limit", options.limit) } : {}),
  });
  if (options.json) {
    host.stdout.write(terminalJson(client.redaction, { total, reports }));
    return exitCodes.ok;
  }
  const say = terminalLine(client.redaction);
  const rows = reports.map((r) => [say`${r.id}`, say`${r.status_desc ?? r.status}`, say`${r.title ?? ""}`]);
  const widths = [2, 6].map((min, i) => Math.max(min, ...rows.map((row) => row[i]!.length)));
  host.stdout.write(say`${"ID".padEnd(widths[0]!)}  ${"STATUS".padEnd(widths[1]!)}  TITLE\n`);
  for (const [id, status, title] of rows)
    host.stdout.write(say`${id!.padEnd(widths[0]!)}  ${status!.padEnd(widths[1]!)}  ${title!}\n`);
  if (total !== undefined && total > reports.length)
    host.stderr.write(say`(${reports.length} of ${total}; use --offset and --limit for more)\n`);
  return exitCodes.ok;
}

export async function reportStatus(
  id: string,
  options: ConnectionFlags & { json?: boolean },
  host: Host,
): Promise<number> {
  const client = await connect(options, host.env, host.cwd());
  const report = await client.getReport(id);
  const say = terminalLine(client.redaction);
  if (options.json) host.stdout.write(terminalJson(client.redaction, report));
  else
    host.stdout.write(
      say`${report.id}  ${report.status_desc ?? reportState(report.status)} (status ${report.status})  ${report.title ?? ""}\n`,
    );
  return reportState(report.status) === "failed" ? exitCodes.failed : exitCodes.ok;
}

export async function exportReport(
  id: string,
  options: ConnectionFlags & { detailed?: boolean; out?: string },
  host: Host,
): Promise<number> {
  // Checked before any call: a bad --out is a usage error, not a failed download.
  const destination: CsvDestination = options.out
    ? { kind: "file", path: outputFile("--out", options.out, `${id}.csv`) }
    : { kind: "stdout", stream: host.stdout };
  const client = await connect(options, host.env, host.cwd());
  const say = terminalLine(client.redaction);
  const progress = new ProgressLine(host.stderr);
  const { result: outcome, stoppedBy } = await interruptible(
    host,
    async ({ signal }) => {
      try {
        return await downloadReport({
          client,
          reportId: id,
          destination,
          detailed: options.detailed ?? false,
          signal,
        });
      } catch (error) {
        return error as Error;
      }
    },
    {
      onStop: (signal) => {
        progress.stop();
        host.stderr.write(say`\noq: stopping (${signal}); no CSV written\n`);
      },
    },
  );
  if (stoppedBy) return signalExitCodes[stoppedBy];
  if (outcome instanceof Error) {
    // A reader that left (`oq reports export ID | head`) took what it wanted.
    if (outcome instanceof CsvSaveError && outcome.readerLeft) return exitCodes.ok;
    // A wrong invocation (an id that cannot be a report's) is the command's usage error.
    if (outcome instanceof OngageError && outcome.kind === "config") throw outcome;
    // The report is looked up only when Ongage refused its export (a download that works needs
    // no call more), to say so when it is not completed.
    const report =
      outcome instanceof OngageError && outcome.kind === "api"
        ? await client.getReport(id).catch(() => undefined)
        : undefined;
    if (report && reportState(report.status) !== "completed") {
      host.stderr.write(
        say`oq: report ${id} is ${report.status_desc ?? `in status ${report.status}`}, not completed; nothing to export yet\n`,
      );
      return exitCodes.failed;
    }
    host.stderr.write(say`oq: report ${id}: ${outcome.message}\n`);
    return exitCodes.failed;
  }
  // \u2192 (an arrow): a tagged template keeps its characters as written, and reports.cjs is ASCII.
  if (host.stderr.isTTY && options.out) host.stderr.write(say`${outcome.rows} rows \u2192 ${options.out}\n`);
  return exitCodes.ok;
}

export async function deleteReport(id: string, options: ConnectionFlags, host: Host): Promise<number> {
  const client = await connect(options, host.env, host.cwd());
  await client.deleteReport(id);
  if (host.stderr.isTTY) host.stderr.write(terminalLine(client.redaction)`deleted report ${id}\n`);
  return exitCodes.ok;
}
