import { dirname, resolve } from "node:path";
import { formatDiagnostics } from "../../compile.js";
import { decompile } from "../../format/decompile.js";
import { format } from "../../format/format.js";
import { useColor } from "../useColor.js";
import { loadProjectSettings } from "../../app/projectSettings.js";
import { readInput } from "../input.js";
import { exitCodes } from "../../app/exitCodes.js";
import { UsageError } from "../../app/usageError.js";
import { writeFileAtomically } from "../writeFile.js";

/** `oq fmt FILE...`: print, --write or --check the canonical layout. */
export function fmtCommand(
  files: string[],
  flags: { write?: boolean; check?: boolean; color?: boolean },
): number {
  if (flags.write && files.includes("-")) throw new UsageError("--write cannot rewrite standard input");
  let failed = false;
  for (const file of files) {
    const input = readInput(file);
    const result = format(input.text, { fileName: input.name });
    if (result.formatted === undefined) {
      process.stderr.write(formatDiagnostics(result, { color: useColor(flags) }));
      failed = true;
    } else if (flags.check) {
      if (result.formatted !== input.text) {
        process.stderr.write(`${input.name}: not formatted\n`);
        failed = true;
      }
    } else if (flags.write) {
      if (result.formatted !== input.text) writeFileAtomically(file, result.formatted);
    } else {
      process.stdout.write(result.formatted);
    }
  }
  return failed ? exitCodes.failed : exitCodes.ok;
}

/**
 * `oq decompile FILE`: a request body (JSON) back into a query, checked against the field
 * schema `oq compile` would use for a query in that folder (--schema, OQ_SCHEMA, oq.config.json).
 */
export async function decompileCommand(file: string, flags: { schema?: string } = {}): Promise<number> {
  const folder = file === "-" ? process.cwd() : dirname(resolve(file));
  const { fields } = await loadProjectSettings({
    flag: flags.schema,
    env: process.env["OQ_SCHEMA"],
    cwd: process.cwd(),
    searchFrom: folder,
  });
  const input = readInput(file);
  let json: unknown;
  try {
    json = JSON.parse(input.text);
  } catch (error) {
    process.stderr.write(`${input.name}: not valid JSON: ${(error as Error).message}\n`);
    return exitCodes.failed;
  }
  const result = decompile(json, fields ? { fields } : {});
  for (const problem of result.problems) process.stderr.write(`${input.name}: error: ${problem}\n`);
  for (const warning of result.warnings) process.stderr.write(`${input.name}: warning: ${warning}\n`);
  if (result.source) process.stdout.write(result.source);
  return result.source ? exitCodes.ok : exitCodes.failed;
}
