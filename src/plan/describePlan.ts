import { printCriterion } from "../check/printCriterion.js";
import type { ContactSet, QueryPlan } from "../emit/planSchema.js";
import type { LogicalPlan } from "./planner.js";

/*
 * A plan in words, for `oq plan`, `oq explain` and the library: which contacts the reports'
 * results are combined into, written with the query language's own words (`or`, `and`,
 * `but not`) over "report N".
 */

export interface PlanWords {
  /** Each report's condition, as oq would write it. */
  reports: string[];
  /** Which contacts the plan takes: `report 1 or report 2`. */
  contacts: string;
}

export function describePlan(plan: LogicalPlan): PlanWords {
  return {
    reports: plan.reports.map(({ combinator, criteria }) =>
      criteria.map((criterion) => printCriterion(criterion)).join(` ${combinator} `),
    ),
    contacts: describeContactSet(plan.combine),
  };
}

/** The two lines `oq plan` (and the playground) open a plan with: how many reports, how they combine, the rows. */
export function planHeading(plan: QueryPlan, words: PlanWords): [string, string] {
  return [
    `${plan.reports.length} reports; the contacts in ${words.contacts}.`,
    `One row per contact, told apart by ${plan.key}; columns: ${plan.columns.join(", ")}.`,
  ];
}

/** `report 1 or report 2`, `report 1 but not report 2`, parenthesised where it nests. */
export function describeContactSet(set: ContactSet): string {
  return describe(set, false);
}

function describe(set: ContactSet, nested: boolean): string {
  let text: string;
  switch (set.kind) {
    case "report":
      return `report ${set.report + 1}`;
    case "union":
      text = set.of.map((part) => describe(part, true)).join(" or ");
      break;
    case "intersection":
      text = set.of.map((part) => describe(part, true)).join(" and ");
      break;
    case "difference":
      text = `${describe(set.from, true)} but not ${describe(set.minus, true)}`;
      break;
  }
  return nested ? `(${text})` : text;
}
