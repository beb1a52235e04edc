import { basename, dirname } from "node:path";
import type { CompileOptions } from "../compile.js";
import { parseNowText } from "../check/time.js";
import { findConfigPath } from "../app/findConfigFile.js";
import { besideQueryParams } from "../app/paramFlags.js";
import { loadProjectSettings } from "../app/projectSettings.js";

/*
 * A document's compile settings, found as `oq check` finds them for a file at that path (the
 * command line's own readers: cli/projectSettings.ts, cli/paramFlags.ts), read afresh for each
 * check so that an edit to oq.config.json, the schema or NAME.params.json counts at once. A
 * mistake in one of them is a problem to show, not a reason to stop: the query is checked with
 * what could be read.
 */

/** The server's environment, as `oq check` would read it. */
export interface SettingsEnvironment {
  /** OQ_SCHEMA, OQ_NOW and ONGAGE_LIST_ID (whose findings apply). */
  env: Readonly<Record<string, string | undefined>>;
  /** What OQ_SCHEMA is relative to. */
  cwd: string;
}

export interface DocumentSettings {
  options: CompileOptions;
  /** What could not be read (each message names its file), for one diagnostic. */
  problems: string[];
  /** Where custom fields come from, for hover. */
  schemaName?: string;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Settings for the query file at `path` (undefined: a document not saved to a file). */
export async function documentSettings(
  path: string | undefined,
  environment: SettingsEnvironment,
): Promise<DocumentSettings> {
  const problems: string[] = [];
  const options: CompileOptions = { fileName: path === undefined ? "<query>" : basename(path) };
  const folder = path === undefined ? environment.cwd : dirname(path);
  const schemaEnv = environment.env["OQ_SCHEMA"];
  let schemaName: string | undefined;
  try {
    const project = await loadProjectSettings({
      env: schemaEnv,
      cwd: environment.cwd,
      searchFrom: folder,
      listId: { env: environment.env["ONGAGE_LIST_ID"] },
    });
    // The account's readings (oq doctor --save), as `oq check` uses them: OQ243 and the plans.
    if (project.findings) options.findings = project.findings;
    if (project.findingsWarning !== undefined) problems.push(project.findingsWarning);
    if (project.fields) {
      options.fields = project.fields;
      schemaName = schemaEnv ? `OQ_SCHEMA (${schemaEnv})` : `the schema named in ${findConfigPath(folder)}`;
    }
    if (project.requestFlags) options.requestFlags = project.requestFlags;
  } catch (error) {
    problems.push(messageOf(error));
  }
  const nowText = environment.env["OQ_NOW"];
  if (nowText !== undefined) {
    const now = parseNowText(nowText);
    if (now === undefined) problems.push(`OQ_NOW must be an ISO 8601 time, not '${nowText}'`);
    else options.now = now * 1000;
  }
  if (path !== undefined) {
    try {
      const params = besideQueryParams(path);
      if (params) Object.assign(options, params);
    } catch (error) {
      problems.push(messageOf(error));
    }
  }
  return { options, problems, ...(schemaName ? { schemaName } : {}) };
}
