import { checkQuery, type CheckOptions } from "./check/checker.js";
import type { CheckedQuery } from "./check/criteria.js";
import { parseNowText } from "./check/time.js";
import { catalogFor, type CustomFields } from "./check/fieldCatalog.js";
import { DiagnosticCollector, type Diagnostic } from "./diagnostics/diagnostic.js";
import { renderDiagnostics, type RenderOptions } from "./diagnostics/render.js";
import { SourceText } from "./diagnostics/source.js";
import { defaultRequestFlags, emitCriteria, emitRequest, type RequestFlags } from "./emit/emit.js";
import type { ContactActivityCriterion, ContactActivityRequest } from "./emit/payloadSchema.js";
import { resolveLimits, type Limits } from "./language/limits.js";
import type { Query } from "./parser/ast.js";
import { parseSource } from "./parser/parser.js";
import { validateOptions, validateText } from "./validateOptions.js";

export interface CompileOptions {
  /** The file the query came from: shown in diagnostics, and the default report title. */
  fileName?: string;
  /**
   * "Now" for `during 30d` and `30d ago`: a Date, epoch milliseconds, or an ISO 8601 string
   * (2024-01-31T10:00:00Z; UTC unless an offset is written, as dates in queries). Default: the clock.
   */
  now?: Date | number | string;
  /** The list's custom fields, name -> type (see parseFieldSchema for loading a schema file). */
  fields?: CustomFields;
  /** Bounds on the work one query may cause. */
  limits?: Partial<Limits>;
  /** include_behavior and combined_as_and, whose meaning Ongage does not document. Default: both true. */
  requestFlags?: Partial<RequestFlags>;
}

interface Diagnosed {
  diagnostics: Diagnostic[];
  /** The source, for rendering the diagnostics (see formatDiagnostics). */
  source: SourceText;
  /** True when there are no errors (warnings allowed). */
  ok: boolean;
}

export interface ParseResult extends Diagnosed {
  ast?: Query;
}

export interface CheckResult extends Diagnosed {
  checked?: CheckedQuery;
}

export interface CompileResult extends Diagnosed {
  payload?: ContactActivityRequest;
}

export interface CompileFilterResult extends Diagnosed {
  criteria?: ContactActivityCriterion[];
}

/**
 * Resolves the `now` option to Unix seconds. Text is read as the language reads dates (UTC
 * unless an offset is written). A bad value is a programming error and throws.
 */
export function resolveNow(now: CompileOptions["now"]): number {
  if (now === undefined) return Math.floor(Date.now() / 1000);
  if (typeof now === "string") {
    const seconds = parseNowText(now);
    if (seconds === undefined)
      throw new TypeError(
        `invalid 'now' option: ${now} (write an ISO 8601 time such as 2024-01-31T10:00:00Z)`,
      );
    return seconds;
  }
  const date = now instanceof Date ? now : new Date(now);
  if (Number.isNaN(date.getTime())) throw new TypeError(`invalid 'now' option: ${String(now)}`);
  return Math.floor(date.getTime() / 1000);
}

function finish<T extends object>(
  source: SourceText,
  diagnostics: DiagnosticCollector,
  extra: T,
): T & Diagnosed {
  const result = extra as T & Diagnosed;
  result.diagnostics = diagnostics.sorted();
  result.source = source;
  result.ok = !diagnostics.hasErrors;
  return result;
}

/** A safety net for library users: a bug in oq becomes a diagnostic, not an exception in their service. */
function guarded<T extends object>(
  source: SourceText,
  diagnostics: DiagnosticCollector,
  run: () => T,
): T & Diagnosed {
  try {
    return finish(source, diagnostics, run());
  } catch (error) {
    diagnostics.error(
      "OQ999",
      `internal error in oq: ${error instanceof Error ? error.message : String(error)}`,
      source.spanOf(0, 0),
      {
        hints: ["this is a bug in oq, not in your query; please report it with the query"],
      },
    );
    return finish(source, diagnostics, {} as T);
  }
}

function checkOptions(options: CompileOptions): CheckOptions {
  const result: CheckOptions = { nowSeconds: resolveNow(options.now), catalog: catalogFor(options.fields) };
  if (options.fileName !== undefined) result.fileName = options.fileName;
  return result;
}

/** Source text -> AST, with lexical and syntax diagnostics. */
export function parse(text: string, options: Pick<CompileOptions, "fileName" | "limits"> = {}): ParseResult {
  validateText("parse", text);
  validateOptions("parse", options);
  const source = new SourceText(text, options.fileName);
  const limits = resolveLimits(options.limits);
  const diagnostics = new DiagnosticCollector([], limits.maxDiagnostics);
  return guarded(source, diagnostics, () => {
    const ast = parseSource(source, diagnostics, limits);
    return ast ? { ast } : {};
  });
}

/** AST -> checked query: fields, operators and values by type, and the flat and/or form. */
export function check(parsed: ParseResult, options: CompileOptions = {}): CheckResult {
  validateOptions("check", options);
  const diagnostics = new DiagnosticCollector(
    parsed.diagnostics,
    resolveLimits(options.limits).maxDiagnostics,
  );
  const resolved = checkOptions(options);
  return guarded(parsed.source, diagnostics, () => {
    if (!parsed.ast) return {};
    const checked = checkQuery(parsed.ast, parsed.source, resolved, diagnostics);
    return checked ? { checked } : {};
  });
}

/** Checked query -> the request body. Never fails: checking has ruled out every problem. */
export function emit(checked: CheckedQuery): ContactActivityRequest {
  return emitRequest(checked);
}

/**
 * The pipeline, the one place where the stages meet: lex and parse, check, and (when nothing
 * is wrong) hand the checked query to `finish`.
 */
function runPipeline<T extends object>(
  entryPoint: string,
  text: string,
  options: CompileOptions,
  finishChecked: (checked: CheckedQuery, query: Query, diagnostics: DiagnosticCollector) => T,
  checking: Partial<CheckOptions> = {},
): T & Diagnosed {
  validateText(entryPoint, text);
  validateOptions(entryPoint, options);
  const source = new SourceText(text, options.fileName);
  const limits = resolveLimits(options.limits);
  const diagnostics = new DiagnosticCollector([], limits.maxDiagnostics);
  const resolved = { ...checkOptions(options), ...checking };
  return guarded(source, diagnostics, () => {
    const query = parseSource(source, diagnostics, limits);
    if (!query) return {} as T;
    const checked = checkQuery(query, source, resolved, diagnostics);
    return checked ? finishChecked(checked, query, diagnostics) : ({} as T);
  });
}

/**
 * The whole pipeline: source text -> the JSON body of `POST /api/contact_activity`, or
 * diagnostics saying what is wrong. Never throws on bad input; throws a TypeError when called
 * wrongly (text that is not a string, an option of the wrong shape). (The emitted body always
 * satisfies ContactActivityRequestSchema; the property tests hold the emitter to that.)
 */
export function compile(text: string, options: CompileOptions = {}): CompileResult {
  return runPipeline<{ payload?: ContactActivityRequest }>("compile", text, options, (checked) => ({
    payload: emitRequest(checked, { ...defaultRequestFlags, ...options.requestFlags }),
  }));
}

/**
 * Just the `filters.criteria` array for a condition, for callers who build the rest of the
 * request themselves. Clauses (select, during, ...) belong to full queries and are refused.
 */
export function compileFilter(text: string, options: CompileOptions = {}): CompileFilterResult {
  return runPipeline<{ criteria?: ContactActivityCriterion[] }>(
    "compileFilter",
    text,
    options,
    (checked, query, diagnostics) => {
      for (const clause of query.clauses) {
        diagnostics.error(
          "OQ250",
          `a filter is only a condition; '${clause.kind.toLowerCase()}' belongs to a full query`,
          clause.span,
          {
            hints: ["remove it, or use compile() for a whole request"],
          },
        );
      }
      return diagnostics.hasErrors ? {} : { criteria: emitCriteria(checked.filter) };
    },
    { windowSetByCaller: true },
  );
}

/** Renders a result's diagnostics with carets and help lines, as the CLI prints them. */
export function formatDiagnostics(result: Diagnosed, options: RenderOptions = {}): string {
  return renderDiagnostics(result.diagnostics, result.source, options);
}
