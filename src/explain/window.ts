import type { TimeWindow } from "../check/checkedQuery.js";
import { secondsPerDay, secondsPerHour } from "../language/vocabulary.js";
import { formatDay, formatMoment, isEndOfDay, isStartOfDay, isoMoment } from "./moments.js";

/** The report's window: the days whose activity the activity fields count (docs/semantics.md). */
export interface WindowExplanation {
  /** ISO 8601, UTC; both ends included. */
  from: string;
  to: string;
  /** Whether it ends at "now" (a `during` window), as the compile clock or --now has it. */
  endsNow: boolean;
  text: string;
}

export function explainWindow(window: TimeWindow, nowSeconds: number): WindowExplanation {
  const endsNow = window.to === nowSeconds;
  return {
    from: isoMoment(window.from),
    to: isoMoment(window.to),
    endsNow,
    text: windowText(window, endsNow),
  };
}

function windowText({ from, to }: TimeWindow, endsNow: boolean): string {
  const span = `from ${formatMoment(from)} to ${formatMoment(to)} UTC`;
  if (endsNow) return `counting activity in the last ${lengthOf(to - from)}, ${span}`;
  // A bare date closing a window means the end of that day: the window is whole days.
  if (isStartOfDay(from) && isEndOfDay(to))
    return `counting activity from ${formatDay(from)} through ${formatDay(to)} (whole days, UTC)`;
  return `counting activity ${span}`;
}

/** "30 days", "12 hours", "day": months and years are shown by their days, which is what they span. */
function lengthOf(seconds: number): string {
  const [amount, unit] =
    seconds % secondsPerDay === 0
      ? [seconds / secondsPerDay, "day"]
      : seconds % secondsPerHour === 0
        ? [seconds / secondsPerHour, "hour"]
        : [seconds, "second"];
  return amount === 1 ? unit : `${amount} ${unit}s`;
}
