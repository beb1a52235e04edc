import { parseCliDuration } from "../runner/durations.js";
import { UsageError } from "./usageError.js";

/** A duration flag's value (`--timeout 30m`) in ms; a usage error naming the flag if it is not one. */
export function durationFlag(name: string, value: string): number {
  const ms = parseCliDuration(value);
  if (ms === undefined || ms <= 0)
    throw new UsageError(`${name} takes a duration such as 200ms, 2s, 30m or 1h, not '${value}'`);
  return ms;
}
