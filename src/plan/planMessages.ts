import { commandLineSettingWords, type SettingWords } from "../diagnostics/settingWords.js";
import type { DiagnosticCollector } from "../diagnostics/diagnostic.js";
import type { planCondition } from "./planner.js";

/*
 * What oq says about a condition that one report cannot say exactly: how many reports a plan
 * takes, as a hint on compile's refusal, and OQ242 when a plan would need too many.
 */

type Planned = ReturnType<typeof planCondition>;

/** The hint compile adds to its refusal (OQ240, OQ241) of a condition a plan runs. */
export function planHint(planned: Planned, maxReports: number): string {
  return planned.ok
    ? `oq can run it exactly as ${planned.plan.reports.length} reports whose contacts it combines: 'oq plan' shows them, 'oq run' runs them (plan() and runPlan() in the library)`
    : `as several reports it would need ${planned.reportsNeeded}, more than the limit of ${maxReports} (OQ242 in 'oq plan')`;
}

/** OQ242, pointing at the smallest part of the condition that alone needs too many reports. */
export function reportTooManyReports(
  planned: Extract<Planned, { ok: false }>,
  maxReports: number,
  diagnostics: DiagnosticCollector,
  settingWords: SettingWords = commandLineSettingWords,
): void {
  diagnostics.error(
    "OQ242",
    `this condition needs ${planned.reportsNeeded} reports to run exactly, more than the limit of ${maxReports}`,
    planned.explodes,
    {
      label:
        planned.explodesNeeds === planned.reportsNeeded
          ? `this part needs ${planned.reportsNeeded}`
          : `this part alone needs ${planned.explodesNeeds}`,
      hints: [
        "each 'or' of 'and's, or 'and' of 'or's, that one report cannot hold costs reports; factor out what the alternatives share, or split the query",
        `to allow more, ${settingWords.raiseMaxReports}; Ongage runs at most 10 reports at once`,
      ],
    },
  );
}
