import type { CompileOptions } from "../compile.js";
import { loadProjectSettings } from "./config.js";
import { UsageError } from "./usageError.js";

/** The options every compiling command shares. */
export interface CompileFlags {
  schema?: string;
  now?: string;
  json?: boolean;
  color?: boolean;
}

/** Compile options from --now/OQ_NOW, --schema/OQ_SCHEMA and oq.config.json. */
export async function compileSettings(flags: CompileFlags): Promise<Omit<CompileOptions, "fileName">> {
  const now = flags.now ?? process.env["OQ_NOW"];
  if (now !== undefined && Number.isNaN(new Date(now).getTime())) {
    throw new UsageError(`--now (or OQ_NOW) must be an ISO 8601 time such as 2024-01-31T10:00:00Z, not '${now}'`);
  }
  const settings = await loadProjectSettings({ flag: flags.schema, env: process.env["OQ_SCHEMA"], cwd: process.cwd() });
  const result: Omit<CompileOptions, "fileName"> = { ...settings };
  if (now !== undefined) result.now = now;
  return result;
}

/** Colours on stderr: only on a terminal, and never with NO_COLOR or --no-color. */
export function useColor(flags: { color?: boolean }): boolean {
  return flags.color !== false && process.stderr.isTTY === true && !process.env["NO_COLOR"];
}
