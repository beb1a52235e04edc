import type { NormalizedQuery } from "../check/checkedQuery.js";
import { emitRequest, type RequestFlags } from "../emit/emit.js";
import type { QueryPlan } from "../emit/planSchema.js";
import type { LogicalPlan } from "./planner.js";

/** The columns that tell contacts apart, in the order preferred when a query selects several. */
const contactKeys = ["email", "id"] as const;

/**
 * A logical plan -> the plan's request bodies. Every report selects the query's columns, plus
 * `email` when the query selects no column that tells contacts apart (the merge needs one; it
 * is left out of the merged CSV). Each report's title says which part of the plan it is.
 */
export function emitPlan(
  query: Omit<NormalizedQuery, "filter">,
  logical: LogicalPlan,
  flags: RequestFlags,
): QueryPlan {
  const key = contactKeys.find((column) => query.selectedFields.includes(column)) ?? "email";
  const selectedFields = query.selectedFields.includes(key)
    ? query.selectedFields
    : [...query.selectedFields, key];
  const count = logical.reports.length;
  const reports = logical.reports.map((filter, index) =>
    emitRequest(
      { ...query, filter, selectedFields, title: `${query.title} (report ${index + 1} of ${count})` },
      flags,
    ),
  );
  return { reports, combine: logical.combine, key, columns: [...query.selectedFields] };
}
