import { checkQuery } from "./check/checkQuery.js";
import type { CheckedQuery, FlatCriteria, NormalizedQuery } from "./check/checkedQuery.js";
import { negationNormalForm, type NegationNormalForm } from "./check/logic/negationNormalForm.js";
import { negativeListsApart } from "./check/logic/negativeLists.js";
import type { ParamValue } from "./check/parameters.js";
import { normalizeQuery, withFilter } from "./check/normalize.js";
import { catalogFor, type CustomFields } from "./check/fieldCatalog.js";
import { warnAboutPlanWindowCoverage } from "./check/windowCoverage.js";
import { withoutContradictions } from "./check/contradictions.js";
import { DiagnosticCollector, type Diagnostic } from "./diagnostics/diagnostic.js";
import { renderDiagnostics, type RenderOptions } from "./diagnostics/render.js";
import { SourceText } from "./diagnostics/source.js";
import { checkedFixes } from "./diagnostics/checkedFixes.js";
import type { SettingWords } from "./diagnostics/settingWords.js";
import { defaultRequestFlags, emitCriteria, emitRequest, type RequestFlags } from "./emit/emit.js";
import type { ContactActivityCriterion, ContactActivityRequest } from "./emit/payloadSchema.js";
import type { QueryPlan } from "./emit/planSchema.js";
import { emitPlan } from "./plan/emitPlan.js";
import { describePlan, type PlanWords } from "./plan/describePlan.js";
import { planCondition, type LogicalPlan } from "./plan/planner.js";
import { planHint, reportTooManyReports } from "./plan/planMessages.js";
import { resolveLimits, type Limits } from "./language/limits.js";
import { andForcingReading, type Findings } from "./language/readings.js";
import type { Query } from "./parser/ast.js";
import { parseSource } from "./parser/parser.js";
import { resolveNow, validateOptions, validateText } from "./validateOptions.js";

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
   * What is known of the readings of language/readings.ts on the account the query runs on,
   * each "holds" or "fails" (`oq doctor` finds them out). A plan takes a shortcut that depends on
   * a reading only once it is known (docs/semantics.md, "What plans assume"); where the reading of
   * the query's `combined_as_and` forces AND (`forced-and`, `forced-and-false`, `forced-and-absent`),
   * or `users-or` holds for a query of one user type, plan() runs an `or` chain as a union of reports. Default: nothing is known, and a
   * plan holds under every reading.
   */
  findings?: Findings;
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

/*
 * The compiler's stages, each `(input, ctx) -> output`: it reports to `ctx.diagnostics` and
 * returns undefined when it cannot go on. `compile` and `plan` are two compositions of them,
 * under one safety net (`safely`); `parse`, `check`, `normalize` and `emit` run one stage each.
 *
 *   parse:    source text -> Query                 lexical and syntax diagnostics
 *   check:    Query -> CheckedQuery                fields, operators, values, clauses
 *   logic:    CheckedQuery -> LogicalQuery         `not` pushed down to the criteria, once
 *   flatten:  LogicalQuery -> NormalizedQuery      one flat and/or list, or refused
 *   plan:     LogicalQuery -> NormalizedQuery or LogicalPlan, when flatten refuses only what
 *             reports and set operations on their contacts say exactly
 *   emit:     NormalizedQuery -> the request body  never fails (a plan: emitPlan)
 */

/** One compilation: its source, where its diagnostics go, and its options worked out once. */
interface Context {
  source: SourceText;
  diagnostics: DiagnosticCollector;
  options: CompileOptions;
  limits: Limits;
}

/** Check also needs "now", resolved before the stages run: a bad `now` is the caller's error. */
interface CheckContext extends Context {
  nowSeconds: number;
}

/** The checked query and its condition in negation normal form, which flatten and plan both read. */
interface LogicalQuery {
  checked: CheckedQuery;
  condition: NegationNormalForm;
}

/** What runs for a query: one report's query, or a plan of several reports. */
interface Runnable {
  normalized?: NormalizedQuery;
  logical?: LogicalPlan;
}

function parseStage(source: SourceText, ctx: Context): Query | undefined {
  return parseSource(source, ctx.diagnostics, ctx.limits);
}

function checkStage(ast: Query, ctx: CheckContext): CheckedQuery | undefined {
  const { fields, fileName, params, paramSources, settingWords } = ctx.options;
  const catalog = catalogFor(fields);
  const { nowSeconds, limits } = ctx;
  const options = { nowSeconds, catalog, fileName, params, paramSources, limits, settingWords };
  return checkQuery(ast, ctx.source, options, ctx.diagnostics);
}

/**
 * `not` pushed in, and what selects no one left out (OQ236): undefined when that is the whole
 * condition, as no report is worth making then.
 */
function logicStage(checked: CheckedQuery, ctx: Context): LogicalQuery | undefined {
  const condition = withoutContradictions(negationNormalForm(checked.condition), ctx.diagnostics);
  // Where a negative list means "none of them", its values go apart, as the `or` oq reads.
  if (condition && ctx.options.findings?.["none-of-list"] === "holds")
    condition.term = negativeListsApart(condition.term);
  return condition && { checked, condition };
}

/** `windowSetByCaller`: the caller sends the window (compileFilter), so no OQ233. */
function flattenStage(
  { checked, condition }: LogicalQuery,
  ctx: Context,
  windowSetByCaller = false,
): NormalizedQuery | undefined {
  return normalizeQuery(checked, condition, ctx.source, ctx.diagnostics, windowSetByCaller);
}

/** What flatten refuses and a plan can run exactly: `not` without an opposite, mixed and/or. */
const plannableCodes: ReadonlySet<string> = new Set(["OQ240", "OQ241"]);

function isRefusal(diagnostic: Diagnostic): boolean {
  return diagnostic.severity === "error" && plannableCodes.has(diagnostic.code);
}

/**
 * Flatten, or, when flatten refuses only what a plan runs exactly, plan. Flatten reports aside,
 * uncapped, so that no refusal hides behind OQ010; what it reports is then carried over, or,
 * when it refuses, plan decides.
 */
function flattenOrPlan(logical: LogicalQuery, ctx: Context, planning: "hint" | "plan"): Runnable {
  const aside = new DiagnosticCollector();
  const normalized = flattenStage(logical, { ...ctx, diagnostics: aside });
  const refused = aside.diagnostics;
  const carryOver = () => {
    for (const { severity, code, message, span, ...details } of refused)
      ctx.diagnostics[severity](code, message, span, details);
  };
  // On an account that reads the chain's flag as all 'and' (or its user type as one more
  // alternative), one report of an 'or' chain would select other contacts than the query means.
  const refusal = normalized && orChainsRefused(logical.checked, normalized.filter, ctx);
  if (refusal) {
    carryOver();
    // oq run and oq plan: a union of reports.
    if (planning === "plan") return planStage(logical, [], ctx, planning);
    // compile: the one payload it prints would be wrong here.
    ctx.diagnostics.error(
      "OQ243",
      `one report cannot say this 'or' on this account: ${refusal}`,
      logical.checked.condition.span,
      {
        hints: [
          "`oq run` and `oq plan` run it as several reports, one per alternative, and merge their contacts",
        ],
      },
    );
    return {};
  }
  if (normalized || refused.some((d) => d.severity === "error" && !isRefusal(d))) {
    carryOver();
    return normalized ? { normalized } : {};
  }
  return planStage(logical, refused, ctx, planning);
}

/**
 * Why one report of an `or` chain would not select what the query means on this account, by
 * what is known of its readings (undefined: nothing says so): the reading of the
 * `combined_as_and` the query sends (a query's `flags` clause wins over the settings) forces AND,
 * or `users-or` holds and the query keeps one user type, which would join the chain as one more
 * alternative.
 */
function orChainRefusal(checked: CheckedQuery, ctx: Context): string | undefined {
  const { findings = {}, requestFlags } = ctx.options;
  const flags = checked.requestFlags ?? { ...defaultRequestFlags, ...requestFlags };
  const forcing = andForcingReading(flags.combined_as_and);
  if (findings[forcing] === "holds") {
    const sent =
      flags.combined_as_and === undefined
        ? "without combined_as_and"
        : `with combined_as_and: ${flags.combined_as_and}`;
    return `it reads a list sent ${sent} as all 'and' (the findings of \`oq doctor\`: ${forcing} holds), so the report would select only contacts matching every alternative`;
  }
  if (findings["users-or"] === "holds" && checked.userType !== "all")
    return `it reads 'users ${checked.userType}' as one more alternative of an 'or' list (the findings of \`oq doctor\`: users-or holds), so the report would select contacts of every status`;
  return undefined;
}

/**
 * What is known of the readings, as the planner takes it for the query's reports: its
 * `forced-and` stands for "no report may be an `or` chain" (orChainRefusal), whichever reading
 * says so; the other readings as found.
 */
function findingsFor(checked: CheckedQuery, ctx: Context): Findings {
  const {
    "forced-and": _true,
    "forced-and-false": _false,
    "forced-and-absent": _absent,
    ...others
  } = ctx.options.findings ?? {};
  return orChainRefusal(checked, ctx) === undefined ? others : { ...others, "forced-and": "holds" };
}

/** Whether `filter` is an `or` chain that the account would not read as one (orChainRefusal). */
function orChainsRefused(checked: CheckedQuery, filter: FlatCriteria, ctx: Context): string | undefined {
  if (filter.combinator !== "or" || filter.criteria.length < 2) return undefined;
  return orChainRefusal(checked, ctx);
}

/**
 * A condition flatten refused -> a plan of reports. A plan of one report is that report
 * (factoring can find one: `(a and b) or (a and c)` with `b`, `c` on one field), so compile()
 * gives it too. Otherwise "plan" replaces the refusals by the plan (or OQ242 beyond
 * limits.maxReports), and "hint" (compile) keeps them, saying how many reports the plan takes.
 */
function planStage(
  { checked, condition }: LogicalQuery,
  refused: readonly Diagnostic[],
  ctx: Context,
  planning: "hint" | "plan",
): Runnable {
  const { maxReports, maxDiagnostics } = ctx.limits;
  const planned = planCondition(condition, maxReports, findingsFor(checked, ctx));
  const oneReport = planned.ok && planned.plan.reports.length === 1 && planned.plan.combine.kind === "report";
  const hint = planning === "hint" && !oneReport ? planHint(planned, maxReports) : undefined;
  const carried = hint
    ? refused.map((d) => (isRefusal(d) ? { ...d, hints: [...d.hints, hint] } : d))
    : refused.filter((d) => !isRefusal(d));
  ctx.diagnostics = new DiagnosticCollector([...ctx.diagnostics.sorted(), ...carried], maxDiagnostics);
  // One report warns about its window as compile's does (withFilter); several, over the condition.
  if (!oneReport) {
    const { window, nowSeconds, windowClauseSpan } = checked;
    const { source } = ctx;
    warnAboutPlanWindowCoverage(
      { term: condition.term, logic: checked.condition, window, nowSeconds, windowClauseSpan, source },
      ctx.diagnostics,
    );
  }
  if (oneReport)
    return { normalized: withFilter(checked, planned.plan.reports[0]!, ctx.source, ctx.diagnostics) };
  if (hint) return {};
  if (planned.ok) return { logical: planned.plan };
  reportTooManyReports(planned, maxReports, ctx.diagnostics, ctx.options.settingWords);
  return {};
}

function emitStage(normalized: NormalizedQuery, ctx: Context): ContactActivityRequest {
  const { requestFlags } = ctx.options;
  return emitRequest(
    normalized,
    requestFlags ? { ...defaultRequestFlags, ...requestFlags } : defaultRequestFlags,
  );
}

/** A context for a composition that starts from the text. */
function fromText(entryPoint: string, text: string, options: CompileOptions): Context {
  validateText(entryPoint, text);
  validateOptions(entryPoint, options);
  return contextOf(new SourceText(text, options.fileName), [], options);
}

/** A context for a stage run on its own, carrying on from the previous stage's result. */
function after(entryPoint: string, previous: Diagnosed, options: CompileOptions): Context {
  validateOptions(entryPoint, options);
  return contextOf(previous.source, previous.diagnostics, options);
}

function contextOf(source: SourceText, earlier: readonly Diagnostic[], options: CompileOptions): Context {
  const limits = resolveLimits(options.limits);
  return { source, options, limits, diagnostics: new DiagnosticCollector(earlier, limits.maxDiagnostics) };
}

function withNow(ctx: Context): CheckContext {
  const checking = ctx as CheckContext;
  checking.nowSeconds = resolveNow(ctx.options.now);
  return checking;
}

/**
 * The one safety net: runs a composition of stages and returns its result with the diagnostics.
 * For library users, a bug in oq becomes the diagnostic OQ999, not an exception in their service.
 */
function safely<T extends object>(ctx: Context, compose: () => T): T & Diagnosed {
  let result: T;
  try {
    result = compose();
  } catch (error) {
    ctx.diagnostics.error(
      "OQ999",
      `internal error in oq: ${error instanceof Error ? error.message : String(error)}`,
      ctx.source.spanOf(0, 0),
      { hints: ["this is a bug in oq, not in your query; please report it with the query"] },
    );
    result = {} as T;
  }
  const diagnosed = result as T & Diagnosed;
  diagnosed.diagnostics = ctx.diagnostics.sorted();
  diagnosed.source = ctx.source;
  diagnosed.ok = !ctx.diagnostics.hasErrors;
  return diagnosed;
}

/*
 * The compositions. Each entry point below runs one under the safety net, then the fix gate:
 * every suggestion is applied and the text run through the same composition again
 * (diagnostics/checkedFixes.ts), so no entry point can show a fix the compiler has not confirmed.
 */

function parseComposition(ctx: Context): { ast?: Query } {
  const ast = parseStage(ctx.source, ctx);
  return ast ? { ast } : {};
}

function checkComposition(ctx: CheckContext): { ast?: Query; checked?: CheckedQuery } {
  const ast = parseStage(ctx.source, ctx);
  const checked = ast && checkStage(ast, ctx);
  return checked ? { ast, checked } : ast ? { ast } : {};
}

function normalizeComposition(ctx: CheckContext): { normalized?: NormalizedQuery } {
  const { checked } = checkComposition(ctx);
  const logical = checked && logicStage(checked, ctx);
  const normalized = logical && flattenStage(logical, ctx);
  return normalized ? { normalized } : {};
}

function compileComposition(ctx: CheckContext): { payload?: ContactActivityRequest } {
  const { checked } = checkComposition(ctx);
  const logical = checked && logicStage(checked, ctx);
  const ran: Runnable = logical ? flattenOrPlan(logical, ctx, "hint") : {};
  return ran.normalized ? { payload: emitStage(ran.normalized, ctx) } : {};
}

function runnableComposition(ctx: CheckContext): Runnable & { checked?: CheckedQuery } {
  const { checked } = checkComposition(ctx);
  const logical = checked && logicStage(checked, ctx);
  if (!logical) return checked ? { checked } : {};
  return { checked, ...flattenOrPlan(logical, ctx, "plan") };
}

function planComposition(ctx: CheckContext): Omit<PlanResult, keyof Diagnosed> {
  const { checked, normalized, logical } = runnableComposition(ctx);
  if (normalized) return { payload: emitStage(normalized, ctx) };
  if (!checked || !logical) return {};
  const flags = { ...defaultRequestFlags, ...ctx.options.requestFlags };
  return { plan: emitPlan(checked, logical, flags), words: describePlan(logical) };
}

function compileFilterComposition(ctx: CheckContext): { criteria?: ContactActivityCriterion[] } {
  const { ast, checked } = checkComposition(ctx);
  // The caller sends the window, so the query's window says nothing: no OQ233.
  const logical = checked && logicStage(checked, ctx);
  const normalized = logical && flattenStage(logical, ctx, true);
  if (!ast || !normalized) return {};
  if (ast.clauses.length === 0) return { criteria: emitCriteria(normalized.filter) };
  for (const clause of ast.clauses) {
    ctx.diagnostics.error(
      "OQ250",
      `a filter is only a condition; '${clause.kind.toLowerCase()}' belongs to a full query`,
      clause.span,
      { hints: ["remove it, or use compile() for a whole request"] },
    );
  }
  return {};
}

/**
 * `result` with only the fixes the compiler confirms: `composition`, run again from the text with
 * each fix applied, must show its problem gone and its place right. A re-check reads the clock
 * the result was made with (one "now" for a query and its fixes), and does not check the options
 * again (with a big schema that is the costly part).
 */
function withCheckedFixes<T extends Diagnosed>(
  result: T,
  options: CompileOptions,
  nowSeconds: number,
  composition: (ctx: CheckContext) => object,
): T {
  if (!result.diagnostics.some((diagnostic) => diagnostic.suggestions.length > 0)) return result;
  const recheck = (text: string) => {
    const ctx: CheckContext = {
      ...contextOf(new SourceText(text, options.fileName), [], options),
      nowSeconds,
    };
    return safely(ctx, () => composition(ctx)).diagnostics;
  };
  result.diagnostics = checkedFixes(result.source.text, result.diagnostics, recheck);
  return result;
}

/** `composition` run from the text under the safety net, then through the fix gate. */
function fromTextThroughGate<T extends object>(
  entryPoint: string,
  text: string,
  options: CompileOptions,
  composition: (ctx: CheckContext) => T,
): T & Diagnosed {
  const ctx = withNow(fromText(entryPoint, text, options));
  return withCheckedFixes(
    safely(ctx, () => composition(ctx)),
    options,
    ctx.nowSeconds,
    composition,
  );
}

/** Source text -> AST, with lexical and syntax diagnostics. */
export function parse(text: string, options: CompileOptions = {}): ParseResult {
  const ctx = fromText("parse", text, options);
  // Parsing reads no clock: the re-checks parse only.
  return withCheckedFixes(
    safely(ctx, () => parseComposition(ctx)),
    options,
    0,
    parseComposition,
  );
}

/**
 * AST -> checked query: fields, operators and values by type, the window, title and other
 * clauses. The condition stays the tree the user wrote; `normalize` flattens it.
 */
export function check(parsed: ParseResult, options: CompileOptions = {}): CheckResult {
  const ctx = withNow(after("check", parsed, options));
  const result = safely(ctx, () => {
    const checked = parsed.ast && checkStage(parsed.ast, ctx);
    return checked ? { checked } : {};
  });
  return withCheckedFixes(result, options, ctx.nowSeconds, checkComposition);
}

/**
 * Checked query -> the query Ongage can take: `not` pushed down to the criteria, nested and/or
 * flattened, redundancy dropped, or-ed values merged; a condition that still mixes and/or is
 * refused. Also warns when a condition on an activity date reaches outside the window (OQ233).
 */
export function normalize(checked: CheckResult, options: CompileOptions = {}): NormalizeResult {
  const ctx = after("normalize", checked, options);
  const result = safely(ctx, () => {
    const logical = checked.checked && logicStage(checked.checked, ctx);
    const normalized = logical && flattenStage(logical, ctx);
    return normalized ? { normalized } : {};
  });
  const nowSeconds = checked.checked?.nowSeconds ?? resolveNow(options.now);
  return withCheckedFixes(result, options, nowSeconds, normalizeComposition);
}

/**
 * Normalised query -> the request body. `requestFlags` are the settings `compile` takes (a
 * query's `flags` clause wins over them); default: both true. Never fails on a normalised query,
 * so unlike the other stages it returns the body itself, with no diagnostics and no safety net:
 * it throws only on a programming error (a TypeError for request flags of the wrong shape, or a
 * bug in oq, which `compile`, running the same stage, reports as OQ999).
 */
export function emit(
  normalized: NormalizedQuery,
  requestFlags: Partial<RequestFlags> = {},
): ContactActivityRequest {
  validateOptions("emit", { requestFlags });
  return emitRequest(normalized, { ...defaultRequestFlags, ...requestFlags });
}

/**
 * The whole pipeline: source text -> the JSON body of `POST /api/contact_activity`, or
 * diagnostics saying what is wrong. Never throws on bad input; throws a TypeError when called
 * wrongly (text that is not a string, an option of the wrong shape). (The emitted body always
 * satisfies ContactActivityRequestSchema; the property tests hold the emitter to that.) A
 * condition only a plan runs is refused, with a hint that says so.
 */
export function compile(text: string, options: CompileOptions = {}): CompileResult {
  return fromTextThroughGate("compile", text, options, compileComposition);
}

/**
 * A query as what runs: one request body when one report says it exactly (byte for byte what
 * compile() gives), or a plan of several reports and set operations on their contacts
 * (docs/plans.md). Beyond `limits.maxReports` reports: OQ242, pointing at the part that needs
 * the most. Never throws on bad input.
 */
export function plan(text: string, options: CompileOptions = {}): PlanResult {
  return fromTextThroughGate("plan", text, options, planComposition);
}

/**
 * What plan() runs, by stage, for what reads more than the request (explain): the checked
 * query, and the normalised query (one report) or the logical plan, with plan()'s diagnostics.
 */
export function planStages(entryPoint: string, text: string, options: CompileOptions) {
  const ctx = withNow(fromText(entryPoint, text, options));
  let checked: CheckedQuery | undefined;
  const ran = safely(ctx, (): Runnable => {
    const { checked: found, ...runnable } = runnableComposition(ctx);
    checked = found;
    return runnable;
  });
  const normalized = withCheckedFixes(ran, options, ctx.nowSeconds, planComposition);
  return { checked, normalized, logical: normalized.logical };
}

/**
 * Just the `filters.criteria` array for a condition, for callers who build the rest of the
 * request themselves. Clauses (select, during, ...) belong to full queries and are refused.
 */
export function compileFilter(text: string, options: CompileOptions = {}): CompileFilterResult {
  return fromTextThroughGate("compileFilter", text, options, compileFilterComposition);
}

/** Renders a result's diagnostics with carets and help lines, as the CLI prints them. */
export function formatDiagnostics(result: Diagnosed, options: RenderOptions = {}): string {
  return renderDiagnostics(result.diagnostics, result.source, options);
}
