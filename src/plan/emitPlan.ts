import type { NormalizedQuery } from "../check/checkedQuery.js";
import { emitRequest, type RequestFlags } from "../emit/emit.js";
import type { ContactActivityRequest } from "../emit/payloadSchema.js";
import type { QueryPlan } from "../emit/planSchema.js";
import { contactKeys, type ContactKey } from "../language/vocabulary.js";
import type { LogicalPlan } from "./planner.js";

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
  const { key, selectedFields } = withKey(query.selectedFields);
  const count = logical.reports.length;
  const reports = logical.reports.map((filter, index) =>
    emitRequest(
      { ...query, filter, selectedFields, title: `${query.title} (report ${index + 1} of ${count})` },
      flags,
    ),
  );
  return { reports, combine: logical.combine, key, columns: [...query.selectedFields] };
}

/**
 * The plan of a query one report says (what `oq plan --json` prints for it): that report, with
 * `key` added to what it selects only when it selects neither `email` nor `id`. When nothing is
 * added, `oq run --plan` runs it as that very report (`oneReportOf`, src/emit/planSchema.ts).
 */
export function planOfOneReport(request: ContactActivityRequest): QueryPlan {
  const columns = request.selected_fields;
  const { key, selectedFields } = withKey(columns);
  return {
    reports: [{ ...request, selected_fields: selectedFields }],
    combine: { kind: "report", report: 0 },
    key,
    columns: [...columns],
  };
}

/** The key for a query's columns, and the columns every report selects so as to have it. */
function withKey(columns: readonly string[]): { key: ContactKey; selectedFields: string[] } {
  const key = contactKeys.find((column) => columns.includes(column)) ?? "email";
  return { key, selectedFields: columns.includes(key) ? [...columns] : [...columns, key] };
}
