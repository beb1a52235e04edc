import * as z from "zod";
import { type CustomFields } from "./fieldCatalog.js";
import { fieldTypes, type FieldType } from "../language/vocabulary.js";

/*
 * A field schema file tells the compiler the list's custom fields and their types. Three
 * shapes are accepted, so that the reply of `GET /api/list_fields` can be saved and used as is:
 *
 *   { "fields": { "first_name": "string", "birthday": "date" } }      (oq's own shape)
 *   [ { "name": "first_name", "type": "string" }, ... ]               (a list of fields)
 *   { "metadata": {...}, "payload": [ { "name": ..., "type": ... } ] } (Ongage's reply)
 */

const typeName = z.string().transform((value, ctx): FieldType => {
  const lowered = value.toLowerCase();
  if ((fieldTypes as readonly string[]).includes(lowered)) return lowered as FieldType;
  ctx.addIssue({
    code: "custom",
    message: `unknown field type "${value}"; the types are ${fieldTypes.join(", ")}`,
  });
  return z.NEVER;
});

const fieldEntry = z.looseObject({ name: z.string().min(1), type: typeName });
const fieldList = z.array(fieldEntry);

const ownShape = z.object({ fields: z.record(z.string().min(1), typeName) });
const ongageReply = z.looseObject({ payload: fieldList });

export const FieldSchemaFile = z.union([ownShape, fieldList, ongageReply]);

const shapeHelp =
  'expected {"fields": {"name": "type"}}, a list of {"name", "type"}, or the reply of GET /api/list_fields';

export type FieldSchemaResult = { ok: true; fields: CustomFields } | { ok: false; problems: string[] };

/** Validates the parsed JSON of a field schema file. */
export function parseFieldSchema(json: unknown): FieldSchemaResult {
  // Pick the shape first, so that the problems reported are that shape's, not a union's.
  const shape = Array.isArray(json)
    ? fieldList
    : json !== null && typeof json === "object" && "payload" in json
      ? ongageReply
      : json !== null && typeof json === "object" && "fields" in json
        ? ownShape
        : undefined;
  if (!shape) return { ok: false, problems: [shapeHelp] };
  const result = shape.safeParse(json);
  if (!result.success) {
    return {
      ok: false,
      problems: result.error.issues.map(
        (issue) => `${issue.path.length ? `at ${issue.path.join(".")}: ` : ""}${issue.message}`,
      ),
    };
  }
  const data = result.data as z.infer<typeof FieldSchemaFile>;
  if (Array.isArray(data))
    return { ok: true, fields: Object.fromEntries(data.map((field) => [field.name, field.type])) };
  if ("fields" in data) return { ok: true, fields: data.fields as CustomFields };
  return { ok: true, fields: Object.fromEntries(data.payload.map((field) => [field.name, field.type])) };
}
