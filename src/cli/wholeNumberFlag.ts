import { wholeNumberOf } from "../language/numberText.js";
import { UsageError } from "../app/usageError.js";

/** A flag's value that must be a whole number (digits only: no sign, point or exponent). */
export function wholeNumberFlag(name: string, value: string): number {
  const number = wholeNumberOf(value);
  if (number === undefined) throw new UsageError(`${name} takes a whole number, not '${value}'`);
  return number;
}
