import { terminalSafeJson } from "../../app/terminalText.js";
import { compile, formatDiagnostics, type CompileResult, plan, type PlanResult } from "../../compile.js";
import { diagnosticToJson } from "../../diagnostics/json.js";
import { compileSettingsFor, settingsForRun, type CompileFlags } from "../../app/compileSettings.js";
import { useColor } from "../useColor.js";
import { readInput } from "../input.js";
import { exitCodes } from "../../app/exitCodes.js";

function resultJson(result: CompileResult | PlanResult, file: string, withPayload: boolean) {
  return {
    file,
    ok: result.ok,
    ...(withPayload && result.payload ? { payload: result.payload } : {}),
    diagnostics: result.diagnostics.map((diagnostic) => diagnosticToJson(diagnostic, file)),
  };
}

function printDiagnostics(result: CompileResult | PlanResult, flags: CompileFlags): void {
  const text = formatDiagnostics(result, { color: useColor(flags) });
  if (text) process.stderr.write(text);
}

/** `oq compile FILE`: the payload on stdout, diagnostics on stderr. */
export async function compileCommand(
  file: string,
  flags: CompileFlags & { compact?: boolean },
): Promise<number> {
  const settings = compileSettingsFor(flags, process.env);
  const input = readInput(file);
  const result = compile(input.text, { ...(await settings(file)), fileName: input.name });
  const compact = flags.compact === true;
  if (flags.json) {
    process.stdout.write(`${terminalSafeJson(resultJson(result, input.name, true), { compact })}\n`);
  } else {
    printDiagnostics(result, flags);
    if (result.payload) process.stdout.write(`${terminalSafeJson(result.payload, { compact })}\n`);
  }
  return result.ok ? exitCodes.ok : exitCodes.failed;
}

/** `oq check FILE...`: diagnostics only, for the queries as `oq run` would run them. */
export async function checkCommand(files: string[], flags: CompileFlags): Promise<number> {
  const inputs = files.map((file) => ({ file, ...readInput(file) }));
  const settings = await settingsForRun(compileSettingsFor(flags, process.env), inputs);
  const results = inputs.map((input, index) => ({
    file: input.name,
    // As `oq run` takes it: a query that needs a plan of several reports is fine.
    result: plan(input.text, { ...settings[index]!, fileName: input.name }),
  }));
  if (flags.json) {
    process.stdout.write(
      `${terminalSafeJson(results.map(({ file, result }) => resultJson(result, file, false)))}\n`,
    );
  } else {
    for (const { result } of results) printDiagnostics(result, flags);
    if (results.every(({ result }) => result.ok))
      process.stderr.write(`${files.length} ${files.length === 1 ? "query" : "queries"} ok\n`);
  }
  return results.every(({ result }) => result.ok) ? exitCodes.ok : exitCodes.failed;
}
