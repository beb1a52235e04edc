import type { ContactActivityRequest } from "../emit/payloadSchema.js";
import type { QueryPlan } from "../emit/planSchema.js";
import { caselessKeys } from "../language/vocabulary.js";
import { contactSetChooser } from "../runner/contactSetEvaluation.js";
import { ContactList, sandboxDefaults } from "../sandbox/data.js";
import { reportRows, validateRequest } from "../sandbox/reports.js";

/*
 * The "Sample contacts" pane: what `oq run` would give against `oq sandbox` (its default seed
 * and size, its data anchored at the page's "now"), worked out in the page by the sandbox's own
 * code (reportRows: the rows of its aggregated export). A plan is combined as the runner's merge
 * combines it (runner/mergeResults.ts): contacts told apart by the plan's key (an email address
 * without letter case), the set expression evaluated by the runner's contactSetChooser, each
 * contact's row taken from the report it chooses, in the order contacts first appear in reports
 * 1, 2, 3..., as the merge writes them when they fit in memory, which the sandbox's always do.
 */

export interface SampleContacts {
  /** How many contacts the query selects. */
  count: number;
  /** The columns of the CSV `oq run` writes. */
  columns: string[];
  /** Its first rows, each value as the CSV has it (an empty value: ""). */
  rows: string[][];
  /**
   * Why oq sandbox would refuse the request (as Ongage does, 412): a custom field it does not
   * have, say. There are no rows then, as `oq run` against it gets none.
   */
  refused?: string[];
}

/** The contacts the pane reads: the sandbox's defaults, as of "now"; made again only when "now" changes. */
export class SampleContactSource {
  private list: ContactList | undefined;

  listAt(nowSeconds: number): ContactList {
    if (this.list?.options.anchor !== nowSeconds)
      // A list of this size keeps its contacts, and what criteria see of them (ContactList.seenIn).
      this.list = new ContactList({ ...sandboxDefaults, anchor: nowSeconds });
    return this.list;
  }
}

/** The pane's first line: how many contacts, out of which. */
export function sampleCountText(count: number): string {
  const { contacts, seed } = sandboxDefaults;
  return `${count.toLocaleString("en-US")} of the ${contacts.toLocaleString("en-US")} contacts oq sandbox generates (seed ${seed}, its data as of "now")`;
}

const documentedReadings: ReadonlySet<never> = new Set();

function rowsOf(request: ContactActivityRequest, list: ContactList): string[][] {
  const rows: string[][] = [];
  for (const row of reportRows(request, list, documentedReadings))
    if (row !== null)
      rows.push(row.map((value) => (value === null || value === undefined ? "" : String(value))));
  return rows;
}

/** The contacts one request or a plan selects from `list`: the count and the first `shown` rows. */
export function sampleContacts(
  query: { payload: ContactActivityRequest } | { plan: QueryPlan },
  list: ContactList,
  shown: number,
): SampleContacts {
  const requests = "payload" in query ? [query.payload] : query.plan.reports;
  const refused = requests.flatMap((request) => validateRequest(request).errors);
  if (refused.length > 0) return { count: 0, columns: [], rows: [], refused: [...new Set(refused)] };
  if ("payload" in query) {
    const rows = rowsOf(query.payload, list);
    return { count: rows.length, columns: [...query.payload.selected_fields], rows: rows.slice(0, shown) };
  }
  const { reports, key, columns, combine } = query.plan;
  const fields = reports[0]!.selected_fields;
  const keyIndex = fields.indexOf(key);
  const columnIndexes = columns.map((column) => fields.indexOf(column));
  /** By key, in order of first appearance: which reports hold the contact, and its row in each. */
  const contacts = new Map<string, { membership: number; rows: string[][] }>();
  reports.forEach((request, report) => {
    for (const row of rowsOf(request, list)) {
      const value = row[keyIndex]!;
      const contactKey = caselessKeys.has(key) ? value.toLowerCase() : value;
      let contact = contacts.get(contactKey);
      if (!contact) contacts.set(contactKey, (contact = { membership: 0, rows: [] }));
      contact.membership |= 1 << report;
      contact.rows[report] ??= row;
    }
  });
  const choose = contactSetChooser(combine);
  let count = 0;
  const rows: string[][] = [];
  for (const contact of contacts.values()) {
    const report = choose(contact.membership);
    if (report < 0) continue;
    count++;
    if (rows.length < shown) rows.push(columnIndexes.map((index) => contact.rows[report]![index]!));
  }
  return { count, columns: [...columns], rows };
}
