import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";
import { parseFieldSchema } from "../check/fieldSchema.js";
import type { CustomFields } from "../check/fieldCatalog.js";
import { UsageError } from "./usageError.js";

export const configFileName = "oq.config.json";

/** oq.config.json: project settings, found in the working directory or any parent. */
export const ConfigFile = z.strictObject({
  /** Path of the field schema file, relative to the config file. */
  schema: z.string().min(1).optional(),
});
export type ConfigFile = z.infer<typeof ConfigFile>;

export interface LoadedConfig {
  path?: string;
  config: ConfigFile;
}

export function findConfig(startDirectory: string): LoadedConfig {
  for (let directory = resolve(startDirectory); ; directory = dirname(directory)) {
    const candidate = join(directory, configFileName);
    if (existsSync(candidate)) return { path: candidate, config: readConfig(candidate) };
    if (dirname(directory) === directory) return { config: {} };
  }
}

function readJson(path: string, what: string): unknown {
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

function readConfig(path: string): ConfigFile {
  const result = ConfigFile.safeParse(readJson(path, "config file"));
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join(".") || "(top)"}: ${issue.message}`).join("\n");
    throw new UsageError(`${path} is not a valid oq config:\n${problems}`);
  }
  return result.data;
}

export interface SchemaSources {
  flag?: string;
  env?: string;
  cwd: string;
}

/** The custom fields, from --schema, else OQ_SCHEMA, else oq.config.json's "schema"; none if none is named. */
export function loadCustomFields(sources: SchemaSources): CustomFields | undefined {
  let path: string | undefined;
  if (sources.flag) path = resolve(sources.cwd, sources.flag);
  else if (sources.env) path = resolve(sources.cwd, sources.env);
  else {
    const found = findConfig(sources.cwd);
    if (found.path && found.config.schema) path = resolve(dirname(found.path), found.config.schema);
  }
  if (!path) return undefined;
  const result = parseFieldSchema(readJson(path, "field schema"));
  if (!result.ok) throw new UsageError(`${path} is not a valid field schema:\n${result.problems.map((p) => `  ${p}`).join("\n")}`);
  return result.fields;
}
