import { canonicalDecimal, printNumber } from "../parser/printNumber.js";
import { UsageError } from "./usageError.js";

/*
 * JSON.parse rounds a number to the nearest double without a word: 12345678901234567890 becomes
 * 12345678901234567000. A value given on the command line or in a params file is sent as given,
 * so a number that a double cannot carry exactly is refused, with the way to keep its digits.
 */

const jsonToken = /"(?:[^"\\]|\\[\s\S])*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * JSON text whose every number a double carries exactly; `where` names it in the usage error,
 * `binding` (`--param amount`, `.param amount`) how to give the number as text instead.
 */
export function requireExactJsonNumbers(json: string, where: string, binding?: string): void {
  for (const match of json.matchAll(jsonToken)) {
    const token = match[0];
    if (token.startsWith('"')) continue;
    const value = Number(token);
    if (
      Number.isFinite(value) &&
      canonicalDecimal(plainDecimal(token)) === canonicalDecimal(printNumber(value))
    )
      continue;
    const example = binding ? ` (${binding}=${token})` : ` ("${token}")`;
    throw new UsageError(
      `${where}: the number ${token} cannot be carried exactly (it would become ${printNumber(value)}); write it as text${example}`,
    );
  }
}

/** A JSON number token without its exponent: 1.5e3 -> 1500, 2e-3 -> 0.002. */
function plainDecimal(token: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(token);
  if (!match || match[4] === undefined) return token;
  const [, sign = "", integer = "", fraction = "", exponentText = ""] = match;
  const exponent = Number(exponentText);
  const digits = `${integer}${fraction}`;
  const point = integer.length + exponent;
  if (Math.abs(exponent) > 400) return token;
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits.padEnd(point, "0")}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
