import { deleteReportCommand } from "../../app/recoveryCommands.js";
import type { Host } from "../../app/host.js";
import { relative } from "node:path";
import { connect, type ConnectionFlags } from "../../app/connection.js";
import { findingsOf, runDoctor } from "../../app/doctor.js";
import { findingsFileText, findingsSavePath } from "../../app/findingsFile.js";
import { durationFlag } from "../../app/durationFlag.js";
import { nowSetting } from "../../app/compileSettings.js";
import { exitCodes, signalExitCodes } from "../../app/exitCodes.js";
import { terminalJson, terminalLine } from "../../app/terminalText.js";
import { writeFileAtomically } from "../writeFile.js";

interface DoctorCommandOptions extends ConnectionFlags {
  save?: boolean;
  json?: boolean;
  pollInterval: string;
  timeout: string;
}

/**
 * `oq doctor [--save] [--json]`: settles the readings on the list (app/doctor.ts), says for each
 * whether it holds, and with --save records what was settled where compiling commands read it.
 * Exit 0 when it ran, whatever it found; 1 when it could not (or left a report behind).
 */
export async function doctorCommand(options: DoctorCommandOptions, host: Host): Promise<number> {
  const pollIntervalMs = durationFlag("--poll-interval", options.pollInterval);
  const timeoutMs = durationFlag("--timeout", options.timeout);
  // The probes' windows end at OQ_NOW, as a query's do (the detailed export looks back from it).
  const now = nowSetting(undefined, host.env);
  const savePath = options.save ? findingsSavePath(host.cwd()) : undefined;
  const client = await connect(options, host.env, host.cwd());
  const say = terminalLine(client.redaction);
  const { report, stoppedBy } = await runDoctor(host, client, {
    pollIntervalMs,
    timeoutMs,
    ...(now !== undefined ? { now: now * 1000 } : {}),
  });
  const findings = findingsOf(report);
  let saved: string | undefined;
  if (savePath !== undefined && report.error === undefined && stoppedBy === undefined) {
    try {
      writeFileAtomically(savePath, findingsFileText(findings, report.listId));
      saved = relative(host.cwd(), savePath) || savePath;
    } catch (error) {
      report.error = `could not write ${savePath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    }
  }
  if (options.json) {
    host.stdout.write(terminalJson(client.redaction, { ...report, findings, ...(saved ? { saved } : {}) }));
  } else {
    const width = Math.max(...report.readings.map(({ reading }) => reading.length), 0);
    for (const { reading, verdict, why } of report.readings)
      host.stdout.write(say`${reading.padEnd(width)}  ${verdict}: ${why}\n`);
  }
  if (report.error !== undefined) host.stderr.write(say`oq doctor: ${report.error}\n`);
  for (const id of report.leftBehind)
    host.stderr.write(
      say`oq doctor: report ${id} is still in Ongage; delete it with: ${deleteReportCommand(id, options.listId)}\n`,
    );
  const deleted = report.leftBehind.length === 0 ? "each deleted" : `${report.leftBehind.length} left behind`;
  host.stderr.write(
    say`oq doctor: ${report.reports} report${report.reports === 1 ? "" : "s"} (${deleted}), ${report.calls} API calls\n`,
  );
  if (saved !== undefined) host.stderr.write(say`oq doctor: wrote the findings to ${saved}\n`);
  if (stoppedBy) return signalExitCodes[stoppedBy];
  return report.error === undefined && report.leftBehind.length === 0 ? exitCodes.ok : exitCodes.failed;
}
