import { isActivityField } from "./fieldCatalog.js";
import type { DiagnosticCollector } from "../diagnostics/diagnostic.js";
import type * as ast from "../parser/ast.js";
import { printString } from "../parser/printer.js";
import type { FieldType } from "../language/vocabulary.js";
import { describeType } from "./operators.js";
import { isSentExactly } from "../parser/printNumber.js";
import { durationUnitsHelp } from "../language/calendarWords.js";
import { instantBefore, isDurationUnit, parseDayWord } from "./calendar.js";
import { earliestDateSeconds, parseDate } from "./time.js";
import {
  canonicalWholeNumber,
  digitsText,
  numericText,
  withoutLeadingZeros,
} from "../language/numberText.js";

/**
 * Converts written values to what a field of a given type takes, reporting each value that
 * does not fit with the spelling that would.
 */
export class ValueChecker {
  constructor(
    private readonly diagnostics: DiagnosticCollector,
    private readonly nowSeconds: number,
  ) {}

  /**
   * A value for a field of `type`; undefined (and reported) when it does not fit. `ordering`:
   * the value is compared with `<`, `between` and the like, which take ids as whole numbers only.
   */
  forField(
    value: ast.Value,
    type: FieldType,
    fieldName: string,
    ordering = false,
  ): string | number | undefined {
    if (reportedAlready(value)) return undefined;
    switch (type) {
      case "email":
      case "string":
        return this.text(value, type, fieldName);
      case "numeric":
        return this.number(value, type, fieldName);
      case "id":
        return this.idOfField(value, fieldName, ordering);
      case "date":
        return this.date(value, fieldName, "start");
    }
  }

  /** A segment or campaign id, sent as text (see `exactId`). */
  id(value: ast.Value, what: string): string | undefined {
    if (reportedAlready(value)) return undefined;
    if (value.kind === "Number" || value.kind === "String") return this.exactId(value, `a ${what} id`);
    this.diagnostics.error("OQ220", `expected a ${what} id, but found ${describeValue(value)}`, value.span, {
      hints: [`a ${what} id is a whole number, e.g. 1234567890, or text in double quotes`],
    });
    return undefined;
  }

  /** A value for an id field (`id`, `ocx_import_id`, custom id fields), sent as text (see `exactId`). */
  private idOfField(value: ast.Value, fieldName: string, ordering: boolean): string | undefined {
    if (value.kind === "Number" || value.kind === "String") return this.exactId(value, "an id", ordering);
    this.diagnostics.error(
      "OQ227",
      `${fieldName} is an id field and takes an id, but this is ${describeValue(value)}`,
      value.span,
      {
        label: "expected an id",
        hints: [
          'an id is a whole number, e.g. id = 1234, or text in double quotes, e.g. id = "5aae312578464ae01f8b4567"',
        ],
      },
    );
    return undefined;
  }

  /**
   * Ids are identifiers, not quantities: they are kept exactly as written and sent as text, as
   * the reference page sends segment and mailing ids. Written without quotes, an id is a whole
   * number in its one spelling (`5`, never `05`, `5.0` or `-5`); in quotes, any text without
   * spaces around it (`"5aae312578464ae01f8b4567"`). So `5` and `"5"` are the same id, and
   * everything that could stand for two different ids is refused rather than guessed.
   */
  private exactId(
    value: ast.NumberValue | ast.StringValue,
    what: string,
    ordering = false,
  ): string | undefined {
    if (value.kind === "String") {
      const trimmed = value.value.trim();
      if (trimmed === "") {
        this.diagnostics.error("OQ226", `${what} cannot be empty`, value.span, {
          hints: ['write the id, e.g. 1234 or "5aae312578464ae01f8b4567"'],
        });
        return undefined;
      }
      if (trimmed !== value.value) {
        this.diagnostics.error(
          "OQ226",
          `${what} has spaces around it: ${printString(value.value)}`,
          value.span,
          {
            label: "no id starts or ends with a space",
            suggestions: [
              {
                message: `write ${printString(trimmed)}`,
                span: value.span,
                replacement: printString(trimmed),
              },
            ],
          },
        );
        return undefined;
      }
      return value.value;
    }
    const raw = value.raw;
    if (canonicalWholeNumber.test(raw)) return raw;
    if (raw.startsWith("-")) {
      this.diagnostics.error(
        "OQ226",
        `${what} cannot be negative, but this is ${shortNumber(raw)}`,
        value.span,
        { hints: ["ids are whole numbers from 0 up, e.g. 1234"] },
      );
      return undefined;
    }
    const wholeWithZeroFraction = /^(\d+)\.0+$/.exec(raw);
    if (wholeWithZeroFraction && !/^0\d/.test(raw)) {
      const whole = wholeWithZeroFraction[1]!;
      this.diagnostics.error(
        "OQ226",
        `${what} is a whole number, but this is written ${shortNumber(raw)}`,
        value.span,
        {
          suggestions: [{ message: `write ${whole}`, span: value.span, replacement: whole }],
        },
      );
      return undefined;
    }
    if (raw.includes(".")) {
      this.diagnostics.error(
        "OQ226",
        `${what} is a whole number, but this is ${shortNumber(raw)}`,
        value.span,
        { hints: ["ids are whole numbers, e.g. 1234, or text in double quotes"] },
      );
      return undefined;
    }
    const number = withoutLeadingZeros(raw);
    if (ordering) {
      // An ordering takes only whole numbers (orderableIds): "05" in quotes would be refused too.
      this.diagnostics.error(
        "OQ226",
        `${what} written without quotes has no leading zeros, but this is ${shortNumber(raw)}`,
        value.span,
        {
          label: "leading zeros",
          hints: ["'<', '<=', '>', '>=' and 'between' compare ids as whole numbers"],
          suggestions: [{ message: `write ${shortNumber(number)}`, span: value.span, replacement: number }],
        },
      );
      return undefined;
    }
    this.diagnostics.error(
      "OQ226",
      `${what} written without quotes has no leading zeros, but this is ${shortNumber(raw)}`,
      value.span,
      {
        label: "the number or the text?",
        hints: [
          `write ${shortNumber(number)} for the number, or ${shortNumber(printString(raw))} in double quotes if the id is exactly that text`,
        ],
      },
    );
    return undefined;
  }

  /**
   * `<`, `between` and the like on an id field compare ids as whole numbers, so each must be
   * written as one (`"5aae3125..." < 7` has no meaning oq could vouch for).
   */
  orderableIds(values: ast.Value[], ids: string[], fieldName: string): boolean {
    let ok = true;
    ids.forEach((id, index) => {
      if (canonicalWholeNumber.test(id)) return;
      ok = false;
      if (digitsText.test(id)) {
        // `"012"`: sent as that text but ordered as 12; refused like `05`, with the one spelling.
        const number = withoutLeadingZeros(id);
        this.diagnostics.error(
          "OQ219",
          `this compares ${fieldName} as a whole number, which is written without leading zeros, but this is ${printString(id)}`,
          values[index]!.span,
          {
            label: "leading zeros",
            suggestions: [
              { message: `write ${shortNumber(number)}`, span: values[index]!.span, replacement: number },
            ],
          },
        );
        return;
      }
      this.diagnostics.error(
        "OQ219",
        `this compares ${fieldName} as a whole number, but ${printString(id)} is not one`,
        values[index]!.span,
        {
          label: "not a whole number",
          hints: [
            "'<', '<=', '>', '>=' and 'between' on ids take whole numbers; text ids take '=', '!=' and 'in'",
          ],
        },
      );
    });
    return ok;
  }

  /**
   * A point in time for a window or a date field, as Unix seconds. A bare date means the start
   * of that day (UTC), or its last second when it closes a range (`edge` "end").
   */
  date(value: ast.Value, fieldName: string, edge: "start" | "end"): number | undefined {
    if (reportedAlready(value)) return undefined;
    if (value.kind === "Date") {
      const parsed = parseDayWord(value.raw, this.nowSeconds) ?? parseDate(value.raw);
      if (!parsed.ok) {
        this.diagnostics.error("OQ221", `${value.raw} is not a valid date: ${parsed.problem}`, value.span, {
          hints: ["write a date as YYYY-MM-DD, e.g. 2024-01-31, or with a time: 2024-01-31T10:00:00Z"],
        });
        return undefined;
      }
      if (parsed.partSecond !== undefined) {
        // Dropping the fraction silently would send another time than the one written.
        const whole = value.raw.replace(`.${parsed.partSecond}`, "");
        this.diagnostics.error(
          "OQ221",
          `${value.raw} is not a time oq can send: Ongage takes whole seconds, and .${parsed.partSecond} of a second would be lost`,
          value.span,
          {
            hints: [`write the whole second before it, ${whole}, or the one after it`],
          },
        );
        return undefined;
      }
      return parsed.dateOnly && edge === "end" ? parsed.epochSeconds + 86_399 : parsed.epochSeconds;
    }
    if (value.kind === "RelativeDate") return this.before(value.duration);
    const hints: string[] = [];
    let suggestions;
    if (value.kind === "Duration") {
      suggestions = [
        { message: `did you mean ${value.raw} ago?`, span: value.span, replacement: `${value.raw} ago` },
      ];
    } else if (value.kind === "String" && parseDate(value.value).ok) {
      suggestions = [
        {
          message: `write the date without quotes: ${value.value}`,
          span: value.span,
          replacement: value.value,
        },
      ];
    } else {
      hints.push("a date is written 2024-01-31 or 2024-01-31T10:00:00Z; a relative date 30d ago");
    }
    this.diagnostics.error(
      "OQ222",
      `${fieldName} takes a date, but this is ${describeValue(value)}`,
      value.span,
      {
        label: "not a date",
        hints,
        suggestions,
      },
    );
    return undefined;
  }

  /** Now minus the duration (calendar.ts), as Unix seconds. */
  before(duration: ast.DurationValue): number | undefined {
    if (duration.reported) return undefined;
    const unit = duration.unit;
    if (!isDurationUnit(unit)) {
      const hints = [durationUnitsHelp];
      if (unit.toLowerCase() === "m")
        hints.unshift("'m' could mean minutes or months: write 3mo for 3 months; oq has no minutes");
      this.diagnostics.error(
        "OQ223",
        `unknown unit '${unit}' in the duration ${duration.raw}`,
        duration.span,
        { hints },
      );
      return undefined;
    }
    if (duration.amount <= 0) {
      this.diagnostics.error("OQ224", `a duration must be longer than zero`, duration.span, {
        hints: ["e.g. 30d"],
      });
      return undefined;
    }
    const instant = instantBefore(this.nowSeconds, duration.amount, unit);
    // Huge amounts have no date at all (NaN); dates are written with four-digit years.
    if (!Number.isFinite(instant) || instant < earliestDateSeconds) {
      this.diagnostics.error(
        "OQ217",
        `the duration ${shortNumber(duration.raw)} reaches back before the year 0000`,
        duration.span,
        {
          label: "too long",
          hints: ["dates are written with four-digit years; a duration reaches back at most to 0000-01-01"],
        },
      );
      return undefined;
    }
    return instant;
  }

  private text(value: ast.Value, type: FieldType, fieldName: string): string | undefined {
    if (value.kind === "String") return value.value;
    const written = value.kind === "RelativeDate" ? undefined : "raw" in value ? value.raw : undefined;
    this.diagnostics.error(
      "OQ225",
      `${fieldName} is ${article(type)} ${describeType(type)} field and takes text, but this is ${describeValue(value)}`,
      value.span,
      {
        label: "expected text in double quotes",
        suggestions: written
          ? [
              {
                message: `write it as text: ${printString(written)}`,
                span: value.span,
                replacement: printString(written),
              },
            ]
          : [],
      },
    );
    return undefined;
  }

  private number(value: ast.Value, type: FieldType, fieldName: string): number | undefined {
    if (value.kind === "Number") {
      // The request carries a JSON number: one that overflows (null), rounds or needs an
      // exponent would mean something else than what was written.
      if (!isSentExactly(value.raw, value.value)) {
        const sent = JSON.stringify(value.value);
        this.diagnostics.error(
          "OQ216",
          `${shortNumber(value.raw)} cannot be sent exactly: ${Number.isFinite(value.value) ? `Ongage would receive ${sent}` : "it is too large"}`,
          value.span,
          {
            label: "not exact as a JSON number",
            hints: [
              "numbers are sent as JSON numbers, digit for digit as written: at most about 15 significant digits, and 0 or between 0.000001 and 10^21 in size",
            ],
          },
        );
        return undefined;
      }
      return value.value;
    }
    const numeric = value.kind === "String" && numericText.test(value.value.trim());
    const parameter = value.kind === "Parameter" ? undefined : value.fromParameter;
    this.diagnostics.error(
      "OQ227",
      `${fieldName} is ${article(type)} ${describeType(type)} field and takes a number, but this is ${describeValue(value)}`,
      value.span,
      {
        label: "expected a number",
        suggestions:
          numeric && value.kind === "String"
            ? [
                {
                  message: `write the number without quotes: ${value.value.trim()}`,
                  span: value.span,
                  replacement: value.value.trim(),
                },
              ]
            : [],
        hints: numeric
          ? []
          : [
              // A value from outside the query has no quotes to remove: the advice is about the value.
              parameter !== undefined
                ? `for the value of $${parameter}: give a number, e.g. 3`
                : isActivityField(fieldName) &&
                    (value.kind === "Duration" || value.kind === "RelativeDate" || value.kind === "Date")
                  ? // `opens > 30d`: the time belongs to the report's window, not to the count.
                    `${fieldName} is measured over the report's window, which is set apart: ${fieldName} > 3 during 30d`
                  : value.kind === "String"
                    ? `numbers are written without quotes, e.g. ${fieldName} >= 3`
                    : `a number is written in digits, e.g. ${fieldName} >= 3`,
            ],
      },
    );
    return undefined;
  }
}

/**
 * A value whose spelling the lexer has reported (OQ120, OQ126, OQ127), with its fix: one
 * mistake, one error, so every check of a value starts here and says nothing more about it.
 */
function reportedAlready(value: ast.Value): boolean {
  return value.kind === "RelativeDate"
    ? value.duration.reported === true
    : "reported" in value && value.reported === true;
}

/** Operators that order values rather than match them. */
export const orderingOperators: ReadonlySet<string> = new Set(["<", "<=", ">", ">=", "><"]);

/** Orders two checked values of one field: numbers as numbers, ids (whole-number text) exactly, as big integers. */
export function compareValues(a: string | number, b: string | number): number {
  if (typeof a === "string" && typeof b === "string" && digitsText.test(a) && digitsText.test(b)) {
    const [x, y] = [BigInt(a), BigInt(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A number for a message: as written unless it is too long to read. */
function shortNumber(raw: string): string {
  return raw.length <= 24 ? raw : `${raw.slice(0, 12)}... (${raw.length} characters)`;
}

function article(type: FieldType): string {
  return type === "email" || type === "id" ? "an" : "a";
}

function describeValue(value: ast.Value): string {
  switch (value.kind) {
    case "String":
      return `the text ${printString(value.value)}`;
    case "Number":
      return `the number ${value.raw}`;
    case "Date":
      return `the date ${value.raw}`;
    case "Duration":
      return `the duration ${value.raw}`;
    case "RelativeDate":
      return `the relative date ${value.duration.raw} ago`;
    case "Parameter":
      return `the parameter $${value.name}`;
  }
}
