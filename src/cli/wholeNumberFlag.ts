import { UsageError } from "./usageError.js";

/** A flag's value that must be a whole number (digits only: no sign, point or exponent). */
export function wholeNumberFlag(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} takes a whole number, not '${value}'`);
  return Number(value);
}
