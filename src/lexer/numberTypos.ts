import type { ILexingError, IToken, TokenType } from "chevrotain";
import type { DiagnosticCollector } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../diagnostics/source.js";
import { durationUnitOf, durationUnitsHelp } from "../language/calendarWords.js";
import { digitsText, numericTextParts, withoutTrailingZeros } from "../language/numberText.js";
import { plainDigits } from "./plainDigits.js";
import * as t from "./tokens.js";

/*
 * A number with a unit or digits glued on that oq does not read as one token: `1.5d`, `-3d`,
 * `1e3d` (a number and the word `d`), `1_000` (a number and the word `_000`), `3 wk ago`.
 * Left as two tokens they read as a number followed by a new condition ("write 'and d'"). Each
 * is reported once here, with a fix only when it means exactly what was written, and becomes
 * one token marked as reported, which the checker refuses without another word.
 */

/** Hours in one of each unit that has a fixed length (months and years do not). */
const hoursPerUnit: Partial<Record<string, bigint>> = { h: 1n, d: 24n, w: 168n };

/**
 * `errors`: the characters the lexer did not know; those taken into a number here (the '.' of
 * `1_000.5`) are not reported again, and the rest are returned.
 */
export function mergeNumberTypos(
  tokens: IToken[],
  errors: ILexingError[],
  source: SourceText,
  diagnostics: DiagnosticCollector,
): { tokens: IToken[]; errors: ILexingError[] } {
  const out: IToken[] = [];
  const taken = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    const number = tokens[i]!;
    const word = tokens[i + 1];
    const isNumber = number.tokenType === t.NumberLiteral || number.tokenType === t.ExponentNumber;
    const decimalComma = isNumber ? decimalCommaDuration(tokens, i, source) : undefined;
    if (decimalComma) {
      const span = source.spanOf(number.startOffset, decimalComma.startOffset + decimalComma.image.length);
      const written = source.text.slice(
        number.startOffset,
        decimalComma.startOffset + decimalComma.image.length,
      );
      diagnostics.error(
        "OQ126",
        `a duration is a whole number of hours, days, weeks, months or years, but this is ${written}`,
        span,
        {
          hints: [
            "',' is not a decimal point, and a duration has no fraction: count in a smaller unit, e.g. 36h for a day and a half",
            durationUnitsHelp,
          ],
        },
      );
      out.push(merged(number, decimalComma, t.DurationLiteral, source, true));
      i += 2;
      continue;
    }
    if (!isNumber || !word || word.tokenType !== t.Identifier) {
      out.push(number);
      continue;
    }
    const gap = source.text.slice(number.startOffset + number.image.length, word.startOffset);
    const glued = gap === "";
    const unit = durationUnitOf(word.image);
    // Apart, `1.5 y` may be a number and a field named y (a missing 'and'): a duration only where one goes.
    const durationPlace =
      glued ||
      (/^[ \t]+$/.test(gap) && (tokens[i - 1]?.tokenType === t.During || tokens[i + 2]?.tokenType === t.Ago));
    if (unit && durationPlace && !digitsText.test(number.image)) {
      reportDuration(number, gap, word, unit, source, diagnostics);
      out.push(merged(number, word, t.DurationLiteral, source, true));
      i++;
    } else if (
      glued &&
      number.tokenType === t.NumberLiteral &&
      digitsText.test(number.image) &&
      /^_[\d_]*[A-Za-z]*$/.test(word.image)
    ) {
      const [, groups = "", letters = ""] = /^(_[\d_]*)([A-Za-z]*)$/.exec(word.image)!;
      if (letters !== "" && !durationUnitOf(letters)) {
        out.push(number);
        continue;
      }
      // `1_000.5`: the '.' is a character the lexer did not know, then the fraction's digits.
      const dot = number.startOffset + number.image.length + word.image.length;
      const fraction = tokens[i + 2];
      const hasFraction =
        letters === "" &&
        source.text[dot] === "." &&
        fraction?.tokenType === t.NumberLiteral &&
        fraction.startOffset === dot + 1 &&
        digitsText.test(fraction.image) &&
        !/[A-Za-z0-9_.]/.test(source.text[fraction.startOffset + fraction.image.length] ?? "") &&
        errors.some((error) => error.offset === dot && error.length === 1);
      const last = hasFraction ? fraction : word;
      const end = last.startOffset + last.image.length;
      const written = source.text.slice(number.startOffset, end);
      // Only groups of digits, each after one '_', say which digits were meant: `1__0` and `1_` do not.
      const clear = /^(?:_\d+)+$/.test(groups);
      const plain = `${number.image}${groups.replaceAll("_", "")}${hasFraction ? `.${fraction.image}` : ""}${letters}`;
      const span = source.spanOf(number.startOffset, end);
      diagnostics.error("OQ127", `numbers in oq are written without separators, not as ${written}`, span, {
        hints: clear ? [] : ["'_' is not allowed in a number: write its digits alone"],
        suggestions: clear ? [{ message: `write ${plain}`, span, replacement: plain }] : [],
      });
      out.push(merged(number, last, letters === "" ? t.NumberLiteral : t.DurationLiteral, source, true));
      if (hasFraction) taken.add(dot);
      i += hasFraction ? 2 : 1;
    } else if (
      !glued &&
      /^[ \t]+$/.test(gap) &&
      digitsText.test(number.image) &&
      tokens[i + 2]?.tokenType === t.Ago
    ) {
      // `3 wk ago`: a duration whose unit is unknown; the checker says so (OQ223), as for `3wk ago`.
      out.push(merged(number, word, t.DurationLiteral, source, false));
      i++;
    } else {
      out.push(number);
    }
  }
  return {
    tokens: out,
    errors: taken.size === 0 ? errors : errors.filter((error) => !taken.has(error.offset)),
  };
}

/**
 * `during 1,5d`: a comma written as a decimal point, glued to a duration. Not a list: a list of
 * durations means nothing in oq. The duration token after the comma, or undefined.
 */
function decimalCommaDuration(tokens: IToken[], i: number, source: SourceText): IToken | undefined {
  const [number, comma, duration] = [tokens[i]!, tokens[i + 1], tokens[i + 2]];
  if (!comma || !duration || comma.tokenType !== t.Comma || duration.tokenType !== t.DurationLiteral)
    return undefined;
  const numberEnd = number.startOffset + number.image.length;
  if (
    !digitsText.test(number.image) ||
    comma.startOffset !== numberEnd ||
    duration.startOffset !== numberEnd + 1 ||
    !/^\d/.test(duration.image)
  )
    return undefined;
  return source.text[numberEnd] === "," ? duration : undefined;
}

function reportDuration(
  number: IToken,
  gap: string,
  word: IToken,
  unit: string,
  source: SourceText,
  diagnostics: DiagnosticCollector,
): void {
  const span = source.spanOf(number.startOffset, word.startOffset + word.image.length);
  const written = source.text.slice(number.startOffset, word.startOffset + word.image.length);
  if (number.image.startsWith("-")) {
    diagnostics.error("OQ126", `a duration cannot be negative, but this is ${written}`, span, {
      hints: [
        "a duration counts back from now: 'during 3d' is the last 3 days, and '3d ago' is 3 days before now",
      ],
    });
    return;
  }
  const amount = number.tokenType === t.ExponentNumber ? plainDigits(number.image) : number.image;
  if (amount === undefined) {
    diagnostics.error("OQ120", `numbers in oq are written in plain digits, not as ${number.image}`, span, {
      hints: [durationUnitsHelp],
    });
    return;
  }
  const fix = wholeSpelling(amount, gap, word, unit);
  if (number.tokenType === t.ExponentNumber && digitsText.test(amount)) {
    diagnostics.error("OQ120", `numbers in oq are written in plain digits, not as ${number.image}`, span, {
      suggestions: fix ? [{ message: `write ${fix}`, span, replacement: fix }] : [],
    });
    return;
  }
  diagnostics.error(
    "OQ126",
    `a duration is a whole number of hours, days, weeks, months or years, but this is ${written}`,
    span,
    {
      hints: fix ? [] : [durationUnitsHelp],
      suggestions: fix ? [{ message: `write ${fix}, the same length of time`, span, replacement: fix }] : [],
    },
  );
}

/** The same duration as a whole number of its unit, or of hours; undefined if there is none. */
function wholeSpelling(amount: string, gap: string, word: IToken, unit: string): string | undefined {
  const [, sign = "", whole = "", fraction = ""] = numericTextParts.exec(amount) ?? [];
  if (whole === "" || sign !== "") return undefined;
  const digits = withoutTrailingZeros(fraction);
  if (digits === "") return BigInt(whole) > 0n ? `${BigInt(whole)}${gap}${word.image}` : undefined;
  const perUnit = hoursPerUnit[unit];
  if (perUnit === undefined) return undefined;
  const scale = 10n ** BigInt(digits.length);
  const scaledHours = BigInt(whole + digits) * perUnit;
  return scaledHours % scale === 0n ? `${scaledHours / scale}h` : undefined;
}

/** `first` and `second` as one token of `type`, spanning both. */
function merged(
  first: IToken,
  second: IToken,
  type: TokenType,
  source: SourceText,
  reported: boolean,
): IToken {
  const end = second.startOffset + second.image.length;
  const token: IToken = {
    ...first,
    image: source.text.slice(first.startOffset, end),
    endOffset: end - 1,
    tokenType: type,
    tokenTypeIdx: type.tokenTypeIdx!,
  };
  token.payload = reported ? t.reportedByLexer : undefined;
  return token;
}
