import { withoutLeadingZeros, withoutTrailingZeros } from "../language/numberText.js";

/**
 * `1e3` as plain digits (`1000`), when that is a reasonable length; the digits are shifted as
 * text, so the result is exact.
 */
export function plainDigits(raw: string): string | undefined {
  const match = /^(-?)(\d+)(?:\.(\d+))?[eE]([+-]?\d+)$/.exec(raw);
  if (!match) return undefined;
  const [, sign = "", whole = "", fraction = "", exponentText = "0"] = match;
  const exponent = Number(exponentText);
  const digits = whole + fraction;
  const point = whole.length + exponent;
  if (Math.abs(exponent) > 20 || point > 20 || point < -20) return undefined;
  let integer: string;
  let decimals: string;
  if (point <= 0) {
    integer = "0";
    decimals = "0".repeat(-point) + digits;
  } else if (point >= digits.length) {
    integer = digits + "0".repeat(point - digits.length);
    decimals = "";
  } else {
    integer = digits.slice(0, point);
    decimals = digits.slice(point);
  }
  integer = withoutLeadingZeros(integer);
  decimals = withoutTrailingZeros(decimals);
  const number = decimals === "" ? integer : `${integer}.${decimals}`;
  return number === "0" ? number : `${sign}${number}`;
}
