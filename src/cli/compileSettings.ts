import { dirname, resolve } from "node:path";
import type { CompileOptions } from "../compile.js";
import { parseNowText } from "../check/time.js";
import { loadProjectSettings } from "./projectSettings.js";
import { UsageError } from "./usageError.js";
import { besideQueryParams, mergeParams, paramFlagSettings, readParamsFile } from "./paramFlags.js";

/** The options every compiling command shares. */
export interface CompileFlags {
  schema?: string;
  now?: string;
  json?: boolean;
  color?: boolean;
  /** `--param name=value` / `name:=JSON`, repeatable. */
  param?: string[];
  /** `--params FILE.json`. */
  params?: string;
}

export type CompileSettings = Omit<CompileOptions, "fileName">;

/**
 * Compile options for a query file from --now/OQ_NOW, --schema/OQ_SCHEMA and the oq.config.json
 * nearest the file (standard input: the working folder), read once per folder, and its
 * parameters. Every command that compiles a file compiles it with these, so that what check,
 * explain and plan show is what run sends.
 */
export function compileSettingsFor(flags: CompileFlags): (file: string) => Promise<CompileSettings> {
  // Read before anything runs, so that a mistake in them stops oq before the first query.
  const fromFlags = paramFlagSettings(flags.param);
  const fromFile = flags.params === undefined ? undefined : readParamsFile(flags.params);
  const nowText = flags.now ?? process.env["OQ_NOW"];
  // Read as UTC unless an offset is written, as every date in a query; never in the machine's zone.
  const now = nowText === undefined ? undefined : parseNowText(nowText);
  if (nowText !== undefined && now === undefined) {
    throw new UsageError(
      `--now (or OQ_NOW) must be an ISO 8601 time such as 2024-01-31T10:00:00Z (UTC unless an offset is written), not '${nowText}'`,
    );
  }
  const byFolder = new Map<string, Promise<CompileSettings>>();
  const forFolder = (file: string) => {
    const folder = file === "-" ? process.cwd() : dirname(resolve(file));
    let settings = byFolder.get(folder);
    if (!settings) {
      settings = loadProjectSettings({
        flag: flags.schema,
        env: process.env["OQ_SCHEMA"],
        cwd: process.cwd(),
        searchFrom: folder,
      }).then((project) => ({
        ...project,
        ...(now !== undefined ? { now: now * 1000 } : {}),
      }));
      byFolder.set(folder, settings);
    }
    return settings;
  };
  return async (file) => {
    const settings = await forFolder(file);
    // --param wins over --params, which wins over NAME.params.json beside NAME.oq.
    const params = mergeParams(besideQueryParams(file), fromFile, fromFlags);
    return params ? { ...settings, ...params } : settings;
  };
}

/** Colours on stderr: only on a terminal, and never with NO_COLOR or --no-color. */
export function useColor(flags: { color?: boolean }): boolean {
  return flags.color !== false && process.stderr.isTTY === true && !process.env["NO_COLOR"];
}
