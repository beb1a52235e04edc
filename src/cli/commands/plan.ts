import type { Host } from "../../app/host.js";
import { formatDiagnostics, plan, type PlanResult } from "../../compile.js";
import { diagnosticToJson } from "../../diagnostics/json.js";
import { compileSettingsFor, type CompileFlags } from "../../app/compileSettings.js";
import { useColor } from "../useColor.js";
import { readInput } from "../input.js";
import { exitCodes } from "../../app/exitCodes.js";
import { terminalSafe, terminalSafeJson } from "../../app/terminalText.js";
import { maxReportsFlag } from "../maxReportsFlag.js";

interface PlanFlags extends CompileFlags {
  maxReports?: string;
}

/**
 * `oq plan FILE`: what `oq run` runs for a query. One report: its request body. Several: each
 * report's condition (in oq, as `oq decompile` writes it) and request body, and how their
 * contacts are combined. `--json`: the plan as QueryPlanSchema describes it.
 */
export async function planCommand(file: string, flags: PlanFlags, host: Host): Promise<number> {
  const settings = compileSettingsFor(flags, host);
  const input = await readInput(file, host);
  const options = { ...(await settings(file)), fileName: input.name };
  const maxReports = maxReportsFlag(flags.maxReports);
  if (maxReports !== undefined) options.limits = { ...options.limits, maxReports };
  const result = plan(input.text, options);
  if (flags.json) {
    host.stdout.write(`${terminalSafeJson(planJson(result, input.name))}\n`);
    return result.ok ? exitCodes.ok : exitCodes.failed;
  }
  const diagnostics = formatDiagnostics(result, { color: useColor(flags, host) });
  if (diagnostics) host.stderr.write(diagnostics);
  if (result.payload) {
    host.stdout.write(`One report (what oq compile prints):\n${terminalSafeJson(result.payload)}\n`);
  } else if (result.plan && result.words) {
    const { reports, key, columns } = result.plan;
    const words = result.words;
    const lines = [
      `${reports.length} reports; the contacts in ${words.contacts}.`,
      `One row per contact, told apart by ${key}; columns: ${columns.join(", ")}.`,
    ];
    reports.forEach((report, index) => {
      lines.push("", `report ${index + 1}: ${terminalSafe(words.reports[index]!)}`, terminalSafeJson(report));
    });
    host.stdout.write(`${lines.join("\n")}\n`);
  }
  return result.ok ? exitCodes.ok : exitCodes.failed;
}

function planJson(result: PlanResult, file: string) {
  return {
    file,
    ok: result.ok,
    ...(result.payload ? { reports: [result.payload], combine: { kind: "report", report: 0 } } : {}),
    ...(result.plan ? { ...result.plan, words: result.words } : {}),
    diagnostics: result.diagnostics.map((diagnostic) => diagnosticToJson(diagnostic, file)),
  };
}
