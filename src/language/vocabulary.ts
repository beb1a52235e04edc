/*
 * The words of Ongage's contact-activity API that oq speaks, each defined once. Every layer may
 * read them (this folder imports nothing): the checker, the emitter's schema, the printers, the
 * sandbox and the evaluator all take their lists from here.
 */

/** The value types Ongage gives list fields; they decide which operators and values apply. */
export const fieldTypes = ["email", "string", "numeric", "date", "id"] as const;
export type FieldType = (typeof fieldTypes)[number];

/** The criterion types that name no field: membership of a segment, activity on a campaign. */
const fieldlessCriterionTypes = ["segment", "behavioral"] as const;
type FieldlessCriterionType = (typeof fieldlessCriterionTypes)[number];

/** A criterion's `type`: a field's type, or one of the two kinds that have no field. */
export const criterionTypes = [...fieldTypes, ...fieldlessCriterionTypes] as const;
export type CriterionType = (typeof criterionTypes)[number];

/** Whether a criterion of this type names no field (fieldlessCriterionTypes). */
export function isFieldless(type: string): type is FieldlessCriterionType {
  return (fieldlessCriterionTypes as readonly string[]).includes(type);
}

/** The field types whose value can be missing; text reads as "" instead. */
const typesThatCanBeEmpty: readonly string[] = ["numeric", "id", "date"];

/** Counts, not values that can be missing: a contact without activity has 0 of each. */
const countFields = ["sent", "opens", "clicks"] as const;
export type CountField = (typeof countFields)[number];

export function isCountField(fieldName: string): fieldName is CountField {
  return (countFields as readonly string[]).includes(fieldName);
}

/**
 * Whether a criterion's field can have no value (a number, id or date other than a count): an
 * empty one makes a comparison unknown (docs/semantics.md).
 */
export function fieldCanBeEmpty(type: string, fieldName: string): boolean {
  return typesThatCanBeEmpty.includes(type) && !isCountField(fieldName);
}

/** The operator strings Ongage's criteria accept. */
export const ongageOperators = [
  "=",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "LIKE",
  "NOT LIKE",
  "LIKE_",
  "_LIKE",
  "empty",
  "notempty",
  "><",
] as const;
export type OngageOperator = (typeof ongageOperators)[number];

/** The operators that take no operand (they test whether a field has a value); sent with [""]. */
const operandlessOperators: readonly string[] = ["empty", "notempty"];

export function takesNoOperand(operator: string): boolean {
  return operandlessOperators.includes(operator);
}

/**
 * The negated operators whose list Ongage ORs, so that a list of them matches almost everyone;
 * `not` of a positive list sends one of them per value, joined by `and`.
 */
const negatedListOperators = ["!=", "NOT LIKE"] as const;

export function isNegatedListOperator(operator: string): operator is (typeof negatedListOperators)[number] {
  return (negatedListOperators as readonly string[]).includes(operator);
}

/** `users` words: Ongage confirms `all` and `active`; the others are contact statuses, unconfirmed as user types. */
export const confirmedUserTypes = ["all", "active"] as const;
export const unconfirmedUserTypes = ["unsubscribed", "bounced", "complaint"] as const;
export const userTypes: readonly string[] = [...confirmedUserTypes, ...unconfirmedUserTypes];

/** What a `behavioral` criterion can say a contact did with a campaign. */
export const campaignActions = ["sent", "opened", "clicked"] as const;

/** Titles longer than this may be cut by Ongage (a warning, not an error). */
export const maxTitleLength = 255;

export const secondsPerHour = 3_600;
export const secondsPerDay = 24 * secondsPerHour;

/**
 * The columns of the combined detailed export (export_detailed): one row per activity event,
 * whatever the report selects.
 */
export const detailedExportColumns = ["email", "ocx_contact_id", "mailing_id", "activity", "activity_date"];

/**
 * The columns that tell contacts apart, in the order preferred when a query selects several: a
 * plan's `key`. No other column may be one: two contacts sharing its value would be taken for one.
 */
export const contactKeys = ["email", "id"] as const;

export type ContactKey = (typeof contactKeys)[number];

/** Where a contact's key (a plan's `key`) is in the detailed export. */
export const detailedExportKey: Readonly<Record<ContactKey, string>> = {
  email: "email",
  id: "ocx_contact_id",
};

/** Keys whose values are one contact whatever their letter case: an email address is one mailbox. */
export const caselessKeys: ReadonlySet<string> = new Set(["email"]);

/** Defaults for what a query does not say; grammar.md documents them. */
export const queryDefaults = {
  userType: "all",
  windowSeconds: 30 * secondsPerDay,
  selectedFields: [
    "email",
    "ocx_created_date",
    "ocx_status",
    "sent",
    "opens",
    "clicks",
    "ocx_unsubscribe_date",
    "ocx_resubscribe_date",
    "ocx_bounce_date",
    "ocx_complaint_date",
    "last_sent_date",
    "last_open_date",
  ],
} as const;
