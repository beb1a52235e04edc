import { secondsPerDay } from "../language/vocabulary.js";

/** The UTC day of a Unix time: 2024-01-31. */
export function formatDay(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

/** A Unix time to the minute, or to the second when it has seconds: 2024-01-31 10:00 (UTC). */
export function formatMoment(epochSeconds: number): string {
  const iso = new Date(epochSeconds * 1000).toISOString();
  const seconds = iso.slice(17, 19);
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}${seconds === "00" ? "" : `:${seconds}`}`;
}

/** ISO 8601 in UTC, without milliseconds (Unix seconds have none). */
export function isoMoment(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.000Z$/, "Z");
}

export function isStartOfDay(epochSeconds: number): boolean {
  return epochSeconds % secondsPerDay === 0;
}

export function isEndOfDay(epochSeconds: number): boolean {
  return (epochSeconds + 1) % secondsPerDay === 0;
}
