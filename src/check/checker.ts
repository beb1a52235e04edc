import type { DiagnosticCollector } from "../diagnostics/diagnostic.js";
import type { SourceText, Span } from "../diagnostics/source.js";
import type * as ast from "../parser/ast.js";
import {
  requestFlagNames,
  type CheckedQuery,
  type Criterion,
  type Logic,
  type TimeWindow,
} from "./criteria.js";
import { type FieldCatalog, type FieldInfo } from "./fieldCatalog.js";
import { describeType, meaningOf, operatorsByType, operatorsFor, oqSpelling } from "./operators.js";
import { shortenText } from "./shortenText.js";
import { checkStructure } from "./structure.js";
import { closestMatch } from "../diagnostics/suggest.js";
import type { SettingWords } from "../diagnostics/settingWords.js";
import { warnWildcards } from "./wildcards.js";
import { formatEpochSeconds } from "./time.js";
import { printCondition } from "../parser/printer.js";
import { compareValues, orderingOperators, ValueChecker } from "./values.js";
import {
  campaignActions,
  confirmedUserTypes,
  isNegatedListOperator,
  maxTitleLength,
  queryDefaults,
  unconfirmedUserTypes,
  userTypes,
} from "../language/vocabulary.js";

/** More fields named like an unknown one than this are listed in a hint, not offered as fixes. */
const maxFieldGuesses = 3;

export interface CheckOptions {
  /** "Now", for `during` and `30d ago`, in Unix seconds. */
  nowSeconds: number;
  catalog: FieldCatalog;
  /** The file the query came from; its name becomes the default title. */
  fileName?: string;
  /** The query had parameters, bound before checking: note which values came from them. */
  parametersBound?: boolean;
  /** How advice names the caller's settings (the field schema). */
  settingWords: SettingWords;
}

/**
 * Checks a parsed query against the field catalog and Ongage's rules and works out its meaning.
 * Returns undefined when anything is wrong; every problem is reported to `diagnostics`.
 */
export function checkQuery(
  query: ast.Query,
  source: SourceText,
  options: CheckOptions,
  diagnostics: DiagnosticCollector,
): CheckedQuery | undefined {
  return new Checker(source, options, diagnostics).run(query);
}

class Checker {
  private readonly values: ValueChecker;

  constructor(
    private readonly source: SourceText,
    private readonly options: CheckOptions,
    private readonly diagnostics: DiagnosticCollector,
  ) {
    this.values = new ValueChecker(diagnostics, options.nowSeconds);
  }

  run(query: ast.Query): CheckedQuery | undefined {
    const clauses = checkStructure(query, this.source, this.diagnostics);
    const logic = query.condition ? this.condition(query.condition) : undefined;

    const title = this.title(clauses.Title, query);
    const window = this.window(clauses.During, clauses.Between);
    const userType = this.userType(clauses.Users);
    const selectedFields = this.selectedFields(clauses.Select);
    const requestFlags = clauses.Flags ? this.requestFlags(clauses.Flags) : undefined;

    // The and/or analysis (normalise) speaks of the whole condition, so a query goes on only when
    // every part is valid.
    if (
      this.diagnostics.hasErrors ||
      !logic ||
      title === undefined ||
      !window ||
      !userType ||
      !selectedFields ||
      (clauses.Flags && !requestFlags)
    ) {
      return undefined;
    }
    const checked: CheckedQuery = {
      title,
      condition: logic,
      window,
      userType,
      selectedFields,
      favorite: clauses.Favorite !== undefined,
      nowSeconds: this.options.nowSeconds,
    };
    const windowClause = clauses.During ?? clauses.Between;
    if (windowClause) checked.windowClauseSpan = windowClause.span;
    if (requestFlags) checked.requestFlags = requestFlags;
    return checked;
  }

  // ----- clauses -----

  private title(clause: ast.TitleClause | undefined, query: ast.Query): string | undefined {
    // A parameter is bound before the checker runs (parameters.ts); one left here had no value.
    if (clause?.title.kind === "Parameter") return undefined;
    if (clause) {
      const title = clause.title.value.trim();
      if (title === "") {
        this.diagnostics.error("OQ205", "the title is empty", clause.title.span, {
          hints: ['write a title, e.g. title "Active gmail contacts", or leave the clause out'],
        });
        return undefined;
      }
      if (title.length > maxTitleLength) {
        this.diagnostics.warning(
          "OQ206",
          `this title is ${title.length} characters long; Ongage may cut titles longer than ${maxTitleLength}`,
          clause.title.span,
        );
      }
      return title;
    }
    if (this.options.fileName) {
      const base = this.options.fileName.split(/[\\/]/).pop() ?? this.options.fileName;
      const name = base.replace(/\.oq$/i, "");
      // "<stdin>" and the like name no file.
      if (name !== "" && name !== "-" && !/^<.*>$/.test(name)) return name;
    }
    return defaultTitleFromCondition(query);
  }

  private window(
    during: ast.DuringClause | undefined,
    between: ast.BetweenClause | undefined,
  ): TimeWindow | undefined {
    const now = this.options.nowSeconds;
    if (between) {
      const from = this.values.date(between.from, "'between'", "start");
      const to = this.values.date(between.to, "'between'", "end");
      if (from === undefined || to === undefined) return undefined;
      if (from > to) {
        this.diagnostics.error("OQ207", "the window ends before it starts", between.span, {
          suggestions: [
            {
              message: "swap the two dates",
              span: between.span,
              replacement: `between ${this.source.text.slice(between.to.span.start.offset, between.to.span.end.offset)} and ${this.source.text.slice(between.from.span.start.offset, between.from.span.end.offset)}`,
            },
          ],
        });
        return undefined;
      }
      return this.windowAfter1970({ from, to }, between.span);
    }
    if (during) {
      if (during.duration.kind === "Parameter") return undefined;
      const from = this.values.before(during.duration);
      return from === undefined ? undefined : this.windowAfter1970({ from, to: now }, during.span);
    }
    return this.windowAfter1970(
      { from: now - queryDefaults.windowSeconds, to: now },
      this.source.spanOf(0, 0),
    );
  }

  /** from_date and to_date are Unix seconds, which Ongage's request does not take below zero. */
  private windowAfter1970(window: TimeWindow, span: Span): TimeWindow | undefined {
    if (window.from >= 0) return window;
    this.diagnostics.error(
      "OQ218",
      `the report window starts on ${formatEpochSeconds(window.from)}, before 1970-01-01`,
      span,
      {
        hints: [
          "Ongage takes the window as Unix seconds, which start on 1970-01-01 (UTC); start the window on that day or later",
        ],
      },
    );
    return undefined;
  }

  private userType(clause: ast.UsersClause | undefined): string | undefined {
    if (!clause) return queryDefaults.userType;
    // Bound before the checker runs (parameters.ts); one left here had no value.
    if (clause.parameter) return undefined;
    const word = clause.userType.toLowerCase();
    if ((confirmedUserTypes as readonly string[]).includes(word)) return word;
    if ((unconfirmedUserTypes as readonly string[]).includes(word)) {
      this.diagnostics.warning(
        "OQ208",
        `Ongage has not confirmed 'users ${word}'; only 'all' and 'active' are known to work`,
        clause.userTypeSpan,
        {
          hints: [
            "check the report's rows; to be safe use 'users all' with a condition such as ocx_status = \"" +
              word +
              '"',
          ],
        },
      );
      return word;
    }
    // `inactive` is one edit from `active` but means its opposite: no guess for a negated kind.
    const negatedKind = word.replace(/^(?:in|un|non|not)[-_]?/, "");
    const negated = negatedKind !== word && userTypes.includes(negatedKind);
    const guess = negated ? undefined : closestMatch(word, userTypes);
    const hints = [`the kinds are ${userTypes.join(", ")} (all and active are confirmed by Ongage)`];
    if (negated)
      hints.push(
        `for contacts who are not ${negatedKind}, keep 'users all' and add a condition on ocx_status, e.g. ocx_status != "${negatedKind}"`,
      );
    this.diagnostics.error("OQ209", `unknown kind of users '${clause.userType}'`, clause.userTypeSpan, {
      hints,
      suggestions: guess
        ? [{ message: `did you mean '${guess}'?`, span: clause.userTypeSpan, replacement: guess }]
        : [],
    });
    return undefined;
  }

  private selectedFields(clause: ast.SelectClause | undefined): string[] | undefined {
    if (!clause) return [...queryDefaults.selectedFields];
    const fields: string[] = [];
    let ok = true;
    for (const field of clause.fields) {
      if (!this.lookupField(field)) {
        ok = false;
        continue;
      }
      if (fields.includes(field.name)) {
        this.diagnostics.warning("OQ210", `'${field.name}' is selected twice`, field.span, {
          suggestions: [{ message: "remove the second one", span: field.span, replacement: "" }],
        });
        continue;
      }
      fields.push(field.name);
    }
    return ok ? fields : undefined;
  }

  /**
   * `flags include_behavior, combined_as_and = false`: the flags the request carries, each true
   * unless `= false`; a flag not named is left out. `flags none` sends neither.
   */
  private requestFlags(clause: ast.FlagsClause): CheckedQuery["requestFlags"] | undefined {
    const flags: NonNullable<CheckedQuery["requestFlags"]> = {};
    const [first] = clause.flags;
    if (clause.flags.length === 1 && first!.value === undefined && first!.name.toLowerCase() === "none")
      return flags;
    let ok = true;
    for (const flag of clause.flags) {
      const name = requestFlagNames.find((known) => known === flag.name);
      if (!name && flag.name.toLowerCase() === "none") {
        this.diagnostics.error("OQ261", "'none' sends no flags, so it stands alone", flag.span, {
          hints: ["write flags none to leave both flags out, or name the flags to send"],
        });
        ok = false;
        continue;
      }
      if (!name) {
        const guess = closestMatch(flag.name, requestFlagNames);
        this.diagnostics.error("OQ261", `unknown request flag '${flag.name}'`, flag.nameSpan, {
          hints: [`the flags are ${requestFlagNames.join(" and ")}; 'flags none' sends neither`],
          suggestions: guess
            ? [{ message: `did you mean '${guess}'?`, span: flag.nameSpan, replacement: guess }]
            : [],
        });
        ok = false;
        continue;
      }
      if (name in flags) {
        this.diagnostics.error("OQ261", `'${name}' is given twice`, flag.span, {
          hints: ["name each flag once"],
        });
        ok = false;
        continue;
      }
      const value = flag.value?.toLowerCase() ?? "true";
      if (value !== "true" && value !== "false") {
        this.diagnostics.error(
          "OQ261",
          `a request flag is true or false, not '${flag.value}'`,
          flag.valueSpan!,
          { hints: [`write ${name} = false, or just ${name} for true`] },
        );
        ok = false;
        continue;
      }
      flags[name] = value === "true";
    }
    return ok ? flags : undefined;
  }

  // ----- conditions -----

  /** `parents`: the kinds of the nodes around this one, innermost first (for hints spliced here). */
  private condition(node: ast.Condition, parents: readonly ConditionKind[] = []): Logic | undefined {
    switch (node.kind) {
      case "And":
      case "Or": {
        const inside: readonly ConditionKind[] = [node.kind, ...parents.slice(0, 1)];
        const operands = node.operands.map((operand) => this.condition(operand, inside));
        if (operands.some((operand) => operand === undefined)) return undefined;
        return { kind: node.kind === "And" ? "and" : "or", operands: operands as Logic[], span: node.span };
      }
      case "Not": {
        const operand = this.condition(node.operand, ["Not", ...parents.slice(0, 1)]);
        return operand && { kind: "not", operand, keywordSpan: node.keywordSpan, span: node.span };
      }
      case "Comparison":
        return this.comparison(node, parents);
      case "SegmentTest": {
        const ids = this.ids(node.ids, "segment");
        return (
          ids &&
          atom(
            this.withParameters(
              { fieldName: "segment", type: "segment", operator: "=", values: ids, caseSensitive: false },
              node.ids,
              ids,
            ),
            node.span,
          )
        );
      }
      case "BehavioralTest":
        return this.behavioral(node);
      case "InvalidCondition":
        return undefined;
    }
  }

  private ids(values: ast.Value[], what: string): string[] | undefined {
    const ids = values.map((value) => this.values.id(value, what));
    return ids.every((id): id is string => id !== undefined) ? [...new Set(ids)] : undefined;
  }

  private behavioral(node: ast.BehavioralTest): Logic | undefined {
    const action = campaignActions.find((word) => word === node.action.toLowerCase());
    const ids = this.ids(node.ids, "campaign");
    if (!action) {
      const guess =
        closestMatch(node.action.toLowerCase(), campaignActions) ??
        (node.action.toLowerCase().startsWith("open") ? "opened" : undefined);
      this.diagnostics.error("OQ211", `'${node.action}' is not a campaign action`, node.actionSpan, {
        hints: [`the campaign tests are: ${campaignActions.map((word) => `${word} campaign ID`).join(", ")}`],
        suggestions: guess
          ? [{ message: `did you mean '${guess}'?`, span: node.actionSpan, replacement: guess }]
          : [],
      });
      return undefined;
    }
    return (
      ids &&
      atom(
        this.withParameters(
          { fieldName: action, type: "behavioral", operator: "=", values: ids, caseSensitive: false },
          node.ids,
          ids,
        ),
        node.span,
      )
    );
  }

  private withParameters(
    criterion: Criterion,
    written: readonly ast.Value[],
    checked: readonly (string | number)[],
  ): Criterion {
    return this.options.parametersBound ? withParameters(criterion, written, checked) : criterion;
  }

  private lookupField(ref: ast.FieldRef): FieldInfo | undefined {
    const field = this.options.catalog.lookup(ref.name);
    if (field) return field;
    // Past the cap a diagnostic is only counted: spare the search for a suggestion.
    if (this.diagnostics.isFull) {
      this.diagnostics.error("OQ212", `unknown field '${ref.name}'`, ref.span);
      return undefined;
    }
    const hints: string[] = [];
    const lowered = ref.name.toLowerCase();
    const guesses = this.options.catalog.closestNames(ref.name);
    if (lowered === "segment") hints.push("to test segment membership write: in segment 1234567890");
    else if ((campaignActions as readonly string[]).includes(lowered))
      hints.push(`to test a campaign write: ${lowered} campaign 123`);
    else if (guesses.length > maxFieldGuesses) hints.push(`fields named like it: ${guesses.join(", ")}`);
    else if (guesses.length === 0) {
      if (!this.options.catalog.hasCustomFields) {
        hints.push(`custom list fields need a field schema: ${this.options.settingWords.fieldSchema}`);
      }
      hints.push(`the fields are ${this.options.catalog.names().join(", ")}`);
    }
    this.diagnostics.error("OQ212", `unknown field '${ref.name}'`, ref.span, {
      label: "not a field of this list",
      hints,
      suggestions:
        guesses.length > maxFieldGuesses
          ? []
          : guesses.map((guess) => ({
              message: `did you mean '${guess}'?`,
              span: ref.span,
              replacement: guess,
            })),
    });
    return undefined;
  }

  private comparison(node: ast.Comparison, parents: readonly ConditionKind[]): Logic | undefined {
    const field = this.lookupField(node.field);
    if (!field) {
      // The values can still be checked for shape errors of their own (a bad date, say).
      return undefined;
    }
    const { operator, negated } = meaningOf(node.operator);
    if (!operatorsByType[field.type].includes(operator)) {
      const hints = [`${describeType(field.type)} fields take ${operatorsFor(field.type)}`];
      if (operator === "><" && field.type === "date" && node.values.length === 2) {
        if (this.dateRangeIsEmpty(node, field, negated, parents)) return undefined;
        hints.unshift(`write: ${this.dateRangeWithOrderings(node, node.values, negated, parents)}`);
      }
      this.diagnostics.error(
        "OQ213",
        `'${node.operator}' does not apply to ${describeType(field.type)} fields like ${field.name}`,
        node.operatorSpan,
        {
          label: `not an operator for ${describeType(field.type)} fields`,
          hints,
        },
      );
      return undefined;
    }

    const values = node.values.map((value) =>
      this.values.forField(value, field.type, field.name, orderingOperators.has(operator)),
    );
    if (values.some((value) => value === undefined)) return undefined;
    let checkedValues = values as (string | number)[];
    if (
      field.type === "id" &&
      orderingOperators.has(operator) &&
      !this.values.orderableIds(node.values, checkedValues as string[], field.name)
    )
      return undefined;

    if (operator === "><") {
      const [low, high] = checkedValues;
      if (compareValues(low!, high!) > 0) {
        this.diagnostics.error("OQ214", `the range is empty: ${low} is greater than ${high}`, node.span, {
          suggestions: [
            {
              message: `write the smaller bound first: between ${high} and ${low}`,
              span: node.span,
              replacement: `${node.field.quoted ? `\`${node.field.name}\`` : node.field.name} between ${high} and ${low}`,
            },
          ],
        });
        return undefined;
      }
    } else if (checkedValues.length > 1) {
      checkedValues = [...new Set(checkedValues)];
    }

    if (node.caseSensitive !== undefined && field.type !== "string" && field.type !== "email") {
      this.diagnostics.error(
        "OQ215",
        `case sensitivity applies only to text and email fields, and ${field.name} is ${describeType(field.type)}`,
        node.caseSpan!,
        {
          suggestions: [{ message: "remove it", span: node.caseSpan!, replacement: "" }],
        },
      );
      return undefined;
    }

    warnWildcards(node, operator, negated, this.source, this.diagnostics);
    if (node.isList && checkedValues.length > 1 && isNegatedListOperator(operator)) {
      this.warnNegativeList(node, operator);
    }

    const criterion: Criterion = {
      fieldName: field.name,
      type: field.type,
      operator,
      values: checkedValues,
      caseSensitive: node.caseSensitive === true,
    };
    const result = atom(
      this.withParameters(criterion, node.values, values as (string | number)[]),
      node.span,
    );
    return negated
      ? { kind: "not", operand: result, keywordSpan: node.operatorSpan, span: node.span }
      : result;
  }

  /**
   * `between` on a date, written with the orderings dates take. A `not` in front (`not X between`,
   * `not (X between ...)`) is taken in: the text replaces the `not` with the comparison, and is
   * parenthesised where the surrounding and/or/not would otherwise take it apart.
   */
  private dateRangeWithOrderings(
    node: ast.Comparison,
    bounds: readonly ast.Value[],
    negated: boolean,
    parents: readonly ConditionKind[],
  ): string {
    // The user's own bounds: a bare date after `<=` takes in that whole day, as `between` would.
    const [low, high] = bounds.map((value) =>
      this.source.text.slice(value.span.start.offset, value.span.end.offset),
    );
    const name = node.field.quoted ? `\`${node.field.name}\`` : node.field.name;
    const underNot = parents[0] === "Not";
    const outside = underNot ? parents[1] : parents[0];
    const excluded = negated !== underNot;
    const text = excluded
      ? `${name} < ${low} or ${name} > ${high}`
      : `${name} >= ${low} and ${name} <= ${high}`;
    const needsParentheses = outside === "Not" || outside === (excluded ? "And" : "Or");
    return needsParentheses ? `(${text})` : text;
  }

  /** OQ214 for a date `between` whose bounds are the wrong way round, as for numbers. */
  private dateRangeIsEmpty(
    node: ast.Comparison,
    field: FieldInfo,
    negated: boolean,
    parents: readonly ConditionKind[],
  ): boolean {
    const [lowValue, highValue] = node.values as [ast.Value, ast.Value];
    if (lowValue.kind !== "Date" || highValue.kind !== "Date") return false;
    const low = this.values.date(lowValue, field.name, "start");
    const high = this.values.date(highValue, field.name, "end");
    if (low === undefined || high === undefined || low <= high) return false;
    this.diagnostics.error(
      "OQ214",
      `the range is empty: ${lowValue.raw} is after ${highValue.raw}`,
      node.span,
      {
        hints: [
          `'between' does not apply to date fields; with the smaller bound first, write: ${this.dateRangeWithOrderings(node, [highValue, lowValue], negated, parents)}`,
        ],
      },
    );
    return true;
  }

  private warnNegativeList(node: ast.Comparison, operator: "!=" | "NOT LIKE"): void {
    const field = node.field.quoted ? `\`${node.field.name}\`` : node.field.name;
    const list = this.source.text.slice(
      node.values[0]!.span.start.offset - 1,
      node.values.at(-1)!.span.end.offset + 1,
    );
    const positive = operator === "!=" ? `${field} not in ${list}` : `not (${field} contains ${list})`;
    this.diagnostics.warning(
      "OQ230",
      `'${oqSpelling[operator]}' with a list matches a contact when any one value differs, which is almost every contact`,
      node.operatorSpan,
      {
        hints: [
          "Ongage ORs the values of a list: this reads 'differs from the first, or from the second, ...'",
        ],
        suggestions: [
          {
            message: `to exclude all of the values write: ${positive}`,
            span: node.span,
            replacement: positive,
          },
        ],
      },
    );
  }
}

type ConditionKind = "And" | "Or" | "Not";

/**
 * Notes which values came from parameters. `checked` is `written` checked one by one (the same
 * order, before repeated values are dropped).
 */
function withParameters(
  criterion: Criterion,
  written: readonly ast.Value[],
  checked: readonly (string | number)[],
): Criterion {
  let parameterOf: Map<string | number, string> | undefined;
  written.forEach((value, index) => {
    if (value.kind === "Parameter" || value.fromParameter === undefined) return;
    (parameterOf ??= new Map()).set(checked[index]!, value.fromParameter);
  });
  if (parameterOf) criterion.parameterOf = parameterOf;
  return criterion;
}

function atom(criterion: Criterion, span: Span): Logic {
  return { kind: "atom", criterion, span };
}

/**
 * Without a title or a file name, the condition names the report, printed canonically so that
 * reformatting a query does not rename its report.
 */
function defaultTitleFromCondition(query: ast.Query): string {
  if (!query.condition) return "oq report";
  const text = printCondition(query.condition);
  return shortenText(text, 100);
}
