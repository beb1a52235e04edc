import { checkQuery, type CheckOptions } from "./check/checker.js";
import type { CheckedQuery, NormalizedQuery } from "./check/criteria.js";
import { bindParameters, notePlaceholders, type ParamBinding, type ParamValue } from "./check/parameters.js";
import { normalizeQuery, withFilter } from "./check/normalize.js";
import { parseNowText } from "./check/time.js";
import { catalogFor, type CustomFields } from "./check/fieldCatalog.js";
import { DiagnosticCollector, type Diagnostic } from "./diagnostics/diagnostic.js";
import { renderDiagnostics, type RenderOptions } from "./diagnostics/render.js";
import { SourceText } from "./diagnostics/source.js";
import { checkedFixes } from "./diagnostics/checkedFixes.js";
import { commandLineSettingWords, type SettingWords } from "./diagnostics/settingWords.js";
import { defaultRequestFlags, emitCriteria, emitRequest, type RequestFlags } from "./emit/emit.js";
import type { ContactActivityCriterion, ContactActivityRequest } from "./emit/payloadSchema.js";
import type { QueryPlan } from "./emit/planSchema.js";
import { emitPlan } from "./plan/emitPlan.js";
import { describePlan, type PlanWords } from "./plan/describePlan.js";
import { planCondition, type LogicalPlan } from "./plan/planner.js";
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
  /**
   * Values for the query's `$name` parameters: text, a number, or a list of those. Bound after
   * parsing, checked as a literal written in that place would be; never read as query text.
   */
  params?: Readonly<Record<string, ParamValue>>;
  /**
   * Where each of `params` came from, as messages name it (e.g. `--param domain`); default
   * `options.params`.
   */
  paramSources?: Readonly<Record<string, string>>;
  /** include_behavior and combined_as_and, whose meaning Ongage does not document. Default: both true. */
  requestFlags?: Partial<RequestFlags>;
  /**
   * How advice names the caller's settings (`--param domain=...` on the command line, `.param
   * domain=...` in the REPL); default: the command line's and the library's words.
   */
  settingWords?: SettingWords;
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

export interface NormalizeResult extends Diagnosed {
  normalized?: NormalizedQuery;
}

export interface CompileResult extends Diagnosed {
  payload?: ContactActivityRequest;
}

export interface PlanResult extends Diagnosed {
  /** The request body, when one report says the query exactly (as compile() gives it). */
  payload?: ContactActivityRequest;
  /** The plan, when the query needs several reports and set operations on their contacts. */
  plan?: QueryPlan;
  /** With a plan: each report's condition in oq, and the contacts taken, in words. */
  words?: PlanWords;
}

export interface CompileFilterResult extends Diagnosed {
  criteria?: ContactActivityCriterion[];
}

/**
 * Resolves the `now` option to Unix seconds. Text is read as the language reads dates (UTC
 * unless an offset is written). A bad value is a programming error and throws.
 */
function resolveNow(now: CompileOptions["now"]): number {
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
    reportInternalError(error, source, diagnostics);
    return finish(source, diagnostics, {} as T);
  }
}

function reportInternalError(error: unknown, source: SourceText, diagnostics: DiagnosticCollector): void {
  diagnostics.error(
    "OQ999",
    `internal error in oq: ${error instanceof Error ? error.message : String(error)}`,
    source.spanOf(0, 0),
    { hints: ["this is a bug in oq, not in your query; please report it with the query"] },
  );
}

/*
 * The compiler's stages, each exported on its own and composed once (`throughNormalize`):
 *
 *   parse:     text -> ParseResult (ast: Query)                 lexical and syntax diagnostics
 *   check:     ParseResult -> CheckResult (checked: CheckedQuery)   fields, operators, values
 *   normalize: CheckResult -> NormalizeResult (normalized: NormalizedQuery)   flat and/or list
 *   emit:      NormalizedQuery + request flags -> the request body; never fails
 *
 * Each stage but emit takes the previous one's result and carries its diagnostics on, so that
 * the composition reports exactly what the stages report one by one. The exported functions
 * check their arguments; the composition checks them once and runs the same stage bodies.
 */

/** What the stages of one compilation need from its options, worked out once. */
interface Run {
  options: CompileOptions;
  limits: Limits;
}

function startRun(entryPoint: string, options: CompileOptions): Run {
  validateOptions(entryPoint, options);
  return { options, limits: resolveLimits(options.limits) };
}

/** Source text -> AST, with lexical and syntax diagnostics. */
function parseRaw(text: string, options: CompileOptions = {}): ParseResult {
  validateText("parse", text);
  return parseStage(text, startRun("parse", options));
}

/**
 * AST -> checked query: fields, operators and values by type, the window, title and other
 * clauses. The condition stays the tree the user wrote; `normalize` flattens it.
 */
function checkRaw(parsed: ParseResult, options: CompileOptions = {}): CheckResult {
  return checkStage(parsed, startRun("check", options));
}

/**
 * Checked query -> the query Ongage can take: `not` pushed down to the criteria, nested and/or
 * flattened, redundancy dropped, or-ed values merged; a condition that still mixes and/or is
 * refused. Also warns when a condition on an activity date reaches outside the window (OQ233).
 */
function normalizeRaw(checked: CheckResult, options: CompileOptions = {}): NormalizeResult {
  return normalizeStage(checked, startRun("normalize", options), false);
}

/**
 * Normalised query -> the request body. `requestFlags` are the settings `compile` takes (a
 * query's `flags` clause wins over them); default: both true. Never fails on a normalised query,
 * so unlike the other stages it returns the body itself, with no diagnostics and no safety net:
 * it throws only on a programming error (a TypeError for request flags of the wrong shape, or a
 * bug in oq, which `compile`, running the same body, reports as OQ999).
 */
export function emit(
  normalized: NormalizedQuery,
  requestFlags: Partial<RequestFlags> = {},
): ContactActivityRequest {
  validateOptions("emit", { requestFlags });
  return emitBody(normalized, requestFlags);
}

/*
 * The stage bodies write into one collector; the exported stages wrap each in its own result,
 * and the composition runs all three under one collector and one safety net, so that a
 * compile pays for one result, not three.
 */
function parseBody(source: SourceText, diagnostics: DiagnosticCollector, run: Run): Query | undefined {
  return parseSource(source, diagnostics, run.limits);
}

/** `nowSeconds`: resolved by the caller, outside the safety net (a bad `now` is the caller's error). */
function checkBody(
  ast: Query | undefined,
  source: SourceText,
  diagnostics: DiagnosticCollector,
  run: Run,
  nowSeconds: number,
): CheckedQuery | undefined {
  if (!ast) return undefined;
  const { options } = run;
  const resolved: CheckOptions = {
    nowSeconds,
    catalog: catalogFor(options.fields),
    settingWords: options.settingWords ?? commandLineSettingWords,
  };
  if (options.fileName !== undefined) resolved.fileName = options.fileName;
  // A query without parameters pays for one look at its text.
  if (!ast.params && !options.params && !source.text.includes("$")) {
    return checkQuery(ast, source, resolved, diagnostics);
  }
  const bound = bindParameters(
    ast,
    bindingsOf(options),
    resolved.catalog,
    source,
    diagnostics,
    run.limits,
    resolved.settingWords,
  );
  resolved.parametersBound = true;
  const checked = checkQuery(bound.query, source, resolved, diagnostics);
  notePlaceholders(diagnostics.diagnostics, bound.placeholders);
  if (checked && bound.parameters.length > 0) checked.parameters = bound.parameters;
  return checked;
}

/** The caller's values, each with where it came from (`options.params` unless the caller says). */
function bindingsOf(options: CompileOptions): Map<string, ParamBinding> {
  const bindings = new Map<string, ParamBinding>();
  const sources = options.paramSources ?? {};
  for (const [name, value] of Object.entries(options.params ?? {})) {
    // `{ domain: undefined }` leaves domain unbound, as a missing key does.
    if (value === undefined) continue;
    bindings.set(name, {
      value,
      source: Object.hasOwn(sources, name) ? sources[name]! : "options.params",
    });
  }
  return bindings;
}

function normalizeBody(
  checked: CheckedQuery | undefined,
  source: SourceText,
  diagnostics: DiagnosticCollector,
  windowSetByCaller: boolean,
): NormalizedQuery | undefined {
  if (!checked) return undefined;
  return normalizeQuery(checked, source, diagnostics, windowSetByCaller);
}

function emitBody(
  normalized: NormalizedQuery,
  requestFlags: Partial<RequestFlags> | undefined,
): ContactActivityRequest {
  return emitRequest(normalized, { ...defaultRequestFlags, ...requestFlags });
}

function parseStage(text: string, run: Run): ParseResult {
  const source = new SourceText(text, run.options.fileName);
  const diagnostics = new DiagnosticCollector([], run.limits.maxDiagnostics);
  return guarded(source, diagnostics, () => {
    const ast = parseBody(source, diagnostics, run);
    return ast ? { ast } : {};
  });
}

function checkStage(parsed: ParseResult, run: Run): CheckResult {
  const diagnostics = new DiagnosticCollector(parsed.diagnostics, run.limits.maxDiagnostics);
  const nowSeconds = resolveNow(run.options.now);
  return guarded(parsed.source, diagnostics, () => {
    const checked = checkBody(parsed.ast, parsed.source, diagnostics, run, nowSeconds);
    return checked ? { checked } : {};
  });
}

function normalizeStage(checked: CheckResult, run: Run, windowSetByCaller: boolean): NormalizeResult {
  const diagnostics = new DiagnosticCollector(checked.diagnostics, run.limits.maxDiagnostics);
  return guarded(checked.source, diagnostics, () => {
    const normalized = normalizeBody(checked.checked, checked.source, diagnostics, windowSetByCaller);
    return normalized ? { normalized } : {};
  });
}

/** The composition of the stages up to emit, shared by compile and compileFilter. */
function throughNormalize(
  entryPoint: string,
  text: string,
  options: CompileOptions,
  windowSetByCaller: boolean,
  /** What to do when normalise refuses only what a plan runs: nothing, say so in a hint, or plan. */
  planning: "none" | "hint" | "plan" = "none",
): { ast?: Query; checked?: CheckedQuery; normalized: NormalizeResult; logical?: LogicalPlan; run: Run } {
  validateText(entryPoint, text);
  const run = startRun(entryPoint, options);
  const source = new SourceText(text, options.fileName);
  const diagnostics = new DiagnosticCollector([], run.limits.maxDiagnostics);
  const nowSeconds = resolveNow(options.now);
  let ast: Query | undefined;
  let checked: CheckedQuery | undefined;
  let logical: LogicalPlan | undefined;
  let collector = diagnostics;
  const body = (): { normalized?: NormalizedQuery } => {
    ast = parseBody(source, diagnostics, run);
    checked = checkBody(ast, source, diagnostics, run, nowSeconds);
    // One report, as normalise makes it, is the common case: only a refusal is looked at again.
    const mark = diagnostics.listedCount;
    const query = normalizeBody(checked, source, diagnostics, windowSetByCaller);
    if (query || planning === "none" || !checked) return query ? { normalized: query } : {};
    const planned = normalizeOrPlan(checked, source, diagnostics.listedBefore(mark), run, planning);
    collector = planned.diagnostics;
    logical = planned.logical;
    return planned.normalized ? { normalized: planned.normalized } : {};
  };
  let normalized: NormalizeResult;
  try {
    // body() may replace the collector: read it after the call.
    const value = body();
    normalized = finish(source, collector, value);
  } catch (error) {
    reportInternalError(error, source, collector);
    normalized = finish(source, collector, {});
  }
  const through: ReturnType<typeof throughNormalize> = { normalized, run };
  if (ast) through.ast = ast;
  if (checked) through.checked = checked;
  if (logical) through.logical = logical;
  return through;
}

/** A stage result's diagnostics with `extra`, or OQ999 if making `extra` throws (a bug in oq). */
function ending<T extends object>(result: Diagnosed, run: Run, extra: () => T): T & Diagnosed {
  try {
    const ended = extra() as T & Diagnosed;
    ended.diagnostics = result.diagnostics;
    ended.source = result.source;
    ended.ok = result.ok;
    return ended;
  } catch (error) {
    const diagnostics = new DiagnosticCollector(result.diagnostics, run.limits.maxDiagnostics);
    reportInternalError(error, result.source, diagnostics);
    return finish(result.source, diagnostics, {} as T);
  }
}

/**
 * The whole pipeline: source text -> the JSON body of `POST /api/contact_activity`, or
 * diagnostics saying what is wrong. Never throws on bad input; throws a TypeError when called
 * wrongly (text that is not a string, an option of the wrong shape). (The emitted body always
 * satisfies ContactActivityRequestSchema; the property tests hold the emitter to that.)
 */
function compileRaw(text: string, options: CompileOptions = {}): CompileResult {
  const { normalized, run } = throughNormalize("compile", text, options, false, "hint");
  const query = normalized.normalized;
  return ending(normalized, run, () => (query ? { payload: emitBody(query, options.requestFlags) } : {}));
}

/** What normalise refuses and a plan can run exactly: `not` without an opposite, mixed and/or. */
const plannableCodes: ReadonlySet<string> = new Set(["OQ240", "OQ241"]);

/**
 * A query as what runs: one request body when one report says it exactly (byte for byte what
 * compile() gives), or a plan of several reports and set operations on their contacts
 * (docs/plans.md). Beyond `limits.maxReports` reports: OQ242, pointing at the part that needs
 * the most. Never throws on bad input.
 */
function planRaw(text: string, options: CompileOptions = {}): PlanResult {
  const { checked, normalized, logical, run } = planStages("plan", text, options);
  const query = normalized.normalized;
  const flags = { ...defaultRequestFlags, ...options.requestFlags };
  return ending(normalized, run, () => {
    if (query) return { payload: emitBody(query, options.requestFlags) };
    if (logical && checked) return { plan: emitPlan(checked, logical, flags), words: describePlan(logical) };
    return {};
  });
}

/**
 * What runs for a query, by stage, for what reads more than the request (explain): the checked
 * query, and the normalised query (one report) or the logical plan, with the diagnostics plan()
 * gives.
 */
export function planStages(entryPoint: string, text: string, options: CompileOptions) {
  const stages = throughNormalize(entryPoint, text, options, false, "plan");
  stages.normalized = withCheckedFixes(stages.normalized, (fixed) => planRaw(fixed, options));
  return stages;
}

/**
 * Normalise, or, when normalise refuses only what a plan runs exactly (OQ240, OQ241), plan. A
 * plan of one report is that report (factoring can find one: `(a and b) or (a and c)` with
 * `b`, `c` on one field), so compile() gives it too. Otherwise "plan" replaces the refusals by
 * the plan (or OQ242 beyond limits.maxReports), and "hint" keeps them, saying how many reports
 * the plan takes. Normalise's refusals are gathered uncapped, so that none hides behind OQ010.
 */
function normalizeOrPlan(
  checked: CheckedQuery,
  source: SourceText,
  earlier: readonly Diagnostic[],
  run: Run,
  planning: "hint" | "plan",
): { diagnostics: DiagnosticCollector; normalized?: NormalizedQuery; logical?: LogicalPlan } {
  const capped = (list: readonly Diagnostic[]) => new DiagnosticCollector(list, run.limits.maxDiagnostics);
  const uncapped = new DiagnosticCollector(earlier, Infinity);
  const normalized = normalizeBody(checked, source, uncapped, false);
  const all = uncapped.sorted();
  if (normalized) return { diagnostics: capped(all), normalized };
  const isRefusal = (d: Diagnostic) => d.severity === "error" && plannableCodes.has(d.code);
  if (all.some((d) => d.severity === "error" && !isRefusal(d))) return { diagnostics: capped(all) };
  const kept = all.filter((d) => !isRefusal(d));
  const result = planCondition(checked.condition, run.limits.maxReports);
  if (result.ok && result.plan.reports.length === 1 && result.plan.combine.kind === "report") {
    const diagnostics = capped(kept);
    return { diagnostics, normalized: withFilter(checked, result.plan.reports[0]!, source, diagnostics) };
  }
  if (planning === "hint") {
    const hint = result.ok
      ? `oq can run it exactly as ${result.plan.reports.length} reports whose contacts it combines: 'oq plan' shows them, 'oq run' runs them (plan() and runPlan() in the library)`
      : `as several reports it would need ${result.reportsNeeded}, more than the limit of ${run.limits.maxReports} (OQ242 in 'oq plan')`;
    return { diagnostics: capped(all.map((d) => (isRefusal(d) ? { ...d, hints: [...d.hints, hint] } : d))) };
  }
  const diagnostics = capped(kept);
  if (!result.ok) {
    reportTooManyReports(result, run, diagnostics);
    return { diagnostics };
  }
  return { diagnostics, logical: result.plan };
}

function reportTooManyReports(
  planned: Extract<ReturnType<typeof planCondition>, { ok: false }>,
  run: Run,
  diagnostics: DiagnosticCollector,
): void {
  const { maxReports } = run.limits;
  diagnostics.error(
    "OQ242",
    `this condition needs ${planned.reportsNeeded} reports to run exactly, more than the limit of ${maxReports}`,
    planned.explodes,
    {
      label:
        planned.explodesNeeds === planned.reportsNeeded
          ? `this part needs ${planned.reportsNeeded}`
          : `this part alone needs ${planned.explodesNeeds}`,
      hints: [
        "each 'or' of 'and's, or 'and' of 'or's, that one report cannot hold costs reports; factor out what the alternatives share, or split the query",
        `to allow more, ${(run.options.settingWords ?? commandLineSettingWords).raiseMaxReports}; Ongage runs at most 10 reports at once`,
      ],
    },
  );
}

/**
 * Just the `filters.criteria` array for a condition, for callers who build the rest of the
 * request themselves. Clauses (select, during, ...) belong to full queries and are refused.
 */
function compileFilterRaw(text: string, options: CompileOptions = {}): CompileFilterResult {
  // The caller sends the window, so the query's window says nothing: no OQ233.
  const { ast, normalized, run } = throughNormalize("compileFilter", text, options, true);
  const query = normalized.normalized;
  const clauses = ast?.clauses ?? [];
  if (!query || clauses.length === 0)
    return ending(normalized, run, () => (query ? { criteria: emitCriteria(query.filter) } : {}));
  const diagnostics = new DiagnosticCollector(normalized.diagnostics, run.limits.maxDiagnostics);
  for (const clause of clauses) {
    diagnostics.error(
      "OQ250",
      `a filter is only a condition; '${clause.kind.toLowerCase()}' belongs to a full query`,
      clause.span,
      { hints: ["remove it, or use compile() for a whole request"] },
    );
  }
  return finish(normalized.source, diagnostics, {});
}

/** Renders a result's diagnostics with carets and help lines, as the CLI prints them. */
export function formatDiagnostics(result: Diagnosed, options: RenderOptions = {}): string {
  return renderDiagnostics(result.diagnostics, result.source, options);
}

/**
 * A result whose fixes the compiler has confirmed (diagnostics/checkedFixes.ts): each suggestion
 * is applied and the text re-checked by `recheck`, the same stages that produced the result.
 */
function withCheckedFixes<T extends Diagnosed>(result: T, recheck: (text: string) => Diagnosed): T {
  if (!result.diagnostics.some((d) => d.suggestions.length > 0)) return result;
  result.diagnostics = checkedFixes(
    result.source.text,
    result.diagnostics,
    (text) => recheck(text).diagnostics,
  );
  return result;
}

/** Source text -> AST, with lexical and syntax diagnostics. */
export function parse(text: string, options: CompileOptions = {}): ParseResult {
  return withCheckedFixes(parseRaw(text, options), (fixed) => parseRaw(fixed, options));
}

/** See checkRaw. */
export function check(parsed: ParseResult, options: CompileOptions = {}): CheckResult {
  return withCheckedFixes(checkRaw(parsed, options), (fixed) => checkRaw(parseRaw(fixed, options), options));
}

/** See normalizeRaw. */
export function normalize(checked: CheckResult, options: CompileOptions = {}): NormalizeResult {
  return withCheckedFixes(normalizeRaw(checked, options), (fixed) =>
    normalizeRaw(checkRaw(parseRaw(fixed, options), options), options),
  );
}

/** See compileRaw. */
export function compile(text: string, options: CompileOptions = {}): CompileResult {
  return withCheckedFixes(compileRaw(text, options), (fixed) => compileRaw(fixed, options));
}

/** See planRaw. */
export function plan(text: string, options: CompileOptions = {}): PlanResult {
  return withCheckedFixes(planRaw(text, options), (fixed) => planRaw(fixed, options));
}

/** See compileFilterRaw. */
export function compileFilter(text: string, options: CompileOptions = {}): CompileFilterResult {
  return withCheckedFixes(compileFilterRaw(text, options), (fixed) => compileFilterRaw(fixed, options));
}
