import type { Diagnostic, DiagnosticCollector } from "../diagnostics/diagnostic.js";
import type { SourceText, Span } from "../diagnostics/source.js";
import { dayWordOf } from "../language/calendarWords.js";
import type { FieldType } from "../language/vocabulary.js";
import { dateSource, durationSource, numberSource } from "../lexer/tokenPatterns.js";
import type * as ast from "../parser/ast.js";
import { durationValue } from "../parser/nodes.js";
import { operandsOf } from "../parser/operators.js";
import { printNumber } from "../parser/printNumber.js";
import { printString } from "../parser/printer.js";
import type { Limits } from "../language/limits.js";
import type { FieldCatalog } from "./fieldCatalog.js";
import { paramValueProblems, type ValueProblem } from "./paramValueProblems.js";
import { closestMatch } from "../diagnostics/suggest.js";
import { commandLineSettingWords, type SettingWords } from "../diagnostics/settingWords.js";

/*
 * Parameters are bound after parsing: each `$name` is replaced by the literal node its value
 * stands for in that place, and the checker then checks that node as if it had been written. A
 * value is never read as query text, so it cannot change the structure of the query.
 */

/** A parameter's value as a caller gives it: text, a number, or a list of those. */
export type ParamValue = string | number | readonly (string | number)[];

/**
 * A value bound by the caller and where it came from (`--param domain`, `options.params`). The
 * value is as the caller gave it, checked here (paramValueProblems).
 */
interface ParamBinding {
  value: unknown;
  source: string;
}

/** What one parameter stood for in a compiled query, for `oq explain` and messages. */
export interface BoundParameter {
  name: string;
  /** Absent when the parameter was declared but neither bound nor given a default. */
  value?: ParamValue;
  /** `--param domain`, `weekly.params.json`, `the default on line 1`, `options.params`. */
  source?: string;
}

/** What a place in the query takes, which decides how a text value is read. */
type Expected = "text" | "number" | "date" | "duration" | "id";

const anchored = (source: string, flags = "") => new RegExp(`^(?:${source})$`, flags);
const wholeDate = anchored(dateSource);
const wholeRelativeDate = anchored(`(${durationSource})[ \\t]+ago`, "i");
const wholeDuration = anchored(durationSource, "i");
const wholeNumber = anchored(numberSource);

/** Where a parameter's value comes from, once resolved for one query. */
interface Resolved {
  /** The value as given (checked), or the default's literal nodes. */
  value: ParamValue | { literal: ast.Value[]; isList: boolean };
  source: string;
}

interface Placeholder {
  name: string;
  span: Span;
  resolved?: Resolved;
}

interface BindResult {
  query: ast.Query;
  parameters: BoundParameter[];
  /** Every bound `$name` in the query, for notePlaceholders. */
  placeholders: readonly Placeholder[];
}

/**
 * Every problem found at a placeholder says which parameter it is and where its value came
 * from (the checker, which reports it, sees only the literal).
 */
export function notePlaceholders(
  diagnostics: readonly Diagnostic[],
  placeholders: readonly Placeholder[],
): void {
  if (placeholders.length === 0) return;
  for (const diagnostic of diagnostics) {
    if (diagnostic.code === "OQ274") continue;
    const at = placeholders.find((placeholder) => within(diagnostic.span, placeholder.span));
    if (!at) continue;
    diagnostic.hints.push(`$${at.name} is ${describe(at.resolved!)}`);
    // A fix that rewrites the placeholder would put a value into the text: the value is what to
    // change, so the fix becomes advice about the value.
    const [inside, outside] = partition(diagnostic.suggestions, (suggestion) =>
      within(suggestion.span, at.span),
    );
    for (const suggestion of inside)
      diagnostic.hints.push(`for the value of $${at.name}: ${suggestion.message}`);
    diagnostic.suggestions = outside;
  }
}

/** What binding needs: the caller's values, and what decides how a value reads. */
export interface BindOptions {
  /** The values for `$name` parameters, as the caller gives them. */
  params?: Readonly<Record<string, ParamValue>>;
  /** Where each of `params` came from, as messages name it; default `options.params`. */
  paramSources?: Readonly<Record<string, string>>;
  catalog: FieldCatalog;
  limits: Limits;
  /** How advice names the caller's settings (`--param` or `.param`); default: the command line's. */
  settingWords?: SettingWords;
}

/**
 * Replaces every `$name` of `query` by the literal its value stands for, reporting parameters
 * that are unbound, unused, declared twice, or bound to a value that cannot stand in their place.
 */
export function bindParameters(
  query: ast.Query,
  options: BindOptions,
  source: SourceText,
  diagnostics: DiagnosticCollector,
): BindResult {
  const { catalog, limits, settingWords = commandLineSettingWords } = options;
  return new Binder(bindingsOf(options), catalog, source, diagnostics, limits, settingWords).run(query);
}

/** The caller's values, each with where it came from (`options.params` unless the caller says). */
function bindingsOf({ params, paramSources }: BindOptions): Map<string, ParamBinding> {
  const bindings = new Map<string, ParamBinding>();
  const sources = paramSources ?? {};
  for (const [name, value] of Object.entries(params ?? {})) {
    // `{ domain: undefined }` leaves domain unbound, as a missing key does.
    if (value === undefined) continue;
    bindings.set(name, {
      value,
      source: Object.hasOwn(sources, name) ? sources[name]! : "options.params",
    });
  }
  return bindings;
}

class Binder {
  private readonly declared = new Map<string, ast.ParamDeclaration>();
  private readonly used = new Set<string>();
  private readonly placeholders: Placeholder[] = [];
  /** Names offered for a misspelled `$name`: not also reported as unused. */
  private readonly offered = new Set<string>();
  /** Bound values that cannot be used: the wrong shape, or beyond the limits. */
  private readonly problems: Map<string, ValueProblem>;

  constructor(
    private readonly bindings: ReadonlyMap<string, ParamBinding>,
    private readonly catalog: FieldCatalog,
    private readonly source: SourceText,
    private readonly diagnostics: DiagnosticCollector,
    limits: Limits,
    private readonly settingWords: SettingWords,
  ) {
    this.problems = paramValueProblems(
      [...bindings].map(([name, binding]) => [name, binding.value]),
      limits,
    );
  }

  run(query: ast.Query): BindResult {
    for (const declaration of query.params ?? []) this.declare(declaration);
    const bound: ast.Query = { ...query, clauses: [] };
    for (const clause of query.clauses) {
      const replaced = this.clause(clause);
      if (replaced) bound.clauses.push(replaced);
    }
    if (query.condition) bound.condition = this.condition(query.condition);
    this.reportUnused(query);
    return { query: bound, parameters: this.summary(), placeholders: this.placeholders };
  }

  private declare(declaration: ast.ParamDeclaration): void {
    // A second declaration is a structure error (checkStructure, OQ273); the first one counts.
    if (this.declared.has(declaration.name)) return;
    this.declared.set(declaration.name, declaration);
    for (const value of declaration.default?.values ?? []) {
      if (value.kind === "Parameter") {
        this.diagnostics.error(
          "OQ274",
          "a parameter's default is a value, not another parameter",
          value.span,
          {
            hints: [`write a value, e.g. param ${declaration.name} = "text"`],
          },
        );
      }
    }
  }

  private resolve(name: string): Resolved | undefined {
    const bound = this.bindings.get(name);
    if (bound) return bound as Resolved;
    const defaultValue = this.declared.get(name)?.default;
    if (!defaultValue || defaultValue.values.some((value) => value.kind === "Parameter")) return undefined;
    return {
      value: { literal: defaultValue.values, isList: defaultValue.isList },
      source: `the default on line ${defaultValue.span.start.line}`,
    };
  }

  /** The placeholder's value, or undefined (and reported) when nothing binds it. */
  private use(parameter: ast.ParameterValue): Placeholder | undefined {
    this.used.add(parameter.name);
    if (this.problems.has(parameter.name)) {
      this.reportProblem(parameter.name, parameter.span, "this parameter's value cannot be used");
      return undefined;
    }
    const resolved = this.resolve(parameter.name);
    if (!resolved) {
      const known = [...this.bindings.keys(), ...this.declared.keys()].filter(
        (name) => name !== parameter.name,
      );
      const meant = closestMatch(parameter.name, known);
      if (meant) this.offered.add(meant);
      this.diagnostics.error("OQ270", `the parameter $${parameter.name} has no value`, parameter.span, {
        label: "not bound",
        suggestions: meant
          ? [{ message: `did you mean $${meant}?`, span: parameter.span, replacement: `$${meant}` }]
          : [],
        hints: [
          `bind it: ${this.settingWords.bindParam(parameter.name)}`,
          `or declare a default at the top of the query: param ${parameter.name} = ...`,
        ],
      });
      return undefined;
    }
    const placeholder = { name: parameter.name, span: parameter.span, resolved };
    this.placeholders.push(placeholder);
    return placeholder;
  }

  // ----- the tree -----

  private clause(clause: ast.Clause): ast.Clause | undefined {
    switch (clause.kind) {
      case "Title": {
        if (clause.title.kind !== "Parameter") return clause;
        const title = this.one(clause.title, "text");
        if (!title) return undefined;
        if (title.kind !== "String") return this.misplaced(clause.title, "the title is text");
        return { ...clause, title };
      }
      case "During": {
        if (clause.duration.kind !== "Parameter") return clause;
        const duration = this.one(clause.duration, "duration");
        if (!duration) return undefined;
        if (duration.kind !== "Duration")
          return this.misplaced(clause.duration, "'during' takes a duration, e.g. 30d");
        return { ...clause, duration };
      }
      case "Users": {
        if (!clause.parameter) return clause;
        const word = this.one(clause.parameter, "text");
        if (!word) return undefined;
        if (word.kind !== "String")
          return this.misplaced(clause.parameter, "'users' takes a word, e.g. active");
        const { parameter: _bound, ...rest } = clause;
        return { ...rest, userType: word.value };
      }
      case "Between": {
        const from = this.scalar(clause.from, "date");
        const to = this.scalar(clause.to, "date");
        if (!from || !to) return undefined;
        return from === clause.from && to === clause.to ? clause : { ...clause, from, to };
      }
      default:
        return clause;
    }
  }

  private condition(node: ast.Condition): ast.Condition {
    switch (node.kind) {
      case "And":
      case "Or":
        return { ...node, operands: node.operands.map((operand) => this.condition(operand)) };
      case "Not":
        return { ...node, operand: this.condition(node.operand) };
      case "Comparison": {
        const expected = expectedFor(this.catalog.lookup(node.field.name)?.type);
        const list = operandsOf(node.operator) === "values";
        const values = this.values(node.values, node.isList, list, expected);
        if (!values) return { kind: "InvalidCondition", span: node.span };
        return values.values === node.values ? node : { ...node, ...values };
      }
      case "SegmentTest":
      case "BehavioralTest": {
        const ids = this.values(node.ids, node.isList, true, "id");
        if (!ids) return { kind: "InvalidCondition", span: node.span };
        return ids.values === node.ids ? node : { ...node, ids: ids.values, isList: ids.isList };
      }
      default:
        return node;
    }
  }

  /** The values of a comparison or test; a parameter written alone where a list may stand can be a list. */
  private values(
    values: ast.Value[],
    isList: boolean,
    listMayStand: boolean,
    expected: Expected,
  ): { values: ast.Value[]; isList: boolean } | undefined {
    if (!values.some((value) => value.kind === "Parameter")) return { values, isList };
    const only = values[0]!;
    if (listMayStand && !isList && values.length === 1 && only.kind === "Parameter") {
      const placeholder = this.use(only);
      if (!placeholder) return undefined;
      const literal = this.literals(placeholder, expected);
      if (literal.values.length === 0) {
        this.misplaced(only, "a list needs at least one value");
        return undefined;
      }
      return literal;
    }
    const replaced = values.map((value) => this.scalar(value, expected));
    if (replaced.some((value) => value === undefined)) return undefined;
    return { values: replaced as ast.Value[], isList };
  }

  /** A value that must be one value (not a list). */
  private scalar(value: ast.Value, expected: Expected): ast.Value | undefined {
    return value.kind === "Parameter" ? this.one(value, expected) : value;
  }

  private one(parameter: ast.ParameterValue, expected: Expected): ast.Value | undefined {
    const placeholder = this.use(parameter);
    if (!placeholder) return undefined;
    const literal = this.literals(placeholder, expected);
    if (literal.isList || literal.values.length !== 1) {
      this.misplaced(parameter, "one value goes here, not a list");
      return undefined;
    }
    return literal.values[0];
  }

  private literals(placeholder: Placeholder, expected: Expected): { values: ast.Value[]; isList: boolean } {
    const { value } = placeholder.resolved!;
    const span = placeholder.span;
    if (typeof value === "object" && "literal" in value) {
      const fromParameter = placeholder.name;
      return {
        values: value.literal.map((node) => ({ ...node, span, fromParameter }) as ast.Value),
        isList: value.isList,
      };
    }
    if (Array.isArray(value)) {
      return {
        values: (value as (string | number)[]).map((item) =>
          literalOf(item, expected, span, placeholder.name),
        ),
        isList: true,
      };
    }
    return { values: [literalOf(value as string | number, expected, span, placeholder.name)], isList: false };
  }

  private misplaced(parameter: ast.ParameterValue, why: string): undefined {
    const resolved = this.resolve(parameter.name);
    this.diagnostics.error(
      "OQ274",
      `$${parameter.name} is bound to ${resolved ? describe(resolved) : "nothing"}, which cannot stand here: ${why}`,
      parameter.span,
      { label: "this parameter's value does not fit here" },
    );
    return undefined;
  }

  // ----- reports -----

  private reportProblem(name: string, span: Span, label: string): void {
    const problem = this.problems.get(name)!;
    this.diagnostics.error(
      problem.code,
      `the value of $${name} (from ${this.bindings.get(name)!.source}) ${problem.what}`,
      span,
      { label, hints: [problem.hint] },
    );
  }

  private reportUnused(query: ast.Query): void {
    // A value that cannot be used is an error even where the query does not use it: the caller
    // passed something wrong, whichever query it was meant for.
    for (const name of this.problems.keys()) {
      if (this.used.has(name)) continue;
      const declaration = this.declared.get(name);
      this.reportProblem(
        name,
        declaration?.nameSpan ?? this.source.spanOf(0, 0),
        `bound by ${this.bindings.get(name)!.source}`,
      );
    }
    for (const declaration of query.params ?? []) {
      if (this.used.has(declaration.name) || this.declared.get(declaration.name) !== declaration) continue;
      this.diagnostics.warning(
        "OQ272",
        `the parameter ${declaration.name} is declared but not used`,
        declaration.span,
        {
          hints: [`use it as $${declaration.name}, or remove the declaration`],
        },
      );
    }
    for (const [name, binding] of this.bindings) {
      if (this.used.has(name) || this.declared.has(name) || this.problems.has(name)) continue;
      if (this.offered.has(name)) continue;
      // The value comes from outside the text: the span is only where the message can point.
      this.diagnostics.warning(
        "OQ271",
        `the parameter ${name} is bound (${binding.source}) but the query does not use it`,
        this.source.spanOf(0, 0),
        {
          label: `bound by ${binding.source}`,
          hints: [`write $${name} where its value goes, or stop binding it`],
        },
      );
    }
  }

  private summary(): BoundParameter[] {
    const names = new Set([...this.declared.keys(), ...this.used]);
    return [...names].map((name) => {
      const resolved = this.resolve(name);
      const parameter: BoundParameter = { name };
      if (resolved && !this.problems.has(name)) {
        parameter.value = plainValue(resolved.value);
        parameter.source = resolved.source;
      }
      return parameter;
    });
  }
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}

function within(inner: Span, outer: Span): boolean {
  return outer.start.offset <= inner.start.offset && inner.end.offset <= outer.end.offset;
}

/** What a place compared with a field of `type` takes. */
function expectedFor(type: FieldType | undefined): Expected {
  switch (type) {
    case "numeric":
      return "number";
    case "date":
      return "date";
    case "id":
      return "id";
    default:
      return "text";
  }
}

/**
 * The literal a value stands for where `expected` goes. Text is read as a date, duration or
 * number only when the whole text is exactly one such literal; otherwise it is text, and the
 * checker's rules for text in that place apply.
 */
function literalOf(value: string | number, expected: Expected, span: Span, fromParameter: string): ast.Value {
  const literal = literalNodeOf(value, expected, span);
  literal.fromParameter = fromParameter;
  return literal;
}

function literalNodeOf(
  value: string | number,
  expected: Expected,
  span: Span,
): Exclude<ast.Value, ast.ParameterValue> {
  // Checked as the literal it would be written as, so that a number JSON cannot carry exactly
  // (1e21, 1e-7) is the same error as that literal.
  if (typeof value === "number") return { kind: "Number", value, raw: printNumber(value), span };
  if (expected === "date") {
    if (wholeDate.test(value)) return { kind: "Date", raw: value, span };
    const day = dayWordOf(value.toLowerCase());
    if (day) return { kind: "Date", raw: day, span };
    const relative = wholeRelativeDate.exec(value);
    if (relative) return { kind: "RelativeDate", duration: durationValue(relative[1]!, span), span };
  }
  if (expected === "duration" && wholeDuration.test(value)) return durationValue(value, span);
  if (expected === "number" && wholeNumber.test(value))
    return { kind: "Number", value: Number(value), raw: value, span };
  return { kind: "String", value, span };
}

function plainValue(value: Resolved["value"]): ParamValue {
  if (typeof value !== "object" || Array.isArray(value)) return value as ParamValue;
  const { literal, isList } = value as { literal: ast.Value[]; isList: boolean };
  const items = literal.map(literalText);
  return isList ? items : items[0]!;
}

/** A default's literal as the value it stands for (text for dates and durations, as written). */
function literalText(value: ast.Value): string | number {
  switch (value.kind) {
    case "String":
      return value.value;
    case "Number":
      return value.value;
    case "Date":
    case "Duration":
      return value.raw;
    case "RelativeDate":
      return `${value.duration.raw} ago`;
    case "Parameter":
      return `$${value.name}`;
  }
}

function describe(resolved: Resolved): string {
  const value = plainValue(resolved.value);
  const shown = (item: string | number) => (typeof item === "number" ? String(item) : printString(item));
  const text = Array.isArray(value)
    ? `[${(value as (string | number)[]).map(shown).join(", ")}]`
    : shown(value as string | number);
  return `${text} (from ${resolved.source})`;
}
