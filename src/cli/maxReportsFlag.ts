import { maxPlanReports } from "../language/limits.js";
import { UsageError } from "../app/usageError.js";
import { wholeNumberFlag } from "./wholeNumberFlag.js";

/** `--max-reports N` (oq plan, oq run): from 1 to the most reports any plan can have. */
export function maxReportsFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const maxReports = wholeNumberFlag("--max-reports", value);
  if (maxReports < 1 || maxReports > maxPlanReports)
    throw new UsageError(`--max-reports takes a whole number from 1 to ${maxPlanReports}, not ${value}`);
  return maxReports;
}
