import { resolve } from "node:path";
import { reportState } from "../../client/envelope.js";
import { OngageError } from "../../client/errors.js";
import { CsvDownload } from "../../runner/csvOutput.js";
import { connect, type ConnectionFlags } from "../connection.js";
import { ProgressLine } from "../progress.js";
import { interruptible } from "./interrupt.js";
import { exitCodes, signalExitCodes } from "../usageError.js";

/*
 * `oq reports ...`: the report calls one at a time, for reports made elsewhere (the Ongage UI,
 * another tool, or `oq run --keep`).
 */

export interface ListOptions extends ConnectionFlags {
  sort?: string;
  order?: string;
  offset?: string;
  limit?: string;
  json?: boolean;
}

function wholeNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new OngageError("config", `${name} takes a whole number, not '${value}'`);
  return Number(value);
}

export async function listReports(options: ListOptions): Promise<number> {
  const client = await connect(options, process.env, process.cwd());
  const order = options.order?.toUpperCase();
  const { reports, total } = await client.listReports({
    ...(options.sort ? { sort: options.sort } : {}),
    ...(order === "ASC" || order === "DESC" ? { order } : {}),
    ...(options.offset ? { offset: wholeNumber("--offset", options.offset)! } : {}),
    ...(options.limit ? { limit: wholeNumber("--limit", options.limit)! } : {}),
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ total, reports }, null, 2)}\n`);
    return exitCodes.ok;
  }
  const rows = reports.map((r) => [r.id, r.status_desc ?? String(r.status), r.title ?? ""]);
  const widths = [2, 6].map((min, i) => Math.max(min, ...rows.map((row) => row[i]!.length)));
  process.stdout.write(`${"ID".padEnd(widths[0]!)}  ${"STATUS".padEnd(widths[1]!)}  TITLE\n`);
  for (const row of rows) process.stdout.write(`${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padEnd(widths[1]!)}  ${row[2]}\n`);
  if (total !== undefined && total > reports.length) process.stderr.write(`(${reports.length} of ${total}; use --offset and --limit for more)\n`);
  return exitCodes.ok;
}

export async function reportStatus(id: string, options: ConnectionFlags & { json?: boolean }): Promise<number> {
  const client = await connect(options, process.env, process.cwd());
  const report = await client.getReport(id);
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${report.id}  ${report.status_desc ?? reportState(report.status)} (status ${report.status})  ${report.title ?? ""}\n`);
  return reportState(report.status) === "failed" ? exitCodes.failed : exitCodes.ok;
}

export async function exportReport(id: string, options: ConnectionFlags & { detailed?: boolean; out?: string }): Promise<number> {
  const client = await connect(options, process.env, process.cwd());
  const report = await client.getReport(id);
  if (reportState(report.status) !== "completed") {
    process.stderr.write(`oq: report ${id} is ${report.status_desc ?? `in status ${report.status}`}, not completed; nothing to export yet\n`);
    return exitCodes.failed;
  }
  const file = new CsvDownload(options.out ? { kind: "file", path: resolve(options.out) } : { kind: "stdout", stream: process.stdout });
  const progress = new ProgressLine();
  const { stoppedBy } = await interruptible(
    async ({ signal }) => {
      try {
        await file.receive(await client.exportReport(id, { detailed: options.detailed ?? false, signal }), undefined, signal);
        await file.commit();
      } catch (error) {
        await file.discard();
        if (!signal.aborted) throw error;
      }
    },
    {
      onStop: (signal) => {
        progress.stop();
        process.stderr.write(`\noq: stopping (${signal}); no CSV written\n`);
      },
    },
  );
  if (stoppedBy) return signalExitCodes[stoppedBy];
  if (process.stderr.isTTY && options.out) process.stderr.write(`${file.counter.rows} rows → ${options.out}\n`);
  return exitCodes.ok;
}

export async function deleteReport(id: string, options: ConnectionFlags): Promise<number> {
  const client = await connect(options, process.env, process.cwd());
  await client.deleteReport(id);
  if (process.stderr.isTTY) process.stderr.write(`deleted report ${id}\n`);
  return exitCodes.ok;
}
