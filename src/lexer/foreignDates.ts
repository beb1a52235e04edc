import type { Suggestion } from "../diagnostics/diagnostic.js";
import type { Span } from "../diagnostics/source.js";
import { monthAbbreviations } from "../language/calendarWords.js";

/**
 * Dates as people type them (tokenPatterns.ts, foreignDateSource), read into the dates oq writes.
 * Where the form is ambiguous, each reading is its own fix and says which reading it assumed:
 * `11/01/2026` is 1 November in the US and 11 January elsewhere.
 */

const pad = (n: number) => String(n).padStart(2, "0");
const monthNames = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

interface Reading {
  date: string;
  /** How the text was read, for the fix's message. */
  as: string;
}

function day(year: number, month: number, dayOfMonth: number, as: string): Reading | undefined {
  if (month < 1 || month > 12 || dayOfMonth < 1) return undefined;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (dayOfMonth > last) return undefined;
  return { date: `${year}-${pad(month)}-${pad(dayOfMonth)}`, as };
}

const fullYear = (year: number) => (year < 100 ? 2000 + year : year);

function monthNumber(name: string): number {
  return (monthAbbreviations as readonly string[]).indexOf(name.slice(0, 3).toLowerCase()) + 1;
}

interface ForeignDate {
  message: string;
  hints: string[];
  suggestions: Suggestion[];
}

/** What to say about a date written `text`, at `span`. */
export function explainForeignDate(text: string, span: Span): ForeignDate {
  const readings: Reading[] = [];
  let hints: string[] = [];
  let match: RegExpExecArray | null;
  if ((match = /^(\d{1,2})\/(\d{1,2})\/(\d{2,4})$/.exec(text))) {
    const [a, b, y] = [Number(match[1]), Number(match[2]), fullYear(Number(match[3]))];
    const us = day(y, a, b, `month/day/year, as in the US`);
    const other = day(y, b, a, `day/month/year`);
    if (us) readings.push(us);
    if (other && other.date !== us?.date) readings.push(other);
    if (match[3]!.length === 2) hints.push(`the year ${match[3]} is read as ${y}`);
  } else if ((match = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(text))) {
    const reading = day(Number(match[1]), Number(match[2]), Number(match[3]), "year/month/day");
    if (reading) readings.push(reading);
  } else if ((match = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text))) {
    const reading = day(Number(match[3]), Number(match[2]), Number(match[1]), "day.month.year");
    if (reading) readings.push(reading);
  } else if ((match = /^(\d{4})-(\d{1,2})$/.exec(text))) {
    const [y, m] = [Number(match[1]), Number(match[2])];
    const first = day(y, m, 1, "its first day");
    if (first) {
      const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
      readings.push(first);
      hints = [
        `a date names one day; all of ${monthNames[m - 1]} ${y} is: between ${first.date} and ${y}-${pad(m)}-${pad(last)}`,
      ];
    }
  } else if ((match = /^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?\s+(\d{4})$/i.exec(text))) {
    const reading = day(Number(match[3]), monthNumber(match[2]!), Number(match[1]), "day month year");
    if (reading) readings.push(reading);
  } else if ((match = /^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/i.exec(text))) {
    const reading = day(Number(match[3]), monthNumber(match[1]!), Number(match[2]), "month day, year");
    if (reading) readings.push(reading);
  }
  return {
    message: readings[0]
      ? `oq writes dates year-month-day: ${readings[0].date}`
      : "oq writes dates year-month-day, e.g. 2024-01-31",
    hints: readings.length === 0 ? [`'${text}' is not a day of the calendar`] : hints,
    suggestions: readings.map((reading) => ({
      message:
        readings.length > 1
          ? `write ${reading.date}, reading it as ${reading.as}`
          : `write ${reading.date} (read as ${reading.as})`,
      span,
      replacement: reading.date,
    })),
  };
}
