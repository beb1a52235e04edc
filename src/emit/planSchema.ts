import { z } from "zod";
import { maxPlanReports } from "../language/limits.js";
import { ContactActivityRequestSchema } from "./payloadSchema.js";

/*
 * A query plan: what oq runs when one report cannot say a condition exactly (issue 11). It is
 * the second contract between the compiler and the runtime, beside the request body: the
 * planner produces it, `runPlan` executes it, and neither looks at the other's internals.
 *
 * The meaning: run every report, then take the set of contacts `combine` names, and write one
 * CSV with `columns`, one row per contact, whose values are those of the contact's row in a
 * report it was taken from (every report selects the same fields, so any of them will do).
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
    /** One request body per report; all select the same fields, `key` among them. */
    reports: z.array(ContactActivityRequestSchema).min(1).max(maxPlanReports),
    combine: ContactSetSchema,
    /** The column that tells contacts apart when results are combined (`email` or `id`). */
    key: z.string().min(1),
    /** The merged CSV's columns, in order: the query's `select`, without `key` if the plan added it. */
    columns: z.array(z.string().min(1)).min(1),
  })
  .strict()
  .superRefine((plan, context) => {
    const first = plan.reports[0]!.selected_fields ?? [];
    plan.reports.forEach((report, index) => {
      const fields = report.selected_fields ?? [];
      if (fields.join("\u0000") !== first.join("\u0000"))
        context.addIssue({ code: "custom", path: ["reports", index], message: "selects other fields" });
      if (!fields.includes(plan.key))
        context.addIssue({
          code: "custom",
          path: ["reports", index],
          message: `does not select ${plan.key}`,
        });
    });
    for (const column of plan.columns)
      if (!first.includes(column))
        context.addIssue({ code: "custom", path: ["columns"], message: `no report selects ${column}` });
    const visit = (set: ContactSet): void => {
      if (set.kind === "report") {
        if (set.report >= plan.reports.length)
          context.addIssue({ code: "custom", path: ["combine"], message: `no report ${set.report}` });
      } else if (set.kind === "difference") {
        visit(set.from);
        visit(set.minus);
      } else set.of.forEach(visit);
    };
    visit(plan.combine);
  });

export type QueryPlan = z.infer<typeof QueryPlanSchema>;
