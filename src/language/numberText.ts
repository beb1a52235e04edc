/*
 * How numbers are written as text, for every layer that reads or checks one: the lexer's number
 * token, the checker's values, the request schema's numeric operands. (This folder imports nothing.)
 */

const sign = "-?";
const digits = String.raw`\d+`;

/** A decimal number: an optional minus, digits, an optional fraction (no exponent, no `+`). */
export const numericTextSource = String.raw`${sign}${digits}(?:\.${digits})?`;

/** All of a text is a decimal number (numericTextSource), in parts: [, sign ("" or "-"), whole digits, fraction digits?]. */
export const numericTextParts = new RegExp(String.raw`^(${sign})(${digits})(?:\.(${digits}))?$`);

/** All of a text is a decimal number (numericTextSource): how Ongage's numeric operands are written. */
export const numericText = new RegExp(`^${numericTextSource}$`);

/** All of a text is a whole number, possibly negative: dates as Unix seconds. */
export const integerText = new RegExp(`^${sign}${digits}$`);

/** All of a text is digits: a whole number from 0 up, leading zeros allowed. */
export const digitsText = new RegExp(`^${digits}$`);

/** A whole number from 0 up written the one way that reads back as itself: no leading zeros. */
export const canonicalWholeNumber = /^(?:0|[1-9]\d*)$/;

/**
 * The value of a text that is all digits (digitsText), or undefined: the one reading of a whole
 * number typed on a command line or in a flag's value, so `0x10`, `1e2`, `-1` and the empty text
 * are refused rather than read as 16, 100, a negative or 0.
 */
export function wholeNumberOf(text: string): number | undefined {
  return digitsText.test(text) ? Number(text) : undefined;
}

/** Digits without the zeros that lead them ("007" -> "7"), keeping one digit ("000" -> "0"). */
export function withoutLeadingZeros(text: string): string {
  return text.replace(/^0+(?=\d)/, "");
}

/** A fraction's digits without the zeros that end them ("500" -> "5", "000" -> ""). */
export function withoutTrailingZeros(fraction: string): string {
  return fraction.replace(/0+$/, "");
}
