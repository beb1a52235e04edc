import type { DiagnosticCollector } from "../diagnostics/diagnostic.js";
import type * as ast from "../parser/ast.js";
import { printString } from "../format/printCriterion.js";
import type { FieldType } from "./fieldCatalog.js";
import { describeType } from "./operators.js";
import { durationUnitsHelp } from "../lexer/calendarWords.js";
import { instantBefore, isDurationUnit, parseDayWord } from "./calendar.js";
import { parseDate } from "./time.js";

/**
 * Converts written values to what a field of a given type takes, reporting each value that
 * does not fit with the spelling that would.
 */
export class ValueChecker {
  constructor(
    private readonly diagnostics: DiagnosticCollector,
    private readonly nowSeconds: number,
  ) {}

  /** A value for a field of `type`; undefined (and reported) when it does not fit. */
  forField(value: ast.Value, type: FieldType, fieldName: string): string | number | undefined {
    switch (type) {
      case "email":
      case "string":
        return this.text(value, type, fieldName);
      case "numeric":
      case "id":
        return this.number(value, type, fieldName);
      case "date":
        return this.date(value, fieldName, "start");
    }
  }

  /** A segment or campaign id: a number or a string, sent as a string. */
  id(value: ast.Value, what: string): string | undefined {
    if (value.kind === "Number" && Number.isInteger(value.value) && value.value >= 0) return value.raw;
    if (value.kind === "String" && value.value.trim() !== "") return value.value;
    this.diagnostics.error("OQ220", `expected a ${what} id, but found ${describeValue(value)}`, value.span, {
      hints: [`a ${what} id is a whole number, e.g. 1234567890`],
    });
    return undefined;
  }

  /**
   * A point in time for a window or a date field, as Unix seconds. A bare date means the start
   * of that day (UTC), or its last second when it closes a range (`edge` "end").
   */
  date(value: ast.Value, fieldName: string, edge: "start" | "end"): number | undefined {
    if (value.kind === "Date") {
      const parsed = parseDayWord(value.raw, this.nowSeconds) ?? parseDate(value.raw);
      if (!parsed.ok) {
        this.diagnostics.error("OQ221", `${value.raw} is not a valid date: ${parsed.problem}`, value.span, {
          hints: ["write a date as YYYY-MM-DD, e.g. 2024-01-31, or with a time: 2024-01-31T10:00:00Z"],
        });
        return undefined;
      }
      return parsed.dateOnly && edge === "end" ? parsed.epochSeconds + 86_399 : parsed.epochSeconds;
    }
    if (value.kind === "RelativeDate") return this.before(value.duration);
    const hints: string[] = [];
    let suggestions;
    if (value.kind === "Duration") {
      suggestions = [{ message: `did you mean ${value.raw} ago?`, span: value.span, replacement: `${value.raw} ago` }];
    } else if (value.kind === "String" && parseDate(value.value).ok) {
      suggestions = [{ message: `write the date without quotes: ${value.value}`, span: value.span, replacement: value.value }];
    } else {
      hints.push("a date is written 2024-01-31 or 2024-01-31T10:00:00Z; a relative date 30d ago");
    }
    this.diagnostics.error("OQ222", `${fieldName} takes a date, but this is ${describeValue(value)}`, value.span, {
      label: "not a date",
      hints,
      suggestions,
    });
    return undefined;
  }

  /** Now minus the duration (calendar.ts), as Unix seconds. */
  before(duration: ast.DurationValue): number | undefined {
    const unit = duration.unit;
    if (!isDurationUnit(unit)) {
      const hints = [durationUnitsHelp];
      if (unit.toLowerCase() === "m") hints.unshift("'m' could mean minutes or months: write 3mo for 3 months; oq has no minutes");
      this.diagnostics.error("OQ223", `unknown unit '${unit}' in the duration ${duration.raw}`, duration.span, { hints });
      return undefined;
    }
    if (duration.amount <= 0) {
      this.diagnostics.error("OQ224", `a duration must be longer than zero`, duration.span, { hints: ["e.g. 30d"] });
      return undefined;
    }
    const instant = instantBefore(this.nowSeconds, duration.amount, unit);
    // Unix seconds start at 1970; a longer reach has no date to send (and huge ones no date at all).
    if (!Number.isFinite(instant) || instant < 0) {
      this.diagnostics.error("OQ125", `${duration.raw} back from now reaches before 1970-01-01, the earliest date Ongage takes`, duration.span, {
        hints: ["write a shorter duration, or a date such as 1970-01-01"],
      });
      return undefined;
    }
    return instant;
  }

  private text(value: ast.Value, type: FieldType, fieldName: string): string | undefined {
    if (value.kind === "String") return value.value;
    const written = value.kind === "RelativeDate" ? undefined : "raw" in value ? value.raw : undefined;
    this.diagnostics.error("OQ225", `${fieldName} is ${article(type)} ${describeType(type)} field and takes text, but this is ${describeValue(value)}`, value.span, {
      label: "expected text in double quotes",
      suggestions: written ? [{ message: `write it as text: ${printString(written)}`, span: value.span, replacement: printString(written) }] : [],
    });
    return undefined;
  }

  private number(value: ast.Value, type: FieldType, fieldName: string): number | undefined {
    if (value.kind === "Number") {
      if (type === "id" && !Number.isInteger(value.value)) {
        this.diagnostics.error("OQ226", `${fieldName} holds whole-number ids, but this is ${value.raw}`, value.span, {
          hints: ["ids are whole numbers, e.g. id = 1234"],
        });
        return undefined;
      }
      return value.value;
    }
    const numeric = value.kind === "String" && /^\s*-?\d+(\.\d+)?\s*$/.test(value.value);
    this.diagnostics.error("OQ227", `${fieldName} is ${article(type)} ${describeType(type)} field and takes a number, but this is ${describeValue(value)}`, value.span, {
      label: "expected a number",
      suggestions:
        numeric && value.kind === "String"
          ? [{ message: `write the number without quotes: ${value.value.trim()}`, span: value.span, replacement: value.value.trim() }]
          : [],
      hints: numeric ? [] : ["numbers are written without quotes, e.g. opens >= 3"],
    });
    return undefined;
  }
}

function article(type: FieldType): string {
  return type === "email" || type === "id" ? "an" : "a";
}

export function describeValue(value: ast.Value): string {
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
  }
}
