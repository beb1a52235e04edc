import type { Host } from "../../app/host.js";
import { plan } from "../../compile.js";
import { planOfOneReport } from "../../plan/emitPlan.js";
import { planHeading } from "../../plan/describePlan.js";
import { compileSettingsFor, type CompileFlags } from "../../app/compileSettings.js";
import { printDiagnostics } from "../printDiagnostics.js";
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
 * contacts are combined. `--json`: exactly the QueryPlan (src/emit/planSchema.ts) that `oq run
 * --plan` takes back, a query one report says included (a plan of that report); diagnostics
 * stay on stderr, as `oq compile` keeps them beside the request body.
 */
export async function planCommand(file: string, flags: PlanFlags, host: Host): Promise<number> {
  const settings = compileSettingsFor(flags, host);
  const input = await readInput(file, host);
  const options = { ...(await settings(file)), fileName: input.name };
  const maxReports = maxReportsFlag(flags.maxReports);
  if (maxReports !== undefined) options.limits = { ...options.limits, maxReports };
  const result = plan(input.text, options);
  printDiagnostics(result, flags, host);
  if (flags.json) {
    const contract = result.plan ?? (result.payload && planOfOneReport(result.payload));
    if (contract) host.stdout.write(`${terminalSafeJson(contract)}\n`);
  } else if (result.payload) {
    host.stdout.write(`One report (what oq compile prints):\n${terminalSafeJson(result.payload)}\n`);
  } else if (result.plan && result.words) {
    const { reports } = result.plan;
    const words = result.words;
    const lines: string[] = planHeading(result.plan, words);
    reports.forEach((report, index) => {
      lines.push("", `report ${index + 1}: ${terminalSafe(words.reports[index]!)}`, terminalSafeJson(report));
    });
    host.stdout.write(`${lines.join("\n")}\n`);
  }
  return result.ok ? exitCodes.ok : exitCodes.failed;
}
