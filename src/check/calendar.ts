import { dayWordOf, dayWords, type DurationUnit } from "../language/calendarWords.js";
import { daysInMonth, type ParsedDate } from "./time.js";
import { secondsPerDay, secondsPerHour } from "../language/vocabulary.js";

/** Seconds in the units of fixed length; months and years are counted on the calendar. */
const fixedUnitSeconds: Readonly<Partial<Record<DurationUnit, number>>> = {
  h: secondsPerHour,
  d: secondsPerDay,
  w: 7 * secondsPerDay,
};
const monthsInUnit: Readonly<Partial<Record<DurationUnit, number>>> = { mo: 1, y: 12 };

/**
 * The instant `amount` units before `epochSeconds`, in UTC. Hours, days and weeks are fixed
 * lengths. Months and years move the calendar date and keep the time of day; a day the target
 * month lacks becomes that month's last day (1 month before 2024-03-31 is 2024-02-29, 1 year
 * before 2024-02-29 is 2023-02-28), as in most date libraries. grammar.md documents this.
 */
export function instantBefore(epochSeconds: number, amount: number, unit: DurationUnit): number {
  const fixed = fixedUnitSeconds[unit];
  if (fixed !== undefined) return epochSeconds - amount * fixed;
  const months = amount * monthsInUnit[unit]!;
  const from = new Date(epochSeconds * 1000);
  const monthIndex = from.getUTCFullYear() * 12 + from.getUTCMonth() - months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  const day = Math.min(from.getUTCDate(), daysInMonth(year, month));
  const to = new Date(from.getTime());
  // setUTCFullYear, unlike Date.UTC, takes years 0-99 as written.
  to.setUTCFullYear(year, month, day);
  return Math.floor(to.getTime() / 1000);
}

export function isDurationUnit(unit: string): unit is DurationUnit {
  return Object.hasOwn(fixedUnitSeconds, unit) || Object.hasOwn(monthsInUnit, unit);
}

/** `today` / `yesterday` as a bare date: midnight UTC of the compile clock's day, or the day before. */
export function parseDayWord(word: string, nowSeconds: number): ParsedDate | undefined {
  const day = dayWordOf(word);
  if (day === undefined) return undefined;
  const midnight = Math.floor(nowSeconds / secondsPerDay) * secondsPerDay;
  return { ok: true, epochSeconds: midnight - dayWords[day] * secondsPerDay, dateOnly: true };
}
