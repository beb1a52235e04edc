import type { Criterion } from "./checkedQuery.js";
import { oqSpelling } from "./operators.js";
import { formatEpochSeconds } from "./time.js";
import { printNumber } from "../parser/printNumber.js";
import { printFieldName, printString } from "../parser/printer.js";
import { canonicalWholeNumber } from "../language/numberText.js";
import { takesNoOperand } from "../language/vocabulary.js";

/**
 * One value of a criterion as oq writes it. `printDate`: how a date (Unix seconds) is shown;
 * by default as the query would write it, to the second.
 */
export function printValue(
  criterion: Criterion,
  value: string | number,
  printDate: (epochSeconds: number) => string = formatEpochSeconds,
): string {
  switch (criterion.type) {
    case "date":
      return typeof value === "number" ? printDate(value) : printString(value);
    case "numeric":
      return typeof value === "number" ? printNumber(value) : value;
    case "id":
    case "segment":
    case "behavioral":
      // An id is bare only in the one spelling oq reads back as that same text.
      return canonicalWholeNumber.test(String(value)) ? String(value) : printString(String(value));
    default:
      return printString(String(value));
  }
}

function printValues(criterion: Criterion): string {
  const printed = criterion.values.map((value) => printValue(criterion, value));
  return printed.length === 1 ? printed[0]! : `[${printed.join(", ")}]`;
}

/** One criterion in oq syntax, e.g. `email ends "gmail.com"` or `not opened campaign 5`. */
export function printCriterion(criterion: Criterion): string {
  const negation = criterion.operator === "!=" ? "not " : "";
  if (criterion.type === "segment") return `${negation}in segment ${printValues(criterion)}`;
  if (criterion.type === "behavioral")
    return `${negation}${criterion.fieldName} campaign ${printValues(criterion)}`;
  const field = printFieldName(criterion.fieldName);
  const operator = oqSpelling[criterion.operator];
  const caseFlag = criterion.caseSensitive ? " case sensitive" : "";
  if (takesNoOperand(criterion.operator)) return `${field} ${operator}`;
  if (criterion.operator === "><") {
    const [low, high] = criterion.values.map((value) => printValue(criterion, value));
    return `${field} between ${low} and ${high}`;
  }
  return `${field} ${operator} ${printValues(criterion)}${caseFlag}`;
}
