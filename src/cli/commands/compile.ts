import type { Host } from "../../app/host.js";
import { terminalSafeJson } from "../../app/terminalText.js";
import { compile, type CompileResult, plan, type PlanResult } from "../../compile.js";
import { diagnosticToJson } from "../../diagnostics/json.js";
import { compileSettingsFor, settingsForRun, type CompileFlags } from "../../app/compileSettings.js";
import { printDiagnostics } from "../printDiagnostics.js";
import { readInput, readInputs } from "../input.js";
import { exitCodes } from "../../app/exitCodes.js";

function resultJson(result: CompileResult | PlanResult, file: string, withPayload: boolean) {
  return {
    file,
    ok: result.ok,
    ...(withPayload && result.payload ? { payload: result.payload } : {}),
    diagnostics: result.diagnostics.map((diagnostic) => diagnosticToJson(diagnostic, file)),
  };
}

/** `oq compile FILE`: the payload on stdout, diagnostics on stderr. */
export async function compileCommand(
  file: string,
  flags: CompileFlags & { compact?: boolean },
  host: Host,
): Promise<number> {
  const settings = compileSettingsFor(flags, host);
  const input = await readInput(file, host);
  const result = compile(input.text, { ...(await settings(file)), fileName: input.name });
  const compact = flags.compact === true;
  if (flags.json) {
    host.stdout.write(`${terminalSafeJson(resultJson(result, input.name, true), { compact })}\n`);
  } else {
    printDiagnostics(result, flags, host);
    if (result.payload) host.stdout.write(`${terminalSafeJson(result.payload, { compact })}\n`);
  }
  return result.ok ? exitCodes.ok : exitCodes.failed;
}

/** `oq check FILE...`: diagnostics only, for the queries as `oq run` would run them. */
export async function checkCommand(files: string[], flags: CompileFlags, host: Host): Promise<number> {
  const inputs = await readInputs(files, host);
  const settings = await settingsForRun(compileSettingsFor(flags, host), inputs);
  const results = inputs.map((input, index) => ({
    file: input.name,
    // As `oq run` takes it: a query that needs a plan of several reports is fine.
    result: plan(input.text, { ...settings[index]!, fileName: input.name }),
  }));
  if (flags.json) {
    host.stdout.write(
      `${terminalSafeJson(results.map(({ file, result }) => resultJson(result, file, false)))}\n`,
    );
  } else {
    for (const { result } of results) printDiagnostics(result, flags, host);
    if (results.every(({ result }) => result.ok))
      host.stderr.write(`${files.length} ${files.length === 1 ? "query" : "queries"} ok\n`);
  }
  return results.every(({ result }) => result.ok) ? exitCodes.ok : exitCodes.failed;
}
