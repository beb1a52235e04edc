import { fieldTypes } from "./language/vocabulary.js";
import { defaultLimits, maxPlanReports } from "./language/limits.js";
import { parseNowText } from "./check/time.js";
import { findingWords, isReadingName, readingNames } from "./language/readings.js";

/*
 * The library's entry points check what the calling program passes. A wrong option is a bug in
 * that program, not a problem in a query, so it throws a TypeError that says what is wrong
 * (README.md, "The library"), rather than surfacing as an internal error OQ999 halfway through.
 * `now` is checked as it is resolved (resolveNow), by the entry points that check a query.
 */

export function validateText(entryPoint: string, text: unknown): asserts text is string {
  if (typeof text !== "string")
    throw new TypeError(`oq: ${entryPoint}() takes the query text as a string, not ${describe(text)}`);
}

export function validateOptions(entryPoint: string, options: unknown): void {
  if (options === undefined) return;
  if (!isPlainObject(options))
    throw new TypeError(`oq: the options of ${entryPoint}() must be an object, not ${describe(options)}`);
  const { fileName, fields, limits, requestFlags, params, paramSources, settingWords, findings } =
    options as Record<string, unknown>;
  if (fileName !== undefined && typeof fileName !== "string")
    throw new TypeError(`oq: 'fileName' must be a string, not ${describe(fileName)}`);
  if (fields !== undefined) validateFields(fields);
  if (limits !== undefined) {
    if (!isPlainObject(limits))
      throw new TypeError(`oq: 'limits' must be an object, not ${describe(limits)}`);
    for (const [name, value] of Object.entries(limits)) {
      if (!(name in defaultLimits))
        throw new TypeError(
          `oq: 'limits.${name}' is not a limit; the limits are ${Object.keys(defaultLimits).join(", ")}`,
        );
      if (
        value !== undefined &&
        !(typeof value === "number" && value >= 1 && (Number.isInteger(value) || value === Infinity))
      ) {
        throw new TypeError(
          `oq: 'limits.${name}' must be a whole number of at least 1, or Infinity, not ${describe(value)}`,
        );
      }
      if (name === "maxReports" && typeof value === "number" && value > maxPlanReports)
        throw new TypeError(
          `oq: 'limits.maxReports' can be at most ${maxPlanReports}, not ${describe(value)}`,
        );
    }
  }
  if (params !== undefined) {
    if (!isPlainObject(params))
      throw new TypeError(
        `oq: 'params' must be an object of parameter name -> value, not ${describe(params)}`,
      );
    // A value is the user's input (a request body), not the program's: its problems are
    // diagnostics (check/paramValueProblems.ts).
  }
  if (findings !== undefined) {
    if (!isPlainObject(findings))
      throw new TypeError(
        `oq: 'findings' must be an object of reading -> "holds" or "fails", not ${describe(findings)}`,
      );
    for (const [name, value] of Object.entries(findings)) {
      if (!isReadingName(name))
        throw new TypeError(
          `oq: 'findings.${name}' is not a reading; the readings are ${readingNames.join(", ")}`,
        );
      if (value !== undefined && !(findingWords as readonly unknown[]).includes(value))
        throw new TypeError(`oq: 'findings.${name}' must be "holds" or "fails", not ${describe(value)}`);
    }
  }
  if (paramSources !== undefined) {
    if (!isPlainObject(paramSources))
      throw new TypeError(`oq: 'paramSources' must be an object, not ${describe(paramSources)}`);
    for (const [name, value] of Object.entries(paramSources)) {
      if (typeof value !== "string")
        throw new TypeError(`oq: 'paramSources.${name}' must be a string, not ${describe(value)}`);
    }
  }
  if (settingWords !== undefined) {
    const words = settingWords as Record<string, unknown>;
    if (
      !isPlainObject(settingWords) ||
      typeof words["bindParam"] !== "function" ||
      typeof words["fieldSchema"] !== "string" ||
      typeof words["raiseMaxReports"] !== "string"
    )
      throw new TypeError(
        `oq: 'settingWords' must be an object with bindParam(name), fieldSchema and raiseMaxReports, not ${describe(settingWords)}`,
      );
  }
  if (requestFlags !== undefined) {
    if (!isPlainObject(requestFlags))
      throw new TypeError(`oq: 'requestFlags' must be an object, not ${describe(requestFlags)}`);
    for (const [name, value] of Object.entries(requestFlags)) {
      if (value !== undefined && typeof value !== "boolean")
        throw new TypeError(`oq: 'requestFlags.${name}' must be true or false, not ${describe(value)}`);
    }
  }
}

/**
 * The fields objects found valid: a program compiles many queries against one schema, and
 * checking its fields one by one on every call made each compile 3.8x slower with 300 fields. A
 * fields object is read once, as the compiler's catalog of it is built once
 * (check/fieldCatalog.ts): a change to it after its first use is not seen (README, "The library").
 */
const validFields = new WeakSet<object>();

function validateFields(fields: unknown): void {
  if (!isPlainObject(fields))
    throw new TypeError(`oq: 'fields' must be an object of field name -> type, not ${describe(fields)}`);
  if (validFields.has(fields)) return;
  for (const [name, type] of Object.entries(fields)) {
    if (!(fieldTypes as readonly unknown[]).includes(type)) {
      throw new TypeError(
        `oq: 'fields.${name}' has the unknown type ${describe(type)}; the types are ${fieldTypes.join(", ")}`,
      );
    }
  }
  validFields.add(fields);
}

function isPlainObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (typeof value === "string")
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (value === null || value === undefined || typeof value === "number" || typeof value === "boolean")
    return String(value);
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** The last `now` text read, and what it read as. */
let lastNowText: string | undefined;
let lastNowSeconds = 0;

/**
 * Resolves the `now` option to Unix seconds. Text is read as the language reads dates (UTC
 * unless an offset is written). A bad value is a programming error and throws.
 */
export function resolveNow(now: Date | number | string | undefined): number {
  if (now === undefined) return Math.floor(Date.now() / 1000);
  if (typeof now === "string") {
    // A program passes the same text call after call: reading it was 7.5% of a compile.
    if (now === lastNowText) return lastNowSeconds;
    const seconds = parseNowText(now);
    if (seconds === undefined)
      throw new TypeError(
        `invalid 'now' option: ${now} (write an ISO 8601 time such as 2024-01-31T10:00:00Z)`,
      );
    lastNowText = now;
    lastNowSeconds = seconds;
    return seconds;
  }
  const date = now instanceof Date ? now : new Date(now);
  if (Number.isNaN(date.getTime())) throw new TypeError(`invalid 'now' option: ${String(now)}`);
  return Math.floor(date.getTime() / 1000);
}
