import type { DiagnosticCollector } from "../diagnostics/diagnostic.js";
import type { SourceText, Span } from "../diagnostics/source.js";
import type * as ast from "../parser/ast.js";
import type { Criterion, Logic } from "./checkedQuery.js";
import type { FieldCatalog, FieldInfo } from "./fieldCatalog.js";
import { describeType, meaningOf, operatorsByType, operatorsFor, oqSpelling } from "./operators.js";
import { closestMatch } from "../diagnostics/suggest.js";
import { warnWildcards } from "./wildcards.js";
import type { SettingWords } from "../diagnostics/settingWords.js";
import { compareValues, orderingOperators, type ValueChecker } from "./values.js";
import { campaignActions, isNegatedListOperator } from "../language/vocabulary.js";

/*
 * The condition of a query: each comparison, segment and campaign test checked against the
 * field catalog and Ongage's operator table, and resolved to a Criterion. The and/or/not tree
 * is kept as written (normalise flattens it). The clauses are checked by checkQuery.ts.
 */

interface ConditionOptions {
  catalog: FieldCatalog;
  /** How advice names the caller's settings (the field schema). */
  settingWords: SettingWords;
  /** The query had parameters, bound before checking: note which values came from them. */
  parametersBound?: boolean;
}

/**
 * The condition as a `Logic` tree of checked criteria; undefined when any part is wrong, every
 * problem reported to `diagnostics`.
 */
export function checkCondition(
  condition: ast.Condition,
  source: SourceText,
  options: ConditionOptions,
  values: ValueChecker,
  diagnostics: DiagnosticCollector,
): Logic | undefined {
  return new ConditionChecker(source, options, values, diagnostics).condition(condition);
}

/** More fields named like an unknown one than this are listed in a hint, not offered as fixes. */
const maxFieldGuesses = 3;

/**
 * The field a name refers to; OQ212 with a did-you-mean when there is none. The select clause
 * names fields too, so it is shared.
 */
export function lookupField(
  ref: ast.FieldRef,
  catalog: FieldCatalog,
  diagnostics: DiagnosticCollector,
  settingWords: SettingWords,
): FieldInfo | undefined {
  const field = catalog.lookup(ref.name);
  if (field) return field;
  // Past the cap a diagnostic is only counted: spare the search for a suggestion.
  if (diagnostics.isFull) {
    diagnostics.error("OQ212", `unknown field '${ref.name}'`, ref.span);
    return undefined;
  }
  const hints: string[] = [];
  const lowered = ref.name.toLowerCase();
  const guesses = catalog.closestNames(ref.name);
  if (lowered === "segment") hints.push("to test segment membership write: in segment 1234567890");
  else if ((campaignActions as readonly string[]).includes(lowered))
    hints.push(`to test a campaign write: ${lowered} campaign 123`);
  else if (guesses.length > maxFieldGuesses) hints.push(`fields named like it: ${guesses.join(", ")}`);
  else if (guesses.length === 0) {
    if (!catalog.hasCustomFields) {
      hints.push(`custom list fields need a field schema: ${settingWords.fieldSchema}`);
    }
    hints.push(`the fields are ${catalog.names().join(", ")}`);
  }
  diagnostics.error("OQ212", `unknown field '${ref.name}'`, ref.span, {
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

class ConditionChecker {
  /**
   * The parser recovered from a mistake (or the clauses are out of order) before the condition
   * was checked: taken once, not as errors accrue during the walk, so that whether OQ235 is said
   * does not depend on the order the walk meets an error in (`oq fmt` regroups `or`s).
   */
  private readonly recovered: boolean;

  constructor(
    private readonly source: SourceText,
    private readonly options: ConditionOptions,
    private readonly values: ValueChecker,
    private readonly diagnostics: DiagnosticCollector,
  ) {
    this.recovered = diagnostics.hasErrors;
  }

  /** `parents`: the kinds of the nodes around this one, innermost first (for hints spliced here). */
  condition(node: ast.Condition, parents: readonly ConditionKind[] = []): Logic | undefined {
    switch (node.kind) {
      case "And":
      case "Or": {
        if (node.kind === "Or") this.warnPrecedence(node);
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

  /**
   * OQ235: `a or b and c` reads as `a or (b and c)`, as in most languages, but people often mean
   * `(a or b) and c`; as C compilers do for `&&` inside `||`, say so, and offer the parentheses
   * that keep the meaning and make it plain.
   */
  private warnPrecedence(node: ast.OrCondition): void {
    // A tree the parser recovered from a mistake (`a and or b`) has groupings nobody wrote.
    if (this.recovered) return;
    for (const operand of node.operands) {
      if (operand.kind !== "And" || operand.parenthesized) continue;
      const written = this.source.text.slice(operand.span.start.offset, operand.span.end.offset);
      this.diagnostics.warning(
        "OQ235",
        "'and' binds tighter than 'or': this part is read as one alternative",
        operand.span,
        {
          label: "read together, as if in parentheses",
          hints: ["if you meant the 'or' first, write its alternatives in parentheses: (a or b) and c"],
          suggestions: [
            {
              message: `write (${shortenForMessage(written)}) to show it`,
              span: operand.span,
              replacement: `(${written})`,
            },
          ],
        },
      );
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

  private comparison(node: ast.Comparison, parents: readonly ConditionKind[]): Logic | undefined {
    const field = lookupField(node.field, this.options.catalog, this.diagnostics, this.options.settingWords);
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
          "in oq, a list after this operator reads 'differs from the first, or from the second, ...', whatever the account (with none-of-list found, oq sends the values apart)",
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

/** A condition's text for a message, on one line and not too long. */
function shortenForMessage(text: string): string {
  const oneLine = text.replace(/\s+/g, " ");
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine;
}
