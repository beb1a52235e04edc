import type { Host } from "./host.js";
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
  /** `--list-id` (oq run): the list whose findings apply. */
  listId?: string;
}

export type CompileSettings = Omit<CompileOptions, "fileName">;

/** A query file's settings, and the parameters bound for every query of the run. */
export interface SettingsFor {
  (file: string): Promise<CompileSettings>;
  /** Names bound by --param and --params (not by a NAME.params.json). */
  readonly shared: readonly string[];
}

/**
 * Compile options for a query file from --now/OQ_NOW, --schema/OQ_SCHEMA and the oq.config.json
 * nearest the file (standard input: the working folder), read once per folder, and its
 * parameters. Every command that compiles a file compiles it with these, so that what check,
 * explain and plan show is what run sends. `env` is the shell's environment (only the shells
 * read the process's).
 */
export function compileSettingsFor(
  flags: CompileFlags,
  host: Pick<Host, "env" | "cwd" | "stderr">,
): SettingsFor {
  const { env } = host;
  // Read before anything runs, so that a mistake in them stops oq before the first query.
  const fromFlags = paramFlagSettings(flags.param);
  const fromFile = flags.params === undefined ? undefined : readParamsFile(flags.params);
  const now = nowSetting(flags.now, env);
  const byFolder = new Map<string, Promise<CompileSettings>>();
  // A findings file of another list is said once, however many folders find it.
  const warned = new Set<string>();
  const forFolder = (file: string) => {
    const folder = file === "-" ? host.cwd() : dirname(resolve(host.cwd(), file));
    let settings = byFolder.get(folder);
    if (!settings) {
      settings = loadProjectSettings({
        flag: flags.schema,
        env: env["OQ_SCHEMA"],
        cwd: host.cwd(),
        searchFrom: folder,
        listId: { flag: flags.listId, env: env["ONGAGE_LIST_ID"] },
      }).then(({ findingsWarning, ...project }) => {
        if (findingsWarning !== undefined && !warned.has(findingsWarning)) {
          warned.add(findingsWarning);
          host.stderr.write(`oq: ${findingsWarning}\n`);
        }
        return { ...project, ...(now !== undefined ? { now: now * 1000 } : {}) };
      });
      byFolder.set(folder, settings);
    }
    return settings;
  };
  const settingsFor = async (file: string) => {
    const settings = await forFolder(file);
    // --param wins over --params, which wins over NAME.params.json beside NAME.oq.
    const params = mergeParams(besideQueryParams(file), fromFile, fromFlags);
    return params ? { ...settings, ...params } : settings;
  };
  const shared = Object.keys(mergeParams(fromFile, fromFlags)?.params ?? {});
  return Object.assign(settingsFor, { shared });
}

/**
 * "Now" from --now, else OQ_NOW, in Unix seconds (undefined: the clock's), read as UTC unless an
 * offset is written, as every date in a query; never in the machine's zone.
 */
export function nowSetting(flag: string | undefined, env: NodeJS.ProcessEnv): number | undefined {
  const nowText = flag ?? env["OQ_NOW"];
  const now = nowText === undefined ? undefined : parseNowText(nowText);
  if (nowText !== undefined && now === undefined) {
    throw new UsageError(
      `--now (or OQ_NOW) must be an ISO 8601 time such as 2024-01-31T10:00:00Z (UTC unless an offset is written), not '${nowText}'`,
    );
  }
  return now;
}

/** Whether a query's text may use the parameter `name`: a text that never writes `$name` cannot. */
const named = (name: string, text: string) => new RegExp(`\\$${name}(?![A-Za-z0-9_])`).test(text);

/**
 * `settings` without the values `text` does not name: a session's values (the REPL's) are bound
 * for every query, and one that a query cannot use would warn (OQ271) at each of them.
 */
export function withParamsNamedIn(settings: CompileSettings, text: string): CompileSettings {
  if (!settings.params) return settings;
  const unnamed = Object.keys(settings.params).filter((name) => !named(name, text));
  if (unnamed.length === 0) return settings;
  const params = { ...settings.params };
  for (const name of unnamed) delete params[name];
  return { ...settings, params };
}

/**
 * The settings of each query of a run of several. Values from --param and --params are the
 * run's, not each query's: a query whose text never names one is compiled without it, so that
 * it does not warn (OQ271) once per query; a value that no query names stays bound in the first
 * query only, which warns once. (A query that does not name a value cannot use it, so leaving
 * it out changes nothing else.)
 */
export async function settingsForRun(
  settingsFor: SettingsFor,
  inputs: readonly { file: string; text: string }[],
): Promise<CompileSettings[]> {
  const all = await Promise.all(inputs.map(({ file }) => settingsFor(file)));
  if (inputs.length < 2 || settingsFor.shared.length === 0) return all;
  const nowhere = new Set(settingsFor.shared.filter((name) => !inputs.some(({ text }) => named(name, text))));
  return all.map((settings, index) => {
    const text = inputs[index]!.text;
    const dropped = settingsFor.shared.filter(
      (name) => !named(name, text) && !(index === 0 && nowhere.has(name)),
    );
    if (dropped.length === 0 || !settings.params) return settings;
    const params = { ...settings.params };
    for (const name of dropped) delete params[name];
    return { ...settings, params };
  });
}
