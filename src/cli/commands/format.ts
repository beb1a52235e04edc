import type { Host } from "../../app/host.js";
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
export async function fmtCommand(
  files: string[],
  flags: { write?: boolean; check?: boolean; color?: boolean },
  host: Host,
): Promise<number> {
  if (flags.write && files.includes("-")) throw new UsageError("--write cannot rewrite standard input");
  let failed = false;
  for (const file of files) {
    const input = await readInput(file, host);
    const result = format(input.text, { fileName: input.name });
    if (result.formatted === undefined) {
      host.stderr.write(formatDiagnostics(result, { color: useColor(flags, host) }));
      failed = true;
    } else if (flags.check) {
      if (result.formatted !== input.text) {
        host.stderr.write(`${input.name}: not formatted\n`);
        failed = true;
      }
    } else if (flags.write) {
      if (result.formatted !== input.text) writeFileAtomically(file, result.formatted);
    } else {
      host.stdout.write(result.formatted);
    }
  }
  return failed ? exitCodes.failed : exitCodes.ok;
}

/**
 * `oq decompile FILE`: a request body (JSON) back into a query, checked against the field
 * schema `oq compile` would use for a query in that folder (--schema, OQ_SCHEMA, oq.config.json).
 */
export async function decompileCommand(
  file: string,
  flags: { schema?: string } = {},
  host: Host,
): Promise<number> {
  const folder = file === "-" ? host.cwd() : dirname(resolve(file));
  const { fields } = await loadProjectSettings({
    flag: flags.schema,
    env: host.env["OQ_SCHEMA"],
    cwd: host.cwd(),
    searchFrom: folder,
  });
  const input = await readInput(file, host);
  let json: unknown;
  try {
    json = JSON.parse(input.text);
  } catch (error) {
    host.stderr.write(`${input.name}: not valid JSON: ${(error as Error).message}\n`);
    return exitCodes.failed;
  }
  const result = decompile(json, fields ? { fields } : {});
  for (const problem of result.problems) host.stderr.write(`${input.name}: error: ${problem}\n`);
  for (const warning of result.warnings) host.stderr.write(`${input.name}: warning: ${warning}\n`);
  if (result.source) host.stdout.write(result.source);
  return result.source ? exitCodes.ok : exitCodes.failed;
}
