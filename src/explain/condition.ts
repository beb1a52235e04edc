import type { Criterion, FlatCriteria } from "../check/checkedQuery.js";
import {
  fieldCanBeEmpty,
  isCountField,
  isNegatedListOperator,
  type CountField,
  type CriterionType,
  type OngageOperator,
} from "../language/vocabulary.js";
import { printFieldName } from "../parser/printer.js";
import { explainValue, type ValueExplanation } from "./values.js";

/**
 * One part of the condition in words. Usually one criterion; several when they read as one:
 * `city not in ["Paris", "Berlin"]` is sent as one `!=` criterion per value, joined by `and`,
 * and reads "whose city is none of ...".
 */
export interface ConditionPart {
  text: string;
  /** The field, `segment`, or the campaign action (`sent`, `opened`, `clicked`). */
  field: string;
  type: CriterionType;
  operator: OngageOperator;
  values: ValueExplanation[];
  /**
   * With more than one value: `any` when one criterion holds them (it holds when it holds for
   * any one of them); `none` when each value is its own negated criterion, all joined by `and`.
   */
  quantifier?: "any" | "none";
  caseSensitive: boolean;
  /** The indexes in `filters.criteria` of the criteria this part words. */
  criteria: number[];
}

export interface ConditionExplanation {
  /** How Ongage joins the criteria: every one must hold (`and`) or any one (`or`). */
  combinator: "and" | "or";
  text: string;
  parts: ConditionPart[];
}

type Quantity = "one" | "any" | "none";

/*
 * The counts are 0, never empty, for a contact without activity (docs/semantics.md), so they
 * read as how often the contact did something, and a negation of them leaves no one out.
 */
const countWords: Readonly<Record<CountField, { did: string; didNot: string; unit: [string, string] }>> = {
  sent: { did: "were sent", didNot: "were not sent", unit: ["email", "emails"] },
  opens: { did: "opened", didNot: "did not open", unit: ["time", "times"] },
  clicks: { did: "clicked", didNot: "did not click", unit: ["time", "times"] },
};

const campaignWords: Readonly<Record<string, { did: string; never: string }>> = {
  sent: { did: "were sent", never: "were never sent" },
  opened: { did: "opened", never: "never opened" },
  clicked: { did: "clicked in", never: "never clicked in" },
};

export function explainCondition(filter: FlatCriteria): ConditionExplanation {
  const parts = groupCriteria(filter).map((group) => explainPart(filter.criteria, group));
  return {
    combinator: filter.combinator,
    text: parts.map((part) => part.text).join(` ${filter.combinator} `),
    parts,
  };
}

/** Indexes of the criteria that read as one part, in the order of their first criterion. */
function groupCriteria(filter: FlatCriteria): number[][] {
  const groups: number[][] = [];
  const byKey = new Map<string, number[]>();
  filter.criteria.forEach((criterion, index) => {
    // Only under `and` do single negated values add up to "none of".
    if (
      filter.combinator !== "and" ||
      !isNegatedListOperator(criterion.operator) ||
      criterion.values.length !== 1
    ) {
      groups.push([index]);
      return;
    }
    const key = JSON.stringify([
      criterion.type,
      criterion.fieldName,
      criterion.operator,
      criterion.caseSensitive,
    ]);
    const group = byKey.get(key);
    if (group) group.push(index);
    else {
      const fresh = [index];
      byKey.set(key, fresh);
      groups.push(fresh);
    }
  });
  return groups;
}

function explainPart(criteria: readonly Criterion[], indexes: number[]): ConditionPart {
  const first = criteria[indexes[0]!]!;
  const values = indexes.flatMap((index) =>
    criteria[index]!.values.map((value) => explainValue(criteria[index]!, value)),
  );
  const quantity: Quantity = indexes.length > 1 ? "none" : values.length > 1 ? "any" : "one";
  return {
    text: describe(
      first,
      values.map((value) => value.text),
      quantity,
    ),
    field: first.fieldName,
    type: first.type,
    operator: first.operator,
    values,
    ...(quantity === "one" ? {} : { quantifier: quantity }),
    caseSensitive: first.caseSensitive,
    criteria: indexes,
  };
}

function describe(criterion: Criterion, values: string[], quantity: Quantity): string {
  const list = values.join(", ");
  switch (criterion.type) {
    case "segment":
      return `who are ${segmentPredicate(criterion.operator, values[0]!, list, quantity)}`;
    case "behavioral":
      return `who ${campaignPredicate(criterion, values[0]!, list, quantity)}`;
    default: {
      const count =
        criterion.type === "numeric" && isCountField(criterion.fieldName)
          ? countWords[criterion.fieldName]
          : undefined;
      const counted =
        count && quantity !== "none" ? countPredicate(count, criterion.operator, values) : undefined;
      if (counted) return `who ${counted}`;
      const caseFlag = criterion.caseSensitive ? " (case sensitive)" : "";
      return `whose ${printFieldName(criterion.fieldName)} ${fieldPredicate(criterion, values, quantity)}${caseFlag}${emptyNote(criterion)}`;
    }
  }
}

function segmentPredicate(operator: OngageOperator, one: string, list: string, quantity: Quantity): string {
  if (operator === "=") return quantity === "one" ? `in segment ${one}` : `in any of segments ${list}`;
  if (quantity === "one") return `not in segment ${one}`;
  return quantity === "none" ? `in none of segments ${list}` : `outside at least one of segments ${list}`;
}

/** Ongage's behavioral criteria look at every mailing, not only at the report's window. */
function campaignPredicate(criterion: Criterion, one: string, list: string, quantity: Quantity): string {
  const words = campaignWords[criterion.fieldName] ?? {
    did: `${criterion.fieldName}`,
    never: `never ${criterion.fieldName}`,
  };
  if (criterion.operator === "=")
    return quantity === "one"
      ? `${words.did} campaign ${one} at any time`
      : `${words.did} any of campaigns ${list} at any time`;
  if (quantity === "one") return `${words.never} campaign ${one}`;
  return quantity === "none"
    ? `${words.never} any of campaigns ${list}`
    : `${words.never} at least one of campaigns ${list}`;
}

/** "opened at least 3 times"; undefined where a count has no better wording than its field's. */
function countPredicate(
  count: { did: string; didNot: string; unit: [string, string] },
  operator: OngageOperator,
  values: string[],
): string | undefined {
  const times = (value: string) => `${value} ${value === "1" ? count.unit[0] : count.unit[1]}`;
  const quantities: Partial<Record<OngageOperator, (value: string) => string>> = {
    "=": (value) => `exactly ${times(value)}`,
    "<": (value) => `fewer than ${times(value)}`,
    "<=": (value) => `at most ${times(value)}`,
    ">": (value) => `more than ${times(value)}`,
    ">=": (value) => `at least ${times(value)}`,
  };
  if (operator === "><") return `${count.did} between ${values[0]} and ${times(values[1]!)} (inclusive)`;
  if (operator === "!=" && values.length === 1) return `${count.didNot} exactly ${times(values[0]!)}`;
  const quantity = quantities[operator];
  return quantity ? `${count.did} ${values.map(quantity).join(" or ")}` : undefined;
}

/** What follows "whose FIELD". */
function fieldPredicate(criterion: Criterion, values: string[], quantity: Quantity): string {
  const list = values.join(", ");
  const one = values[0]!;
  const isDate = criterion.type === "date";
  switch (criterion.operator) {
    case "empty":
      return "is empty";
    case "notempty":
      return "is not empty";
    case "=":
      if (isDate) return quantity === "one" ? `is on ${one}` : `is on any of ${list}`;
      return quantity === "one" ? `is ${one}` : `is any of ${list}`;
    case "!=":
      if (quantity === "one") return isDate ? `is not on ${one}` : `is not ${one}`;
      if (quantity === "none") return isDate ? `is on none of ${list}` : `is none of ${list}`;
      return isDate
        ? `differs from at least one of the days ${list}`
        : `differs from at least one of ${list}`;
    case "LIKE":
      return quantity === "one" ? `contains ${one}` : `contains any of ${list}`;
    case "NOT LIKE":
      if (quantity === "one") return `does not contain ${one}`;
      return quantity === "none" ? `contains none of ${list}` : `lacks at least one of ${list}`;
    case "LIKE_":
      return quantity === "one" ? `starts with ${one}` : `starts with any of ${list}`;
    case "_LIKE":
      return quantity === "one" ? `ends with ${one}` : `ends with any of ${list}`;
    case "><":
      return `is between ${values[0]} and ${values[1]} (inclusive)`;
    default:
      // <, <=, >, >=: a list holds when any one comparison does.
      return values.map((value) => `is ${comparisonWords(criterion.operator, isDate)} ${value}`).join(" or ");
  }
}

function comparisonWords(operator: OngageOperator, isDate: boolean): string {
  switch (operator) {
    case "<":
      return isDate ? "before" : "less than";
    case "<=":
      return isDate ? "on or before" : "at most";
    case ">":
      return isDate ? "after" : "more than";
    default:
      return isDate ? "on or after" : "at least";
  }
}

/**
 * A number, id or date with no value makes every comparison unknown (docs/semantics.md), so a
 * negation leaves such contacts out; said where plain English would suggest otherwise.
 */
function emptyNote(criterion: Criterion): string {
  if (!fieldCanBeEmpty(criterion.type, criterion.fieldName) || criterion.operator !== "!=") return "";
  return ` (an empty ${printFieldName(criterion.fieldName)} does not match)`;
}
