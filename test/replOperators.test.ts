import { describe, expect, it } from "vitest";
import { builtinFields, check, parse, type CheckResult, type FieldType } from "../src/index.js";
import { fieldTypes } from "../src/language/vocabulary.js";
import { complete } from "../src/assist/completion.js";
import { grammarOperators } from "./support/grammarOperators.js";

/*
 * The REPL offers an operator after a field exactly where the checker accepts it on the field's
 * type. The operators are the grammar's own (support/grammarOperators.ts), so that an operator
 * added to the grammar is tested with no list to update here: one the compiler does not read,
 * or whose type rule is missing, fails below.
 */

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

type Logic = NonNullable<CheckResult["checked"]>["condition"];

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
