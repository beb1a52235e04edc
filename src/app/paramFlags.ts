import { existsSync } from "node:fs";
import { basename } from "node:path";
import type { ParamValue } from "../check/parameters.js";
import { requireExactJsonNumbers } from "./exactJsonNumbers.js";
import { readJson } from "./readJsonFile.js";
import { UsageError } from "./usageError.js";

/** Parameter values with where each came from, as CompileOptions takes them. */
interface ParamSettings {
  params: Record<string, ParamValue>;
  paramSources: Record<string, string>;
}

const nameSyntax = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isScalar(value: unknown): value is string | number {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

/** A JSON value that can bind a parameter: text, a number, or an array of those. */
function paramValueOf(value: unknown): ParamValue | undefined {
  if (isScalar(value)) return value;
  if (Array.isArray(value) && value.every(isScalar)) return value;
  return undefined;
}

/**
 * How a shell binds a parameter, for its messages: `--param` on the command line, `.param` in
 * the REPL, which reads the same `name=value` and `name:=JSON`.
 */
type ParamCommand = "--param" | ".param";

/**
 * `--param name=value` (the value is text, as written) or `--param name:=JSON` (a JSON number,
 * string or array, as httpie reads it). A mistake is a usage error, worded as `command`.
 */
function parseParamFlag(flag: string, command: ParamCommand): { name: string; value: ParamValue } {
  const match = /^([^=:]*)(:?=)([\s\S]*)$/.exec(flag);
  if (!match || !nameSyntax.test(match[1]!)) {
    throw new UsageError(
      `${command} takes name=value or name:=JSON (a name of letters, digits and _), not '${flag}'`,
    );
  }
  const [, name, sign, text] = match as unknown as [string, string, string, string];
  if (sign === "=") return { name, value: text };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${command} ${name}:= takes JSON (a number, "text" or an array), not '${text}'`);
  }
  requireExactJsonNumbers(text, `${command} ${name}:=`, `${command} ${name}`);
  const value = paramValueOf(json);
  if (value === undefined) {
    throw new UsageError(`${command} ${name}:= takes a JSON number, string or array of those, not '${text}'`);
  }
  return { name, value };
}

/** A params file: a JSON object of name -> value. A mistake is a usage error. */
export function readParamsFile(path: string): ParamSettings {
  const json = readJson(path, "params file", (text) =>
    requireExactJsonNumbers(text, `the params file ${path}`),
  );
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new UsageError(`the params file ${path} must hold a JSON object of parameter name -> value`);
  }
  const settings: ParamSettings = { params: {}, paramSources: {} };
  for (const [name, raw] of Object.entries(json)) {
    const value = paramValueOf(raw);
    if (!nameSyntax.test(name) || value === undefined) {
      throw new UsageError(
        `the params file ${path}: '${name}' must be a parameter name with text, a number or an array of those`,
      );
    }
    settings.params[name] = value;
    settings.paramSources[name] = basename(path);
  }
  return settings;
}

/** Later settings win over earlier ones. */
export function mergeParams(...layers: (ParamSettings | undefined)[]): ParamSettings | undefined {
  const present = layers.filter((layer) => layer !== undefined);
  if (present.length === 0) return undefined;
  return {
    params: Object.assign({}, ...present.map((layer) => layer.params)) as Record<string, ParamValue>,
    paramSources: Object.assign({}, ...present.map((layer) => layer.paramSources)) as Record<string, string>,
  };
}

/** `--param` flags (or `.param`s, as `command` says) as settings; undefined when there are none. */
export function paramFlagSettings(
  flags: readonly string[] | undefined,
  command: ParamCommand = "--param",
): ParamSettings | undefined {
  if (!flags || flags.length === 0) return undefined;
  const settings: ParamSettings = { params: {}, paramSources: {} };
  for (const flag of flags) {
    const { name, value } = parseParamFlag(flag, command);
    settings.params[name] = value;
    settings.paramSources[name] = `${command} ${name}`;
  }
  return settings;
}

/** `weekly.params.json` beside `weekly.oq`, when there is one. */
export function besideQueryParams(file: string): ParamSettings | undefined {
  if (file === "-" || !file.endsWith(".oq")) return undefined;
  const path = `${file.slice(0, -".oq".length)}.params.json`;
  return existsSync(path) ? readParamsFile(path) : undefined;
}
