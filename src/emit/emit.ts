import type { Criterion, FlatCriteria, NormalizedQuery, RequestFlagName } from "../check/checkedQuery.js";
import type { ContactActivityCriterion, ContactActivityRequest } from "./payloadSchema.js";

/**
 * Request flags whose meaning Ongage does not document. Every known client sends both as true
 * for contact activity, so they are settings (CompileOptions.requestFlags, or "requestFlags" in
 * oq.config.json) defaulting to true; a query's `flags` clause overrides them (it exists so that
 * `oq decompile` can write any request's flags, present or absent, back exactly).
 */
export type RequestFlags = Record<RequestFlagName, boolean>;

export const defaultRequestFlags: RequestFlags = { include_behavior: true, combined_as_and: true };

/** One criterion as Ongage's JSON. `empty`/`notempty` carry `[""]`, as known clients send. */
function emitCriterion(criterion: Criterion, condition: "and" | "or"): ContactActivityCriterion {
  const operand: ContactActivityCriterion["operand"] =
    criterion.type === "behavioral"
      ? { mailing_ids: criterion.values.map(String) }
      : criterion.values.length === 0
        ? [""]
        : criterion.type === "segment"
          ? criterion.values.map(String)
          : [...criterion.values];
  return {
    field_name: criterion.fieldName,
    type: criterion.type,
    operator: criterion.operator,
    operand,
    case_sensitive: criterion.caseSensitive ? 1 : 0,
    condition,
  };
}

/** The `filters.criteria` array for a checked condition. */
export function emitCriteria(filter: FlatCriteria): ContactActivityCriterion[] {
  return filter.criteria.map((criterion) => emitCriterion(criterion, filter.combinator));
}

/** The body of `POST /api/contact_activity`, keys in the order of the reference page's examples. */
export function emitRequest(
  query: NormalizedQuery,
  settings: RequestFlags = defaultRequestFlags,
): ContactActivityRequest {
  // A query's `flags` clause wins over the settings, and leaves out the flags it does not name.
  const flags: Partial<RequestFlags> = query.requestFlags ?? settings;
  const request: ContactActivityRequest = {
    title: query.title,
    include_behavior: flags.include_behavior,
    filters: {
      criteria: emitCriteria(query.filter),
      user_type: query.userType,
      from_date: query.window.from,
      to_date: query.window.to,
    },
    combined_as_and: flags.combined_as_and,
    selected_fields: query.selectedFields,
  };
  if (flags.include_behavior === undefined) delete request.include_behavior;
  if (flags.combined_as_and === undefined) delete request.combined_as_and;
  if (query.favorite) request.favorite = true;
  return request;
}
