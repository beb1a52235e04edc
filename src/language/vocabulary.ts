/*
 * The words of Ongage's contact-activity API that oq speaks, each defined once. Every layer may
 * read them (this folder imports nothing): the checker, the emitter's schema, the printers, the
 * sandbox and the evaluator all take their lists from here.
 */

/** The value types Ongage gives list fields; they decide which operators and values apply. */
export const fieldTypes = ["email", "string", "numeric", "date", "id"] as const;
export type FieldType = (typeof fieldTypes)[number];

/** A criterion's `type`: a field's type, or one of the two kinds that have no field. */
export const criterionTypes = [...fieldTypes, "segment", "behavioral"] as const;
export type CriterionType = (typeof criterionTypes)[number];

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

/** `users` words: Ongage confirms `all` and `active`; the others are contact statuses, unconfirmed as user types. */
export const confirmedUserTypes = ["all", "active"] as const;
export const unconfirmedUserTypes = ["unsubscribed", "bounced", "complaint"] as const;
export const userTypes: readonly string[] = [...confirmedUserTypes, ...unconfirmedUserTypes];

/** What a `behavioral` criterion can say a contact did with a campaign. */
export const campaignActions = ["sent", "opened", "clicked"] as const;

/** Titles longer than this may be cut by Ongage (a warning, not an error). */
export const maxTitleLength = 255;

export const secondsPerDay = 86_400;

/**
 * The columns of the combined detailed export (export_detailed): one row per activity event,
 * whatever the report selects.
 */
export const detailedExportColumns = ["email", "ocx_contact_id", "mailing_id", "activity", "activity_date"];

/** Where a contact's key (a plan's `key`) is in the detailed export. */
export const detailedExportKey: Readonly<Record<string, string>> = { email: "email", id: "ocx_contact_id" };

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
