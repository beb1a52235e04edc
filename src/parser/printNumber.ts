import { numericTextParts, withoutLeadingZeros, withoutTrailingZeros } from "../language/numberText.js";

/*
 * Numbers as oq writes them: plain decimals, never in exponent form (`1e+23d` does not read back
 * as a duration, and `1e-7` is not an oq number).
 */

/** A finite number as a plain decimal: 1e21 -> "1000000000000000000000", 1e-7 -> "0.0000001". */
export function printNumber(value: number): string {
  const text = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, lead, rest = "", exponentText] = match;
  const digits = `${lead}${rest}`;
  const exponent = Number(exponentText);
  if (exponent >= 0) {
    const integer = digits.padEnd(exponent + 1, "0");
    const fraction = digits.slice(exponent + 1);
    return `${sign}${integer.slice(0, exponent + 1)}${fraction ? `.${fraction}` : ""}`;
  }
  return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
}

/**
 * A written decimal in its shortest spelling: no leading zeros before the point, no trailing
 * zeros after it, no "-0". Two spellings of the same decimal give the same text.
 */
export function canonicalDecimal(written: string): string {
  const match = numericTextParts.exec(written);
  if (!match) return written;
  const [, sign, integerDigits, fractionDigits = ""] = match;
  const integer = withoutLeadingZeros(integerDigits!);
  const fraction = withoutTrailingZeros(fractionDigits);
  const text = fraction ? `${integer}.${fraction}` : integer;
  return text === "0" ? "0" : `${sign}${text}`;
}

/**
 * Whether `value`, sent as a JSON number, carries exactly the decimal written as `written`:
 * false when it overflows (JSON would say null), loses digits, or would need an exponent.
 */
export function isSentExactly(written: string, value: number): boolean {
  // Most numbers are short integers, which a double holds exactly: no need to print them.
  if (/^-?(?:0|[1-9]\d{0,14})$/.test(written)) return true;
  return Number.isFinite(value) && JSON.stringify(value) === canonicalDecimal(written);
}
