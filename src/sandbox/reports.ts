import { detailedExportColumns, isFieldless, userTypes } from "../language/vocabulary.js";
import { builtinFields } from "../check/fieldCatalog.js";
import { operatorsByType } from "../check/operators.js";
import { type OngageOperator } from "../language/vocabulary.js";
import { ContactActivityRequestSchema, type ContactActivityRequest } from "../emit/payloadSchema.js";
import { matchesRequest, type PlayedReadings } from "../evaluate/evaluateCriteria.js";
import { csvDate, csvRow } from "./csv.js";
import type { EvaluationContact } from "../evaluate/contact.js";
import { sandboxCustomFields, type ContactList, type ContactRecord, type Window } from "./data.js";

type ReportStatus = 1 | 2 | 3;
const statusWords: Record<ReportStatus, string> = { 1: "Pending", 2: "Completed", 3: "Failed" };

export interface Report {
  id: number;
  request: ContactActivityRequest;
  createdAt: number;
  /** The earliest it stops being pending (ms since the epoch); Infinity for a report that never does. */
  readyAt: number;
  failed: boolean;
  /** Its aggregated CSV has been written (to `file`). */
  built: boolean;
  /** The writing of that CSV, over when `built` is true. */
  building?: Promise<void>;
  file?: string | undefined;
}

const dateFields = new Set([
  ...builtinFields.filter((field) => field.type === "date").map((field) => field.name),
  ...Object.entries(sandboxCustomFields)
    .filter(([, type]) => type === "date")
    .map(([name]) => name),
]);
const knownTypes: Record<string, string> = {
  ...Object.fromEntries(builtinFields.map((field) => [field.name, field.type])),
  ...sandboxCustomFields,
};
/** Ongage confirms only all and active; the sandbox also takes the statuses oq sends as user types. */

/**
 * Checks a create request as Ongage would: the shape (missing title, operand forms), the
 * operators each field type takes, and fields the list has. Returns the problems, if any.
 */
export function validateRequest(body: unknown): { request?: ContactActivityRequest; errors: string[] } {
  const parsed = ContactActivityRequestSchema.safeParse(body);
  if (!parsed.success) {
    return {
      errors: parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`),
    };
  }
  const request = parsed.data;
  const errors: string[] = [];
  for (const [index, criterion] of request.filters.criteria.entries()) {
    if (isFieldless(criterion.type)) continue;
    const type = knownTypes[criterion.field_name];
    if (!type) errors.push(`filters.criteria.${index}.field_name: unknown field ${criterion.field_name}`);
    else if (type !== criterion.type)
      errors.push(
        `filters.criteria.${index}.type: ${criterion.field_name} is ${type}, not ${criterion.type}`,
      );
    else if (!operatorsByType[criterion.type].includes(criterion.operator as OngageOperator)) {
      errors.push(
        `filters.criteria.${index}.operator: ${criterion.operator} is not an operator for ${criterion.type} fields`,
      );
    }
  }
  for (const field of request.selected_fields) {
    if (!knownTypes[field]) errors.push(`selected_fields: unknown field ${field}`);
  }
  if (request.filters.user_type !== undefined && !userTypes.includes(request.filters.user_type)) {
    errors.push(`filters.user_type: unknown user type ${request.filters.user_type}`);
  }
  return errors.length > 0 ? { errors } : { request, errors };
}

export function statusOf(report: Report, now: number): ReportStatus {
  if (now < report.readyAt || !report.built) return 1;
  return report.failed ? 3 : 2;
}

/** A report as the API shows it: ids and statuses as strings, as Ongage sends them. */
export function describeReport(report: Report, now: number) {
  const status = statusOf(report, now);
  return {
    id: String(report.id),
    title: report.request.title,
    status: String(status),
    status_desc: statusWords[status],
    favorite: report.request.favorite ? "1" : "0",
    created: String(Math.floor(report.createdAt / 1000)),
  };
}

function windowOf(request: ContactActivityRequest, anchor: number): Window {
  return { from: request.filters.from_date ?? 0, to: request.filters.to_date ?? anchor };
}

/** Every this many contacts, the generators below pause (yield null) so the server can serve others. */
const contactsPerSlice = 500;

/**
 * The contacts a report returns, one at a time, with the values criteria saw; evaluated from
 * the generated list. Null now and then, as a chance to let other requests run.
 */
function* matchingContacts(
  request: ContactActivityRequest,
  list: ContactList,
  readings: PlayedReadings,
): Generator<{ contact: ContactRecord; seen: EvaluationContact } | null> {
  const window = windowOf(request, list.options.anchor);
  for (let index = 0; index < list.size; index++) {
    if (index % contactsPerSlice === contactsPerSlice - 1) yield null;
    const contact = list.contact(index);
    const seen = list.seenIn(contact, window);
    if (matchesRequest(request, seen, readings)) yield { contact, seen };
  }
}

/** A field's label, as a header under header-labels has it: `first_name` is `First Name`. */
function labelOf(name: string): string {
  return name
    .split("_")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(" ");
}

/** An export's header line: the columns' names (header-labels: labels), after a BOM under header-bom. */
function headerLine(columns: readonly string[], readings: PlayedReadings): string {
  const row = csvRow(readings.has("header-labels") ? columns.map(labelOf) : columns);
  return readings.has("header-bom") ? `\uFEFF${row}` : row;
}

/** A row of the aggregated export: the selected fields' values, dates as the CSV writes them. */
type ReportRow = (string | number | null | undefined)[];

/**
 * The aggregated export's rows, one per matching contact (null: a pause): what the CSV holds
 * below its header, and what the playground's sample pane shows.
 */
export function* reportRows(
  request: ContactActivityRequest,
  list: ContactList,
  readings: PlayedReadings,
): Generator<ReportRow | null> {
  const fields = request.selected_fields;
  for (const match of matchingContacts(request, list, readings)) {
    if (match === null) {
      yield null;
      continue;
    }
    const values = match.seen.fields;
    yield fields.map((field) => {
      const value = values[field];
      return dateFields.has(field) && typeof value === "number" ? csvDate(value) : value;
    });
  }
}

/** The aggregated CSV: a header of the selected fields, then a row per matching contact (null: a pause). */
export function* aggregatedCsv(
  request: ContactActivityRequest,
  list: ContactList,
  readings: PlayedReadings,
): Generator<string | null> {
  yield headerLine(request.selected_fields, readings);
  for (const row of reportRows(request, list, readings)) yield row === null ? null : csvRow(row);
}

/** The combined detailed CSV: a row per activity event of each matching contact in the window (null: a pause). */
export function* detailedCsv(
  request: ContactActivityRequest,
  list: ContactList,
  readings: PlayedReadings,
): Generator<string | null> {
  yield headerLine(detailedExportColumns, readings);
  const window = windowOf(request, list.options.anchor);
  for (const match of matchingContacts(request, list, readings)) {
    if (match === null) {
      yield null;
      continue;
    }
    const { contact } = match;
    for (const event of contact.events) {
      if (event.at < window.from || event.at > window.to) continue;
      yield csvRow([contact.email, contact.id, event.mailingId, event.kind, csvDate(event.at)]);
    }
  }
}
