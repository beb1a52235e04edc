import { z } from "zod";
import { integerText } from "../language/numberText.js";
import { ServerText } from "./serverText.js";

/*
 * Ongage's replies, parsed with zod. Ids, statuses and flags arrive as strings or numbers;
 * both are accepted and turned into one type. An empty object may arrive as [].
 * Words the server chose that oq only shows (a report's status words and title) are ServerText,
 * printed only through the client's redaction.
 *
 * Loaded only once a reply has to be read (`replySchemas()` in envelope.ts): zod costs tens of
 * milliseconds to load, and an export reads no JSON reply when all goes well.
 */

const flag = z
  .union([z.boolean(), z.string(), z.number()])
  .transform((value) => value === true || value === "true" || value === 1 || value === "1");
const id = z.union([z.string().min(1), z.number()]).transform(String);
const count = z.union([z.number(), z.string().regex(integerText)]).transform(Number);
const words = z.string().transform(ServerText.from);

export const EnvelopeSchema = z.object({
  metadata: z
    .looseObject({ error: flag.optional(), total: count.optional() })
    .or(z.array(z.unknown()).transform(() => ({ error: false }))),
  payload: z.unknown(),
});

export const ErrorPayloadSchema = z.looseObject({
  code: count.optional(),
  message: z.string().optional(),
  errors: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
});

export const ReportSchema = z.looseObject({
  id,
  status: count,
  status_desc: words.optional(),
  title: words.optional(),
  created: count.optional(),
});

export const ReportListSchema = z.union([
  z.array(ReportSchema),
  z.record(z.string(), ReportSchema).transform((byKey) => Object.values(byKey)),
]);

export const ListFieldsSchema = z.array(
  z.looseObject({ name: z.string(), type: z.string(), format: z.string().optional() }),
);
