import { dirname, resolve } from "node:path";
import type { CustomFields } from "../check/fieldCatalog.js";
import type { RequestFlags } from "../emit/emit.js";
import { UsageError } from "./usageError.js";
import { findConfigPath } from "./findConfigFile.js";
import { readJson } from "./readJsonFile.js";
import { loadFindings } from "./findingsFile.js";
import type { Findings } from "../language/readings.js";

/*
 * The project settings a compile uses (custom fields, request flags). The config file's
 * validation (zod) is loaded only when there is a file to validate, so that a plain
 * `oq compile` does not pay for it at start-up.
 */

interface SchemaSources {
  flag?: string | undefined;
  env?: string | undefined;
  /** What --schema and OQ_SCHEMA are relative to. */
  cwd: string;
  /** Where the search for oq.config.json starts: the query's folder. */
  searchFrom: string;
  /** The list the query runs on, from --list-id, else ONGAGE_LIST_ID (else oq.config.json's listId). */
  listId?: { flag?: string | undefined; env?: string | undefined };
}

interface ProjectSettings {
  fields?: CustomFields;
  requestFlags?: Partial<RequestFlags>;
  findings?: Findings;
  /** Why the nearest findings file was ignored (it is of another list). */
  findingsWarning?: string;
}

/**
 * Settings for compiling a query: the custom fields, from --schema, else OQ_SCHEMA, else the
 * "schema" of the oq.config.json nearest the query (in its folder or above, as with .eslintrc
 * or .prettierrc); and that file's "requestFlags"; and what `oq doctor --save` found of the
 * account's readings (the nearest oq.findings.json: app/findingsFile.ts).
 */
export async function loadProjectSettings(sources: SchemaSources): Promise<ProjectSettings> {
  const settings: ProjectSettings = {};
  let schemaPath: string | undefined;
  if (sources.flag) schemaPath = resolve(sources.cwd, sources.flag);
  else if (sources.env) schemaPath = resolve(sources.cwd, sources.env);
  const configPath = findConfigPath(sources.searchFrom);
  let configListId: string | undefined;
  if (configPath) {
    const { readConfig } = await import("./configFileSchema.js");
    const config = readConfig(configPath);
    if (!schemaPath && config.schema) schemaPath = resolve(dirname(configPath), config.schema);
    if (config.requestFlags) settings.requestFlags = config.requestFlags;
    configListId = config.listId;
  }
  // As app/connection.ts picks the list: the flag, then the variable (empty: unset), then the file.
  const listId = sources.listId?.flag ?? (sources.listId?.env || undefined) ?? configListId;
  const { findings, warning } = loadFindings(sources.searchFrom, listId);
  if (findings) settings.findings = findings;
  if (warning) settings.findingsWarning = warning;
  if (schemaPath) {
    const { parseFieldSchema } = await import("../check/fieldSchema.js");
    const result = parseFieldSchema(readJson(schemaPath, "field schema"));
    if (!result.ok)
      throw new UsageError(
        `${schemaPath} is not a valid field schema:\n${result.problems.map((p) => `  ${p}`).join("\n")}`,
      );
    settings.fields = result.fields;
  }
  return settings;
}
