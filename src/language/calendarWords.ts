/**
 * The words of time in oq: duration units and the day words. Kept free of chevrotain so that
 * the fast parser, the lexer and the checker share one list.
 */

/** Each duration unit by the spelling `oq fmt` writes, with every spelling accepted (any case). */
const durationUnitSpellings = {
  h: ["h", "hour", "hours"],
  d: ["d", "day", "days"],
  w: ["w", "week", "weeks"],
  mo: ["mo", "month", "months"],
  y: ["y", "year", "years"],
} as const;

export type DurationUnit = keyof typeof durationUnitSpellings;

const unitBySpelling = new Map<string, DurationUnit>(
  (Object.entries(durationUnitSpellings) as [DurationUnit, readonly string[]][]).flatMap(([unit, words]) =>
    words.map((word) => [word, unit] as const),
  ),
);

/** The unit a spelling names (in any case), if it names one. */
export function durationUnitOf(spelling: string): DurationUnit | undefined {
  return unitBySpelling.get(spelling.toLowerCase());
}

/** The units, for help lines. */
export const durationUnitsHelp =
  "a duration is a whole number and a unit: 12h (hours), 30d (days), 2w (weeks), 3mo (months), 1y (years); the units may also be written as words, and apart: 3 months";

/** Every spelling of every unit, longest first (so that a pattern tries `months` before `mo`). */
export const durationUnitWords: readonly string[] = [...unitBySpelling.keys()].sort(
  (a, b) => b.length - a.length,
);

/** Days named by words, as dates: midnight UTC of the compile clock's day, or the day before. */
export const dayWords = { today: 0, yesterday: 1 } as const;

export type DayWord = keyof typeof dayWords;

export function dayWordOf(word: string): DayWord | undefined {
  const lowered = word.toLowerCase();
  return Object.hasOwn(dayWords, lowered) ? (lowered as DayWord) : undefined;
}

/** Month names as people write dates (`1 Nov 2026`, `November 1, 2026`): the first three letters. */
export const monthAbbreviations = [
  "jan",
  "feb",
  "mar",
  "apr",
  "may",
  "jun",
  "jul",
  "aug",
  "sep",
  "oct",
  "nov",
  "dec",
] as const;
