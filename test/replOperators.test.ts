import { describe, expect, it } from "vitest";
import { builtinFields, check, parse, type FieldType } from "../src/index.js";
import type { Logic } from "../src/check/criteria.js";
import { fieldTypes } from "../src/language/vocabulary.js";
import { keywordSpellings, type KeywordName } from "../src/language/keywords.js";
import { symbolSpellings, type SymbolName } from "../src/lexer/tokenPatterns.js";
import { nextTokenKinds } from "../src/parser/contentAssist.js";
import { complete } from "../src/repl/completion.js";

/*
 * The REPL offers an operator after a field exactly where the checker accepts it on the field's
 * type. The operators are the grammar's own (walked with chevrotain's content assist), so that
 * an operator added to the grammar is tested with no list to update here: one the compiler does
 * not read, or whose type rule is missing, fails below.
 */

const operatorRules = new Set(["compareOperator", "comparisonTail"]);

function spellingOf(kind: string): string {
  if (kind in keywordSpellings) return keywordSpellings[kind as KeywordName][0];
  return symbolSpellings[kind as SymbolName];
}

/**
 * Every way the grammar lets an operator be written after a field, as its words: `>=`,
 * `not starts`, `starts with`, `is not empty`... An operator ends where a value, or the end of
 * the comparison, may come.
 */
function grammarOperators(): string[][] {
  const found: string[][] = [];
  const walk = (words: string[]) => {
    const next = nextTokenKinds(["field", ...words].join(" ") + " ").next;
    const more = next.filter((token) => operatorRules.has(token.rule));
    if (words.length > 0 && more.length < next.length) found.push(words);
    if (words.length < 4) for (const token of more) walk([...words, spellingOf(token.kind)]);
  };
  walk([]);
  return found;
}

const operators = grammarOperators();

/** A field of each type, and a value the checker takes for it. */
const fieldOf = (type: FieldType) => builtinFields.find((field) => field.type === type)!.name;
const valueOf: Record<FieldType, string> = {
  email: '"a@example.com"',
  string: '"a"',
  numeric: "3",
  id: "3",
  date: "2024-01-15",
};

/** The criterion a one-comparison condition checks to, under any `not`s. */
function criterionOf(logic: Logic | undefined) {
  while (logic?.kind === "not") logic = logic.operand;
  return logic?.kind === "atom" ? logic.criterion : undefined;
}

/**
 * The checker's verdict: `field operator operands` checks, with no error, to a criterion on the
 * field, for one of the ways the operands can be written (none, a value, a range, a list).
 */
function checkerAccepts(type: FieldType, words: string[]): boolean {
  const value = valueOf[type];
  return ["", ` ${value}`, ` ${value} and ${value}`, ` [${value}]`].some((operands) => {
    const text = `${fieldOf(type)} ${words.join(" ")}${operands}`;
    const parsed = parse(text);
    if (!parsed.ok || parsed.diagnostics.length > 0) return false;
    const checked = check(parsed);
    return checked.ok && criterionOf(checked.checked?.condition)?.fieldName === fieldOf(type);
  });
}

/** Whether completion offers each word of the operator in turn, after a field of this type. */
function offered(type: FieldType, words: string[]): boolean {
  return words.every((word, i) =>
    complete([fieldOf(type), ...words.slice(0, i)].join(" ") + " ", undefined).candidates.includes(word),
  );
}

describe("the REPL's operators after a field", () => {
  it("are the grammar's, all of them", () => {
    const written = operators.map((words) => words.join(" "));
    for (const operator of ["=", "!=", "<", ">=", "contains", "not contains", "starts with"])
      expect(written).toContain(operator);
    for (const operator of [
      "not starts",
      "in",
      "not in",
      "between",
      "not between",
      "is empty",
      "is not empty",
    ])
      expect(written).toContain(operator);
  });

  it("are offered on a type exactly where the checker accepts them", () => {
    const disagreements: string[] = [];
    for (const type of fieldTypes) {
      for (const words of operators) {
        const accepted = checkerAccepts(type, words);
        if (offered(type, words) !== accepted)
          disagreements.push(
            `${words.join(" ")} on ${type}: ${accepted ? "accepted" : "refused"} by the checker`,
          );
      }
    }
    expect(disagreements).toEqual([]);
  });

  it("each apply to some type: no operator of the grammar is missing its type rule", () => {
    const unusable = operators.filter((words) => !fieldTypes.some((type) => checkerAccepts(type, words)));
    expect(unusable.map((words) => words.join(" "))).toEqual([]);
  });
});
