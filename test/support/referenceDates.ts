/*
 * Dates for the reference evaluator, worked out from grammar.md with no help from src/ (nor from
 * Date.UTC, which reads the years 0-99 as 1900-1999): a mistake in the compiler's calendar cannot
 * hide by being made in both places.
 */

const secondsPerDay = 86_400;

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** Days from 0000-01-01 to the first of January of `year` (year 0 is a leap year). */
function daysBeforeYear(year: number): number {
  return 365 * year + Math.ceil(year / 4) - Math.ceil(year / 100) + Math.ceil(year / 400);
}

/** Unix days (days since 1970-01-01) of a date of the proleptic Gregorian calendar, years 0000-9999; month 1-12. */
export function unixDays(year: number, month: number, day: number): number {
  let days = daysBeforeYear(year) - daysBeforeYear(1970) + day - 1;
  for (let m = 1; m < month; m++) days += daysInMonth(year, m);
  return days;
}

/**
 * grammar.md's dates: `2024-01-31` (midnight UTC), `2024-01-31T10:00:00Z`,
 * `2024-01-31T10:00+03:00` (UTC unless an offset is written), as Unix seconds. A fraction of a
 * second is dropped. Only dates the compiler accepted reach here, so anything else throws.
 */
export function referenceDateSeconds(raw: string): number {
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(raw);
  if (!match) throw new Error(`not a date: ${raw}`);
  const [, year, month, day, hour = "0", minute = "0", second = "0", zone = "Z"] = match;
  const offset =
    zone.toUpperCase() === "Z"
      ? 0
      : (zone.startsWith("-") ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  return (
    unixDays(Number(year), Number(month), Number(day)) * secondsPerDay +
    Number(hour) * 3600 +
    Number(minute) * 60 +
    Number(second) -
    offset * 60
  );
}

/**
 * grammar.md: `N h/d/w ago` are fixed lengths back from now; months and years move the UTC
 * calendar back, keeping the time of day and clamping the day to the target month's last.
 */
export function referenceInstantBefore(nowSeconds: number, amount: number, unit: string): number {
  const fixed: Record<string, number> = { h: 3600, d: secondsPerDay, w: 7 * secondsPerDay };
  if (unit in fixed) return nowSeconds - amount * fixed[unit]!;
  const months = unit === "y" ? 12 * amount : amount;
  const now = new Date(nowSeconds * 1000);
  const monthsSinceYear0 = now.getUTCFullYear() * 12 + now.getUTCMonth() - months;
  const [year, month] = [Math.floor(monthsSinceYear0 / 12), (monthsSinceYear0 % 12) + 1];
  const day = Math.min(now.getUTCDate(), daysInMonth(year, month));
  return (
    unixDays(year, month, day) * secondsPerDay +
    (nowSeconds - Math.floor(nowSeconds / secondsPerDay) * secondsPerDay)
  );
}
