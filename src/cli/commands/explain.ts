import type { Host } from "../../app/host.js";
import { diagnosticToJson } from "../../diagnostics/json.js";
import { explain } from "../../explain/explain.js";
import { compileSettingsFor, type CompileFlags } from "../../app/compileSettings.js";
import { printDiagnostics } from "../printDiagnostics.js";
import { exitCodes } from "../../app/exitCodes.js";
import { readInput } from "../input.js";
import { terminalSafe, terminalSafeJson } from "../../app/terminalText.js";

/**
 * `oq explain FILE`: the query in words on stdout; diagnostics on stderr as `oq check` prints
 * them (or, with --json, everything as one object on stdout, as `oq compile --json`).
 */
export async function explainCommand(file: string, flags: CompileFlags, host: Host): Promise<number> {
  const settings = compileSettingsFor(flags, host);
  const input = await readInput(file, host);
  const result = explain(input.text, { ...(await settings(file)), fileName: input.name });
  if (flags.json) {
    const json = {
      file: input.name,
      ok: result.ok,
      ...(result.explanation ? { explanation: result.explanation } : {}),
      diagnostics: result.diagnostics.map((diagnostic) => diagnosticToJson(diagnostic, input.name)),
    };
    host.stdout.write(`${terminalSafeJson(json)}\n`);
  } else {
    printDiagnostics(result, flags, host);
    // Field names and text values come from the query: shown, never acted on by the terminal.
    if (result.explanation) host.stdout.write(`${terminalSafe(result.explanation.text)}\n`);
  }
  return result.ok ? exitCodes.ok : exitCodes.failed;
}
