import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plan } from "../src/compile.js";
import type { QueryPlan } from "../src/emit/planSchema.js";
import { analyse } from "../src/playground/analysis.js";
import { sampleContacts } from "../src/playground/sampleContacts.js";
import { runPlan } from "../src/runner/runPlan.js";
import { runReport } from "../src/runner/runReport.js";
import { ContactList, sandboxCustomFields } from "../src/sandbox/data.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { outFolder, sandboxClient } from "./support/inProcess.js";
import { sandboxNow, sandboxNowSeconds, testSandbox } from "./support/sandbox.js";

/*
 * The playground's "Sample contacts" pane works out in the page what `oq run` gives against the
 * sandbox: here it is held to runReport()/runPlan() against the in-process sandbox, on the same
 * contacts (the test sandbox's seed and size), for one report and for plans of each set operation.
 */

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await testSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

const folder = outFolder();
let runs = 0;

/** The CSV `oq run` writes for `text` on the sandbox: its header and rows, split at commas (the columns hold none). */
async function ranRows(text: string): Promise<{ columns: string[]; rows: string[][]; planned: boolean }> {
  const result = plan(text, { now: sandboxNow, fields: sandboxCustomFields });
  if (!result.ok) throw new Error(`${text} does not plan`);
  const path = join(folder, `${++runs}.csv`);
  const options = {
    client: sandboxClient(sandbox),
    destination: { kind: "file" as const, path },
    pollIntervalMs: 1,
  };
  const summary = result.payload
    ? await runReport({ ...options, request: result.payload })
    : await runPlan({ ...options, plan: result.plan! });
  if (summary.error) throw new Error(summary.error);
  const [header, ...rows] = readFileSync(path, "utf8").trimEnd().split("\r\n");
  return {
    columns: header!.split(","),
    rows: rows.filter((row) => row !== "").map((row) => row.split(",")),
    planned: result.plan !== undefined,
  };
}

const list = new ContactList({ contacts: 400, seed: 7, anchor: sandboxNowSeconds });

describe("the sample contacts pane", () => {
  const queries = [
    'email ends "gmail.com" and opens >= 1 during 90d select email, opens',
    'age >= 40 and city = "Paris" select email, age, city, birthday, last_open_date during 120d',
    '(email ends "gmail.com" and opens >= 1) or (city = "Rome" and clicks >= 1) during 90d select email, city, opens',
    'not (email ends "gmail.com" and opens >= 1) during 90d select email, opens',
    '(email ends "gmail.com" or opens >= 2) and (city = "Paris" or clicks >= 1) during 90d select id, opens',
  ];

  for (const text of queries) {
    it(`counts and shows what oq run gives: ${text}`, async () => {
      const ran = await ranRows(text);
      const result = plan(text, { now: sandboxNow, fields: sandboxCustomFields });
      const query = result.payload ? { payload: result.payload } : { plan: result.plan! };
      const shown = sampleContacts(query, list, 10);
      expect(ran.rows.length).toBeGreaterThan(0);
      expect(shown).toEqual({ count: ran.rows.length, columns: ran.columns, rows: ran.rows.slice(0, 10) });
      // All of them, in the run's order.
      expect(sampleContacts(query, list, Infinity).rows).toEqual(ran.rows);
    });
  }

  it("covers one report and plans of union, intersection and difference", () => {
    const kinds = queries.map((text) => {
      const result = plan(text, { now: sandboxNow, fields: sandboxCustomFields });
      return result.payload ? "report" : kindsOf(result.plan!.combine).join("+");
    });
    expect(kinds.join(" ")).toMatch(/report/);
    for (const kind of ["union", "intersection", "difference"]) expect(kinds.join(" ")).toContain(kind);
  });

  it("tells contacts apart by their email address whatever its letter case, as the merge does", () => {
    /** The sandbox's contacts, their addresses in capitals from the second pass over the list on (the second report). */
    class ShoutingList extends ContactList {
      private calls = 0;
      override contact(index: number) {
        const contact = super.contact(index);
        return this.calls++ < this.size ? contact : { ...contact, email: contact.email.toUpperCase() };
      }
    }
    const options = { contacts: 400, seed: 7, anchor: sandboxNowSeconds };
    const request = plan('email ends "gmail.com" during 90d select email', { now: sandboxNow }).payload!;
    const both: QueryPlan = {
      reports: [request, { ...request, title: "again" }],
      combine: {
        kind: "intersection",
        of: [
          { kind: "report", report: 0 },
          { kind: "report", report: 1 },
        ],
      },
      key: "email",
      columns: ["email"],
    };
    const alone = sampleContacts({ payload: request }, new ContactList(options), 5);
    expect(alone.count).toBeGreaterThan(0);
    expect(sampleContacts({ plan: both }, new ShoutingList(options), 5)).toEqual(alone);
  });

  it("a field oq sandbox does not have: refused as the sandbox refuses the run, not 'no one'", async () => {
    const text = "loyalty_tier >= 2 during 90d select email, loyalty_tier";
    const fields = { ...sandboxCustomFields, loyalty_tier: "numeric" as const };
    const request = plan(text, { now: sandboxNow, fields }).payload!;
    const shown = sampleContacts({ payload: request }, list, 10);
    expect(shown.rows).toEqual([]);
    expect(shown.refused).toEqual([
      "filters.criteria.0.field_name: unknown field loyalty_tier",
      "selected_fields: unknown field loyalty_tier",
    ]);
    // What oq run gets from the sandbox for the same request.
    const summary = await runReport({
      client: sandboxClient(sandbox),
      request,
      destination: { kind: "file", path: join(folder, "refused.csv") },
      pollIntervalMs: 1,
    });
    expect(summary.ok).toBe(false);
    expect(summary.error).toContain("unknown field loyalty_tier");
  });

  it("is what the page's analysis shows, none while the query has errors", () => {
    const settings = { now: sandboxNow, schema: "" };
    const good = analyse('email ends "gmail.com" and opens >= 3 during 30d select email, opens', settings);
    expect(good.samples?.count).toBeGreaterThan(0);
    expect(good.samples?.rows.length).toBeLessThanOrEqual(10);
    expect(analyse('emial ends "gmail.com"', settings).samples).toBeUndefined();
  });
});

function kindsOf(set: QueryPlan["combine"]): string[] {
  if (set.kind === "report") return [];
  if (set.kind === "difference") return ["difference", ...kindsOf(set.from), ...kindsOf(set.minus)];
  return [set.kind, ...set.of.flatMap(kindsOf)];
}
