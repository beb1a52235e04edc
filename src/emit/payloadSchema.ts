import * as z from "zod";
import { operatorsByType } from "../check/operators.js";
import {
  criterionTypes,
  isFieldless,
  ongageOperators,
  takesNoOperand,
  type OngageOperator,
} from "../language/vocabulary.js";
import { integerText, numericText } from "../language/numberText.js";

/*
 * The body of `POST /api/contact_activity`, as the reference page describes it. oq validates
 * what it emits against this schema, and library users can validate their own requests.
 */

/** Text that is whole characters: a lone UTF-16 surrogate (half an emoji) is not text. */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const text = () =>
  z.string().refine((value) => !loneSurrogate.test(value), {
    message: "holds half a character (a lone UTF-16 surrogate)",
  });

/** Ids are text as written (oq sends them so); other clients may send whole numbers. */
const idPattern = /^\S(?:.*\S)?$/s;

const isId = (value: string | number) =>
  typeof value === "number" ? Number.isSafeInteger(value) && value >= 0 : idPattern.test(value);

const scalarOperand = z.array(z.union([text(), z.number()])).min(1);
const behavioralOperand = z.object({
  mailing_ids: z
    .array(text().pipe(z.string().regex(idPattern, "a mailing id is text without spaces around it")))
    .min(1),
});

export const ContactActivityCriterionSchema = z
  .object({
    field_name: text().pipe(z.string().min(1)),
    type: z.enum(criterionTypes),
    operator: z.enum(ongageOperators),
    operand: z.union([scalarOperand, behavioralOperand]),
    case_sensitive: z.union([z.literal(0), z.literal(1)]),
    condition: z.enum(["and", "or"]),
  })
  .superRefine((criterion, ctx) => {
    const { type, operator, operand } = criterion;
    if (isFieldless(type)) {
      if (operator !== "=" && operator !== "!=")
        ctx.addIssue({ code: "custom", path: ["operator"], message: `${type} criteria take = or !=` });
      const isBehavioralOperand = !Array.isArray(operand);
      if (isBehavioralOperand !== (type === "behavioral")) {
        ctx.addIssue({
          code: "custom",
          path: ["operand"],
          message:
            type === "behavioral"
              ? "behavioral criteria take {mailing_ids: [...]}"
              : "segment criteria take a list of segment ids",
        });
      } else if (Array.isArray(operand) && !operand.every(isId)) {
        ctx.addIssue({
          code: "custom",
          path: ["operand"],
          message: "segment ids are text without spaces around it, or whole numbers",
        });
      }
      return;
    }
    if (!operatorsByType[type].includes(operator as OngageOperator)) {
      ctx.addIssue({
        code: "custom",
        path: ["operator"],
        message: `operator ${operator} does not apply to ${type} fields`,
      });
    }
    if (!Array.isArray(operand)) {
      ctx.addIssue({
        code: "custom",
        path: ["operand"],
        message: "only behavioral criteria take {mailing_ids}",
      });
      return;
    }
    if (operator === "><" && operand.length !== 2)
      ctx.addIssue({ code: "custom", path: ["operand"], message: "a range takes exactly [low, high]" });
    if (takesNoOperand(operator)) return;
    if (type === "id") {
      if (!operand.every(isId))
        ctx.addIssue({
          code: "custom",
          path: ["operand"],
          message: "ids are text without spaces around it, or whole numbers",
        });
    } else if (type === "numeric") {
      if (operand.some((value) => typeof value !== "number" && !numericText.test(value))) {
        ctx.addIssue({ code: "custom", path: ["operand"], message: "numeric criteria take numbers" });
      }
    } else if (type === "date") {
      if (
        operand.some((value) =>
          typeof value === "number" ? !Number.isSafeInteger(value) : !integerText.test(value),
        )
      ) {
        ctx.addIssue({ code: "custom", path: ["operand"], message: "date criteria take whole Unix seconds" });
      }
    }
  });

export const ContactActivityRequestSchema = z
  .object({
    title: text().pipe(z.string().min(1)),
    include_behavior: z.boolean().optional(),
    filters: z.object({
      criteria: z.array(ContactActivityCriterionSchema).min(1),
      type: z.string().optional(),
      user_type: z.string().min(1).optional(),
      from_date: z.number().int().nonnegative().optional(),
      to_date: z.number().int().nonnegative().optional(),
    }),
    combined_as_and: z.boolean().optional(),
    selected_fields: z.array(text().pipe(z.string().min(1))).min(1),
    favorite: z.boolean().optional(),
  })
  .superRefine((request, ctx) => {
    const { from_date, to_date } = request.filters;
    if (from_date !== undefined && to_date !== undefined && from_date > to_date) {
      ctx.addIssue({ code: "custom", path: ["filters", "to_date"], message: "to_date is before from_date" });
    }
  });

export type ContactActivityCriterion = z.infer<typeof ContactActivityCriterionSchema>;
export type ContactActivityRequest = z.infer<typeof ContactActivityRequestSchema>;
