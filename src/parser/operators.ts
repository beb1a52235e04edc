import type { SymbolName } from "../lexer/tokenPatterns.js";
import type { KeywordName } from "../language/keywords.js";
import type { ComparisonOperator } from "./ast.js";

/*
 * How tokens spell a comparison operator, and what follows each operator: both parsers read an
 * operator here, so that they cannot assemble `not starts with` or place `case` differently.
 */

const symbolOperators: Partial<Record<SymbolName, ComparisonOperator>> = {
  Equals: "=",
  NotEquals: "!=",
  Less: "<",
  LessOrEqual: "<=",
  Greater: ">",
  GreaterOrEqual: ">=",
};

/** The operator a symbol token (`=`, `>=`, ...) is, by token name. */
export function symbolOperatorOf(tokenName: string): ComparisonOperator | undefined {
  return symbolOperators[tokenName as SymbolName];
}

const wordOperators: Partial<Record<KeywordName, "contains" | "starts" | "ends" | "in" | "between">> = {
  Contains: "contains",
  Starts: "starts",
  Ends: "ends",
  In: "in",
  Between: "between",
};

/** The keywords that are operator words, by token name. */
export const operatorWordNames = Object.keys(wordOperators) as KeywordName[];

/**
 * The operators a token (by name) can begin after a field, or after `field not` when `negated`:
 * one for most tokens, several for `not` (`not contains`, `not in`, ...) and `is` (`is empty`,
 * `is not empty`), none for a token that begins no operator. The REPL offers a token where one
 * of them applies to the field's type.
 */
export function operatorsStartedBy(tokenName: string, negated: boolean): ComparisonOperator[] {
  const word = wordOperatorOf(tokenName, negated);
  if (word) return [word];
  if (negated) return [];
  const symbol = symbolOperatorOf(tokenName);
  if (symbol) return [symbol];
  if (tokenName === "Is") return [emptinessOperator(false), emptinessOperator(true)];
  if (tokenName === "Not") return operatorWordNames.map((name) => wordOperatorOf(name, true)!);
  return [];
}

/** Whether a token (by name) can start the operator after a field: `=`, `contains`, `is`, `not`, ... */
export function startsOperator(tokenName: string): boolean {
  return operatorsStartedBy(tokenName, false).length > 0;
}

/** The operator a keyword (after a `not`, when `negated`) spells, by token name: `not starts`. */
export function wordOperatorOf(tokenName: string, negated: boolean): ComparisonOperator | undefined {
  const word = wordOperators[tokenName as KeywordName];
  if (!word) return undefined;
  return negated ? `not ${word}` : word;
}

/** Whether an optional `with` may follow this operator word (`starts with`), by token name. */
export function takesWith(tokenName: string): boolean {
  return tokenName === "Contains" || tokenName === "Starts" || tokenName === "Ends";
}

export function emptinessOperator(negated: boolean): ComparisonOperator {
  return negated ? "is not empty" : "is empty";
}

/** What an operator compares with: two bounds joined by `and`, nothing, or a value or list. */
export function operandsOf(operator: ComparisonOperator): "range" | "none" | "values" {
  if (operator === "between" || operator === "not between") return "range";
  if (operator === "is empty" || operator === "is not empty") return "none";
  return "values";
}

/** `case sensitive` follows everything but ranges and emptiness tests. */
export function takesCase(operator: ComparisonOperator): boolean {
  return operandsOf(operator) === "values";
}

/** `sensitive` or `insensitive` as the case flag, by token name; undefined for any other token. */
export function caseFlagOf(tokenName: string): boolean | undefined {
  return tokenName === "Sensitive" ? true : tokenName === "Insensitive" ? false : undefined;
}
