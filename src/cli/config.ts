import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { CustomFields } from "../check/fieldCatalog.js";
import type { RequestFlags } from "../emit/emit.js";
import { UsageError } from "./usageError.js";

/*
 * Where the command finds its settings. The validation (zod) is loaded only when there is a
 * file to validate, so that a plain `oq compile` does not pay for it at start-up.
 */

export const configFileName = "oq.config.json";

/** The nearest oq.config.json in `startDirectory` or above it. */
export function findConfigPath(startDirectory: string): string | undefined {
  for (let directory = resolve(startDirectory); ; directory = dirname(directory)) {
    const candidate = join(directory, configFileName);
    if (existsSync(candidate)) return candidate;
    if (dirname(directory) === directory) return undefined;
  }
}

export function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the ${what} ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

export interface SchemaSources {
  flag?: string | undefined;
  env?: string | undefined;
  /** What --schema and OQ_SCHEMA are relative to. */
  cwd: string;
  /** Where the search for oq.config.json starts: the query's folder. */
  searchFrom: string;
}

export interface ProjectSettings {
  fields?: CustomFields;
  requestFlags?: Partial<RequestFlags>;
}

/**
 * Settings for compiling a query: the custom fields, from --schema, else OQ_SCHEMA, else the
 * "schema" of the oq.config.json nearest the query (in its folder or above, as with .eslintrc
 * or .prettierrc); and that file's "requestFlags".
 */
export async function loadProjectSettings(sources: SchemaSources): Promise<ProjectSettings> {
  const settings: ProjectSettings = {};
  let schemaPath: string | undefined;
  if (sources.flag) schemaPath = resolve(sources.cwd, sources.flag);
  else if (sources.env) schemaPath = resolve(sources.cwd, sources.env);
  const configPath = findConfigPath(sources.searchFrom);
  if (configPath) {
    const { readConfig } = await import("./configFile.js");
    const config = readConfig(configPath);
    if (!schemaPath && config.schema) schemaPath = resolve(dirname(configPath), config.schema);
    if (config.requestFlags) settings.requestFlags = config.requestFlags;
  }
  if (schemaPath) {
    const { parseFieldSchema } = await import("../check/fieldSchema.js");
    const result = parseFieldSchema(readJson(schemaPath, "field schema"));
    if (!result.ok) throw new UsageError(`${schemaPath} is not a valid field schema:\n${result.problems.map((p) => `  ${p}`).join("\n")}`);
    settings.fields = result.fields;
  }
  return settings;
}
