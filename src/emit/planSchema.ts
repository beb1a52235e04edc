import * as z from "zod";
import { maxPlanReports } from "../language/limits.js";
import { contactKeys } from "../language/vocabulary.js";
import { ContactActivityRequestSchema, type ContactActivityRequest } from "./payloadSchema.js";

/*
 * A query plan: what oq runs when one report cannot say a condition exactly (issue 11). It is
 * the second contract between the compiler and the runtime, beside the request body: the
 * planner produces it, `runPlan` executes it, and neither looks at the other's internals.
 *
 * The meaning: run every report, then take the set of contacts `combine` names, and write one
 * CSV with `columns`, one row per contact, whose values are those of the contact's row in a
 * report it was taken from (every report selects the same fields over the same window and user
 * type, so any of them will do). The schema refuses a plan that breaks that, with the reason.
 */

/** A set of contacts, built from the reports' results by set operations. */
export type ContactSet =
  | { kind: "report"; report: number }
  | { kind: "union"; of: ContactSet[] }
  | { kind: "intersection"; of: ContactSet[] }
  | { kind: "difference"; from: ContactSet; minus: ContactSet };

export const ContactSetSchema: z.ZodType<ContactSet> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("report"), report: z.number().int().nonnegative() }).strict(),
    z.object({ kind: z.literal("union"), of: z.array(ContactSetSchema).min(2) }).strict(),
    z.object({ kind: z.literal("intersection"), of: z.array(ContactSetSchema).min(2) }).strict(),
    z.object({ kind: z.literal("difference"), from: ContactSetSchema, minus: ContactSetSchema }).strict(),
  ]),
);

export const QueryPlanSchema = z
  .object({
    /** One request body per report; all share the window, user type and selected fields, `key` among them. */
    reports: z.array(ContactActivityRequestSchema).min(1).max(maxPlanReports),
    combine: ContactSetSchema,
    /** The column that tells contacts apart when results are combined: `email` or `id`. */
    key: z.enum(contactKeys, {
      error: (issue) =>
        issue.input === undefined
          ? `the plan has no key: "email" or "id", the column that tells contacts apart`
          : `the key ${JSON.stringify(issue.input)} does not tell contacts apart: it must be "email" or "id" (two contacts that share any other column would be taken for one)`,
    }),
    /** The merged CSV's columns, in order: the query's `select`, without `key` if the plan added it. */
    columns: z.array(z.string().min(1)).min(1),
  })
  .strict()
  .superRefine((plan, context) => {
    // Whole sentences, with reports counted from 1 as `oq plan` counts them: `oq run --plan`
    // shows them as they are.
    const problem = (message: string) => context.addIssue({ code: "custom", path: [], message });
    const first = plan.reports[0]!;
    const fields = (report: ContactActivityRequest) => report.selected_fields.join(", ");
    const windowOf = ({ filters }: ContactActivityRequest) =>
      `from_date ${filters.from_date ?? "(none)"}, to_date ${filters.to_date ?? "(none)"}`;
    const userTypeOf = ({ filters }: ContactActivityRequest) => filters.user_type ?? "(none)";
    plan.reports.forEach((report, index) => {
      const name = `report ${index + 1}`;
      if (!report.selected_fields.includes(plan.key))
        problem(`${name} does not select the key, ${plan.key}, which the merge needs in every report`);
      if (index === 0) return;
      if (fields(report) !== fields(first))
        problem(
          `${name} selects other fields than report 1 (${fields(report)}; report 1: ${fields(first)}): every report of a plan selects the same fields, in the same order`,
        );
      if (windowOf(report) !== windowOf(first))
        problem(
          `${name} has another window than report 1 (${windowOf(report)}; report 1: ${windowOf(first)}): the reports of a plan share one window, as activity fields (opens, last_open_date, ...) count only its events`,
        );
      if (userTypeOf(report) !== userTypeOf(first))
        problem(
          `${name} has another user_type than report 1 (${userTypeOf(report)}; report 1: ${userTypeOf(first)}): the reports of a plan share one user type`,
        );
    });
    plan.columns.forEach((column, index) => {
      if (!first.selected_fields.includes(column))
        problem(`the column ${column} is selected by no report: it would be empty in every row`);
      else if (plan.columns.indexOf(column) !== index) problem(`the column ${column} is listed twice`);
    });
    const visit = (set: ContactSet): void => {
      if (set.kind === "report") {
        if (set.report >= plan.reports.length)
          problem(
            `combine names report ${set.report} (counted from 0), but the plan has ${plan.reports.length} reports (0 to ${plan.reports.length - 1})`,
          );
      } else if (set.kind === "difference") {
        visit(set.from);
        visit(set.minus);
      } else set.of.forEach(visit);
    };
    visit(plan.combine);
  });

export type QueryPlan = z.infer<typeof QueryPlanSchema>;

/**
 * `json` as a query plan, or what makes it none, in words: the one check that `runPlan` (the
 * library) and `oq run --plan` make before anything is created. At most `shown` problems.
 */
export function readQueryPlan(json: unknown, shown = 5): { plan: QueryPlan } | { problems: string[] } {
  const parsed = QueryPlanSchema.safeParse(json);
  if (parsed.success) return { plan: parsed.data };
  const { issues } = parsed.error;
  const problems = issues
    .slice(0, shown)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message));
  if (issues.length > shown) problems.push(`and ${issues.length - shown} more`);
  return { problems };
}

/**
 * The report a plan is, when its set is its one report and its columns are exactly what that
 * report selects: running that report alone writes the same CSV (one row per contact, those
 * columns), without a merge. `oq plan --json` of a query one report says is such a plan.
 */
export function oneReportOf(plan: QueryPlan): ContactActivityRequest | undefined {
  const [only, ...others] = plan.reports;
  const sameColumns = only!.selected_fields.join("\u0000") === plan.columns.join("\u0000");
  return others.length === 0 && plan.combine.kind === "report" && sameColumns ? only : undefined;
}
