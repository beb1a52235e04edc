import type { Criterion } from "../check/checkedQuery.js";
import { printValue } from "../check/printCriterion.js";
import { formatDay } from "./moments.js";

/**
 * One value of a condition: what is sent, and how a reader sees it. This is where a value gets
 * its wording, so a value with another origin (a declared parameter, say) needs only another
 * case here and one more key in this shape.
 */
export interface ValueExplanation {
  /** The operand value as the request sends it (dates as Unix seconds, ids as text). */
  value: string | number;
  /** The value as the sentence shows it: text in quotes, dates as UTC days. */
  text: string;
  /** The parameter the value was bound from, when it was (`$domain`): the text then names it. */
  parameter?: string;
}

export function explainValue(criterion: Criterion, value: string | number): ValueExplanation {
  const parameter = criterion.parameterOf?.get(value);
  if (parameter === undefined) return { value, text: valueText(criterion, value) };
  return { value, text: `${valueText(criterion, value)} ($${parameter})`, parameter };
}

/** Ongage compares dates by day, so a time of day only picks the (UTC) day. */
function valueText(criterion: Criterion, value: string | number): string {
  return printValue(criterion, value, formatDay);
}
