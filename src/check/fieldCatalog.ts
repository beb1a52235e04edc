import { closestMatch, namesSharingParts } from "../diagnostics/suggest.js";
import type { FieldType } from "../language/vocabulary.js";

type FieldOrigin = "list" | "system" | "activity" | "custom";

export interface FieldInfo {
  name: string;
  type: FieldType;
  origin: FieldOrigin;
}

/** Fields every Ongage list has, from the contact-activity reference page. */
export const builtinFields: readonly FieldInfo[] = [
  { name: "email", type: "email", origin: "list" },
  { name: "id", type: "id", origin: "system" },
  { name: "ocx_status", type: "string", origin: "system" },
  { name: "ocx_created_date", type: "date", origin: "system" },
  { name: "ocx_unsubscribe_date", type: "date", origin: "system" },
  { name: "ocx_resubscribe_date", type: "date", origin: "system" },
  { name: "ocx_bounce_date", type: "date", origin: "system" },
  { name: "ocx_complaint_date", type: "date", origin: "system" },
  { name: "ocx_import_id", type: "id", origin: "system" },
  { name: "sent", type: "numeric", origin: "activity" },
  { name: "opens", type: "numeric", origin: "activity" },
  { name: "clicks", type: "numeric", origin: "activity" },
  { name: "avg_open_time", type: "numeric", origin: "activity" },
  { name: "avg_click_time", type: "numeric", origin: "activity" },
  { name: "last_sent_date", type: "date", origin: "activity" },
  { name: "last_open_date", type: "date", origin: "activity" },
  { name: "last_click_date", type: "date", origin: "activity" },
];

/** Custom list fields: name -> type, as loaded from a field schema file. */
export type CustomFields = Readonly<Record<string, FieldType>>;

/** Enough for every misspelt name of a few queries; a bound, so a long-lived catalog stays small. */
const maxRememberedGuesses = 1_000;

/** The fields a query may use: the built-in ones plus the list's custom fields. */
export class FieldCatalog {
  private readonly byName = new Map<string, FieldInfo>();
  private readonly guesses = new Map<string, readonly string[]>();

  constructor(custom: CustomFields = {}) {
    for (const field of builtinFields) this.byName.set(field.name, field);
    for (const [name, type] of Object.entries(custom)) {
      // A custom field cannot change the type of a built-in one.
      if (!this.byName.has(name)) this.byName.set(name, { name, type, origin: "custom" });
    }
  }

  lookup(name: string): FieldInfo | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /**
   * The fields a misspelt name most likely meant ("did you mean"): the nearest spelling, else
   * the fields whose names share the most parts with it (`status` -> `ocx_status`). Remembered
   * per catalog: with a schema of thousands of fields each guess costs milliseconds, and a query
   * is checked again for every fix it is offered (diagnostics/checkedFixes.ts).
   */
  closestNames(name: string): readonly string[] {
    const remembered = this.guesses.get(name);
    if (remembered) return remembered;
    const nearest = closestMatch(name, this.byName.keys());
    const guesses = nearest ? [nearest] : namesSharingParts(name, this.byName.keys());
    if (this.guesses.size >= maxRememberedGuesses) this.guesses.clear();
    this.guesses.set(name, guesses);
    return guesses;
  }

  get hasCustomFields(): boolean {
    return [...this.byName.values()].some((field) => field.origin === "custom");
  }
}

const builtinCatalog = new FieldCatalog();
const catalogs = new WeakMap<CustomFields, FieldCatalog>();

/** The catalog for a set of custom fields, built once per fields object. */
export function catalogFor(custom: CustomFields | undefined): FieldCatalog {
  if (!custom) return builtinCatalog;
  let catalog = catalogs.get(custom);
  if (!catalog) {
    catalog = new FieldCatalog(custom);
    catalogs.set(custom, catalog);
  }
  return catalog;
}

/** Activity fields count only events inside the report's window; a custom field never is one. */
export function isActivityField(name: string): boolean {
  return builtinCatalog.lookup(name)?.origin === "activity";
}
