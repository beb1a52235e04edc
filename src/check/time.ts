export type ParsedDate = { ok: true; epochSeconds: number; dateOnly: boolean } | { ok: false; problem: string };

const datePattern = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

/**
 * `2024-01-31` (midnight UTC) or `2024-01-31T10:00:00Z`, `2024-01-31T10:00+03:00`
 * (UTC unless an offset is written), as Unix seconds.
 */
export function parseDate(raw: string): ParsedDate {
  const match = datePattern.exec(raw);
  if (!match) return { ok: false, problem: "not a date of the form 2024-01-31 or 2024-01-31T10:00:00Z" };
  const [, y, mo, d, h, mi, s, zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  if (month < 1 || month > 12) return { ok: false, problem: `there is no month ${mo}` };
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return { ok: false, problem: `${y}-${mo} has no day ${d}` };
  if (hour > 23 || minute > 59 || second > 59) return { ok: false, problem: "the time of day is out of range" };
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== "Z") {
    const digits = zone.replace(":", "");
    const sign = digits.startsWith("-") ? -1 : 1;
    const offsetHours = Number(digits.slice(1, 3));
    const offsetMins = Number(digits.slice(3, 5));
    if (offsetHours > 14 || offsetMins > 59) return { ok: false, problem: `the offset ${zone} is out of range` };
    offsetMinutes = sign * (offsetHours * 60 + offsetMins);
  }
  const utcMillis = Date.UTC(year, month - 1, day, hour, minute, second);
  return { ok: true, epochSeconds: Math.floor(utcMillis / 1000) - offsetMinutes * 60, dateOnly: h === undefined };
}

export const secondsPerDay = 86_400;

/** How a Unix time is written back in oq: a bare date at midnight UTC, else a full UTC time. */
export function formatEpochSeconds(epochSeconds: number, options: { alwaysTime?: boolean } = {}): string {
  const iso = new Date(epochSeconds * 1000).toISOString();
  if (epochSeconds % secondsPerDay === 0 && !options.alwaysTime) return iso.slice(0, 10);
  return iso.replace(/\.000Z$/, "Z");
}
