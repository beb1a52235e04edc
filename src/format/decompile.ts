import type { Criterion } from "../check/criteria.js";
import { confirmedUserTypes, unconfirmedUserTypes } from "../check/checker.js";
import { formatEpochSeconds } from "../check/time.js";
import { defaultRequestFlags } from "../emit/emit.js";
import { ContactActivityRequestSchema, type ContactActivityCriterion } from "../emit/payloadSchema.js";
import { printCriterion, printFieldName, printString } from "./printCriterion.js";

export interface DecompileResult {
  /** The oq query, when the request can be written in oq. */
  source?: string;
  /**
   * Why it cannot be written (then there is no source), or, beside a source, what the query
   * does not carry over.
   */
  problems: string[];
}

const numberPattern = /^-?\d+(\.\d+)?$/;

/**
 * A contact_activity request body -> an oq query that compiles back to the same request.
 * Requests oq would never emit (mixed and/or lists, say) are reported instead of approximated.
 */
export function decompile(request: unknown): DecompileResult {
  const parsed = ContactActivityRequestSchema.safeParse(request);
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((issue) => `${issue.path.join(".") || "request"}: ${issue.message}`) };
  }
  const body = parsed.data;
  const problems: string[] = [];
  const { criteria } = body.filters;
  const combinators = new Set(criteria.map((criterion) => criterion.condition));
  const combinator = criteria.length === 1 ? "and" : criteria[0]!.condition;
  if (combinators.size > 1) problems.push("the criteria mix 'and' and 'or', whose meaning Ongage does not document; oq cannot write that");

  const printed = criteria.map((criterion, index) => printOne(criterion, index, combinator, criteria.length === 1, problems));
  const notes: string[] = [];
  if ((body.include_behavior ?? true) !== defaultRequestFlags.include_behavior || (body.combined_as_and ?? true) !== defaultRequestFlags.combined_as_and) {
    notes.push(
      `the request sets include_behavior ${body.include_behavior} and combined_as_and ${body.combined_as_and}, which are settings, not part of a query: ` +
        `compile with requestFlags (or "requestFlags" in oq.config.json) to send them again`,
    );
  }
  const userType = body.filters.user_type ?? "all";
  if (![...confirmedUserTypes, ...unconfirmedUserTypes].includes(userType as never)) problems.push(`oq has no 'users ${userType}'`);
  const { from_date: from, to_date: to } = body.filters;
  if (from === undefined || to === undefined) problems.push("the request has no from_date/to_date window; oq always sends one");
  if (problems.length > 0) return { problems };

  const lines = [`title ${printString(body.title)}`, printed.join(` ${combinator} `)];
  // A bare date closing a window means the end of that day, so the end is always written in full.
  lines.push(`between ${formatEpochSeconds(from!)} and ${formatEpochSeconds(to!, { alwaysTime: true })}`);
  lines.push(`users ${userType}`);
  lines.push(`select ${body.selected_fields.map(printFieldName).join(", ")}`);
  if (body.favorite) lines.push("favorite");
  return { source: `${lines.join("\n")}\n`, problems: notes };
}

/** `alone`: the only criterion, so an `or` chain of its own reads the same. */
function printOne(criterion: ContactActivityCriterion, index: number, combinator: "and" | "or", alone: boolean, problems: string[]): string {
  const where = `criterion ${index + 1} (${criterion.field_name})`;
  const values = Array.isArray(criterion.operand) ? criterion.operand : criterion.operand.mailing_ids;
  const isEmptyTest = criterion.operator === "empty" || criterion.operator === "notempty";
  const numeric = criterion.type === "numeric" || criterion.type === "id" || criterion.type === "date";
  const converted: Criterion = {
    fieldName: criterion.field_name,
    type: criterion.type,
    operator: criterion.operator,
    values: isEmptyTest ? [] : numeric ? values.map(Number) : values.map(String),
    caseSensitive: criterion.case_sensitive === 1,
  };
  if (converted.caseSensitive && criterion.type !== "string" && criterion.type !== "email") {
    problems.push(`${where}: case sensitivity on a ${criterion.type} field cannot be written in oq`);
  }
  if ((criterion.type === "segment" || criterion.type === "behavioral") && criterion.operator === "!=" && values.length > 1) {
    // `not in segment [1, 2]` means in neither; this criterion means "not in 1, or not in 2",
    // which oq writes as an `or` chain, merged back into one criterion when compiled.
    const chain = converted.values.map((value) => printCriterion({ ...converted, values: [value] })).join(" or ");
    return combinator === "or" || alone ? chain : `(${chain})`;
  }
  if (criterion.type === "segment" && criterion.field_name !== "segment") {
    problems.push(`${where}: a segment criterion's field_name must be "segment"`);
  }
  if (criterion.type === "behavioral" && !["sent", "opened", "clicked"].includes(criterion.field_name)) {
    problems.push(`${where}: oq knows the campaign actions sent, opened and clicked, not '${criterion.field_name}'`);
  }
  if (converted.values.some((value) => typeof value === "number" && !numberPattern.test(String(value)))) {
    problems.push(`${where}: the number cannot be written in oq`);
  }
  return printCriterion(converted);
}
