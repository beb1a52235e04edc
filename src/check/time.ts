import { secondsPerDay } from "../language/vocabulary.js";
import { dateCapturingSource } from "../lexer/tokenPatterns.js";
/**
 * `partSecond`: the digits of a fraction of a second that is not zero (`.5` in `10:00:00.5Z`),
 * which Unix seconds cannot carry: `epochSeconds` is the whole second before it.
 */
export type ParsedDate =
  { ok: true; epochSeconds: number; dateOnly: boolean; partSecond?: string } | { ok: false; problem: string };

/** The date token's own pattern, its parts captured: year, month, day, hour, minute, second, fraction, zone. */
const datePattern = new RegExp(dateCapturingSource);

/**
 * Milliseconds since 1970 of a UTC calendar time, for every four-digit year. (Date.UTC reads
 * the years 0-99 as 1900-1999, which would move 0050-01-01 by 1900 years.)
 */
function utcMillis(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0): number {
  // Date.UTC is several times faster, and right from the year 100 on.
  if (year >= 100) return Date.UTC(year, monthIndex, day, hour, minute, second);
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/** The days in a month (monthIndex 0-11) of the proleptic Gregorian calendar, as Date counts them. */
export function daysInMonth(year: number, monthIndex: number): number {
  if (monthIndex !== 1)
    return monthIndex === 3 || monthIndex === 5 || monthIndex === 8 || monthIndex === 10 ? 30 : 31;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** The dates oq can write: four-digit years, 0000-01-01 to 9999-12-31 (UTC), as Unix seconds. */
export const earliestDateSeconds = utcMillis(0, 0, 1) / 1000;
const latestDateSeconds = utcMillis(9999, 11, 31, 23, 59, 59) / 1000;

/**
 * `2024-01-31` (midnight UTC) or `2024-01-31T10:00:00Z`, `2024-01-31T10:00+03:00`
 * (UTC unless an offset is written), as Unix seconds.
 */
export function parseDate(raw: string): ParsedDate {
  const match = datePattern.exec(raw);
  if (!match) return { ok: false, problem: "not a date of the form 2024-01-31 or 2024-01-31T10:00:00Z" };
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  if (month < 1 || month > 12) return { ok: false, problem: `there is no month ${mo}` };
  if (day < 1 || day > daysInMonth(year, month - 1))
    return { ok: false, problem: `${y}-${mo} has no day ${d}` };
  if (hour > 23 || minute > 59 || second > 59)
    return { ok: false, problem: "the time of day is out of range" };
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== "Z") {
    const digits = zone.replace(":", "");
    const sign = digits.startsWith("-") ? -1 : 1;
    const offsetHours = Number(digits.slice(1, 3));
    const offsetMins = Number(digits.slice(3, 5));
    if (offsetHours > 14 || offsetMins > 59)
      return { ok: false, problem: `the offset ${zone} is out of range` };
    offsetMinutes = sign * (offsetHours * 60 + offsetMins);
  }
  const epochSeconds =
    Math.floor(utcMillis(year, month - 1, day, hour, minute, second) / 1000) - offsetMinutes * 60;
  if (epochSeconds < earliestDateSeconds || epochSeconds > latestDateSeconds) {
    return { ok: false, problem: "with its offset it falls outside the years 0000-9999" };
  }
  const parsed: ParsedDate = { ok: true, epochSeconds, dateOnly: h === undefined };
  if (fraction !== undefined && /[1-9]/.test(fraction)) parsed.partSecond = fraction;
  return parsed;
}

/** How a Unix time is written back in oq: a bare date at midnight UTC, else a full UTC time. */
export function formatEpochSeconds(epochSeconds: number, options: { alwaysTime?: boolean } = {}): string {
  const iso = new Date(epochSeconds * 1000).toISOString();
  if (epochSeconds % secondsPerDay === 0 && !options.alwaysTime) return iso.slice(0, 10);
  return iso.replace(/\.000Z$/, "Z");
}

/** Whether formatEpochSeconds writes this time as a date oq reads back (years 0000-9999, whole seconds). */
export function isWritableEpochSeconds(epochSeconds: number): boolean {
  return (
    Number.isInteger(epochSeconds) && epochSeconds >= earliestDateSeconds && epochSeconds <= latestDateSeconds
  );
}

/**
 * "Now" written as text (`--now`, `OQ_NOW`, the library's `now` option), read as every date in
 * the language is: UTC unless an offset is written, so that a query compiles to the same window
 * on every machine whatever its time zone. Undefined when it is not such a date.
 */
export function parseNowText(text: string): number | undefined {
  const parsed = parseDate(text.trim());
  return parsed.ok ? parsed.epochSeconds : undefined;
}
