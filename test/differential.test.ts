import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headerAuth } from "../src/client/auth.js";
import { OngageClient } from "../src/client/client.js";
import {
  compile,
  parse,
  plan,
  type ContactActivityRequest,
  type ContactSet,
  type Findings,
  type QueryPlan,
  type ReadingName,
} from "../src/index.js";
import { runReport } from "../src/runner/runReport.js";
import { runPlan } from "../src/runner/runPlan.js";
import { evaluationContact, sandboxCustomFields } from "../src/sandbox/data.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { evaluateCondition } from "./support/astEvaluator.js";
import { makeQueryPairArb, typeOf } from "./support/arbitraries.js";
import { sandboxNow, sandboxNowSeconds, testSandbox } from "./support/sandbox.js";

/*
 * The differential test of the whole chain: random valid queries are compiled, run as reports
 * on the sandbox over real HTTP, and the CSV's rows must be exactly the contacts that a direct
 * evaluation of the query's AST over the same generated data selects. Under each reading of
 * language/readings.ts the sandbox can play, too: with nothing known of it, and for forced-and
 * with it known (a single report cannot be right under it otherwise), the contacts must be
 * those the language selects under that reading.
 */

const pools = {
  words: ["gmail.com", "acme", "ann", "Ann", "Paris", "paris", "active", "bounced", "e", "Tel Aviv", "1@"],
  numbers: { min: 0, max: 60 },
  days: ["2024-05-20", "2024-04-01", "2023-06-01", "1980-01-01", "2024-05-31"],
  segmentIds: ["1", "2", "3", "4", "77"],
  mailingIds: ["1", "2", "1001", "1004", "1006"],
  maxDaysAgo: 200,
};
const queries = makeQueryPairArb(pools, ["between 2024-01-01 and 2024-06-01", "between 90d ago and 10d ago"]);
const runs = Number(process.env["OQ_DIFFERENTIAL_RUNS"] ?? 60);

/** A reading the sandbox plays, what oq is told of it, and how many queries to try (fewer: same code). */
interface Setting {
  name: string;
  played: ReadingName[];
  findings: Findings;
  runs: number;
}
const settings: Setting[] = [
  { name: "the documented reading", played: [], findings: {}, runs },
  {
    name: "forced-and, found to hold",
    played: ["forced-and"],
    findings: { "forced-and": "holds" },
    runs: runs / 3,
  },
  { name: "null-text, nothing known", played: ["null-text"], findings: {}, runs: runs / 3 },
  { name: "sent-not-opened, nothing known", played: ["sent-not-opened"], findings: {}, runs: runs / 3 },
];

/*
 * Conditions for plans: criteria that each split the sandbox's contacts (domains, names, cities,
 * counts, dates that can be empty, segments, campaigns, `starts`/`ends` whose `not` has no
 * opposite, text and campaign tests whose meaning a reading changes), joined by and/or/not at random, so that most need several reports and their
 * differences, unions and intersections select someone. `grouped` is the same condition with
 * every and/or/not in parentheses, the meaning the reference evaluator reads.
 */
const planAtoms = [
  'email ends "gmail.com"',
  'email ends ["yahoo.com", "acme.com"]',
  'email starts "a"',
  'first_name starts ["A", "B", "C"]',
  'city = "Paris"',
  'city != "Rome"',
  'first_name contains "a"',
  'city in ["Berlin", "Rome"]',
  "opens > 2",
  "clicks >= 1",
  "age < 40",
  "age is empty",
  "last_open_date is empty",
  "in segment 1",
  "in segment [2, 4]",
  "opened campaign 1001",
  "not opened campaign 1",
  "not sent campaign 1004",
];
const { planCondition: planConditionArb } = fc.letrec<{ planCondition: { text: string; grouped: string } }>(
  (tie) => ({
    planCondition: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      { weight: 3, arbitrary: fc.constantFrom(...planAtoms).map((atom) => ({ text: atom, grouped: atom })) },
      tie("planCondition").map(({ text, grouped }) => ({
        text: `not (${text})`,
        grouped: `(not (${grouped}))`,
      })),
      fc
        .tuple(fc.constantFrom("and", "or"), fc.array(tie("planCondition"), { minLength: 2, maxLength: 3 }))
        .map(([joiner, parts]) => ({
          text: parts.map((part) => `(${part.text})`).join(` ${joiner} `),
          grouped: `(${parts.map((part) => part.grouped).join(` ${joiner} `)})`,
        })),
    ),
  }),
);
const planConditions = fc
  .tuple(fc.constantFrom("and", "or"), fc.array(planConditionArb, { minLength: 2, maxLength: 3 }))
  .map(([joiner, parts]) => ({
    text: parts.map((part) => `(${part.text})`).join(` ${joiner} `),
    grouped: `(${parts.map((part) => part.grouped).join(` ${joiner} `)})`,
  }))
  .map(({ text, grouped }) => ({
    text: `${text}\nbetween 2024-01-01 and 2024-06-01`,
    grouped: `${grouped}\nbetween 2024-01-01 and 2024-06-01`,
  }));

/**
 * The emails of the sandbox's contacts that the query selects, in the list's order: the meaning
 * grammar.md gives it (`grouped`: every and/or/not in parentheses), read by the reference
 * evaluator under the readings that change what a test means (forced-and changes how a report
 * joins its criteria, which oq, told of it, does not rely on), over the request's user type and
 * window.
 */
function expectedEmails(
  sandbox: Sandbox,
  setting: Setting,
  grouped: string,
  request: ContactActivityRequest,
): string[] {
  const readings = new Set(setting.played.filter((reading) => reading !== "forced-and"));
  const condition = parse(grouped).ast!.condition!;
  const window = { from: request.filters.from_date!, to: request.filters.to_date! };
  const userType = request.filters.user_type;
  const expected: string[] = [];
  for (let index = 0; index < sandbox.contacts.size; index++) {
    const contact = sandbox.contacts.contact(index);
    if (userType !== "all" && contact.ocx_status !== userType) continue;
    const seen = evaluationContact(contact, window);
    if (evaluateCondition(condition, seen, typeOf, sandboxNowSeconds, readings)) expected.push(contact.email);
  }
  return expected;
}
const folder = mkdtempSync(join(tmpdir(), "oq-differential-"));

describe.each(settings)("compile -> run on the sandbox -> CSV: $name", (setting) => {
  let sandbox: Sandbox;
  let client: OngageClient;
  const options = { now: sandboxNow, fields: sandboxCustomFields, findings: setting.findings };
  const settingRuns = Math.ceil(setting.runs);
  const outFile = (name: string) => join(folder, `${setting.played.join("+") || "documented"}-${name}.csv`);

  beforeAll(async () => {
    // Hundreds of reports a minute: far past Ongage's 300 calls, so both limits are raised here.
    sandbox = await testSandbox({ buildTimeMs: 0, callsPerMinute: 100_000, readings: setting.played });
    client = new OngageClient({
      auth: headerAuth(sandbox.credentials),
      baseUrl: sandbox.url,
      listId: sandbox.listId,
      callsPerMinute: 100_000,
    });
  });
  afterAll(() => sandbox.close());

  /** Runs `queryPlan` with email as the first column (to identify the rows): the emails it gives, sorted. */
  async function runQueryPlan(text: string, queryPlan: QueryPlan, name: string): Promise<string[]> {
    // Email first in the merged CSV, to identify the rows (the key is email or id; both are selected).
    const columns = ["email", ...queryPlan.columns.filter((column) => column !== "email")];
    const reports = queryPlan.reports.map((request) =>
      request.selected_fields.includes("email")
        ? request
        : { ...request, selected_fields: [...request.selected_fields, "email"] },
    );
    const out = outFile(name);
    const summary = await runPlan({
      client,
      plan: { ...queryPlan, reports, columns },
      destination: { kind: "file", path: out },
      pollIntervalMs: 5,
    });
    expect(summary.error, text).toBeUndefined();
    expect(summary.deleted).toBe(true);
    const [header, ...rows] = readFileSync(out, "utf8").trimEnd().split("\r\n");
    expect(header).toBe(columns.join(","));
    const got = rows.filter((row) => row !== "").map((row) => row.split(",")[0]!);
    expect(new Set(got).size, "every contact once").toBe(got.length);
    expect(summary.rows).toBe(got.length);
    return got.sort();
  }

  it("returns exactly the contacts a direct evaluation of the query selects", async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(queries, async ({ text, grouped }) => {
        const result = compile(text, options);
        if (!result.ok) return;
        compared++;
        const request = result.payload!;
        // Where forced-and holds, an `or` chain runs as a plan (a union of reports): the same contacts.
        const planned = plan(text, options);
        if (planned.plan) {
          expect(setting.findings["forced-and"]).toBe("holds");
          const got = await runQueryPlan(text, planned.plan, `${compared}`);
          expect(got, text).toEqual(expectedEmails(sandbox, setting, grouped, request).sort());
          return;
        }
        // Email first, to identify the rows; the other selected columns must follow it.
        const selected = ["email", ...request.selected_fields.filter((field) => field !== "email")];
        const out = outFile(`${compared}`);
        const summary = await runReport({
          client,
          request: { ...request, selected_fields: selected },
          destination: { kind: "file", path: out },
          pollIntervalMs: 5,
        });
        expect(summary.error).toBeUndefined();

        const [header, ...rows] = readFileSync(out, "utf8").trimEnd().split("\r\n");
        expect(header).toBe(selected.join(","));
        const got = rows.filter((row) => row !== "").map((row) => row.split(",")[0]);

        const expected = expectedEmails(sandbox, setting, grouped, request);
        expect(got, text).toEqual(expected);
        expect(summary.rows).toBe(expected.length);
      }),
      { numRuns: settingRuns },
    );
    expect(compared).toBeGreaterThan(settingRuns / 3);
    expect(sandbox.liveReports()).toEqual([]);
  });

  it("plans: a query one report cannot say returns exactly the contacts a direct evaluation selects", async () => {
    let compared = 0;
    const reportCounts = new Set<number>();
    let differencesWithContacts = 0;
    const operations = new Set<string>();
    const planRuns = Math.max(10, Math.ceil(settingRuns / 3));
    const collect = (set: ContactSet): void => {
      operations.add(set.kind);
      if (set.kind === "difference") [set.from, set.minus].forEach(collect);
      else if (set.kind !== "report") set.of.forEach(collect);
    };
    await fc.assert(
      // Only the conditions that need a plan (about two in five do; the rest are one report).
      fc.asyncProperty(
        planConditions.filter(({ text }) => plan(text, options).plan !== undefined),
        async ({ text, grouped }) => {
          const planned = plan(text, options);
          if (!planned.plan) return;
          compared++;
          reportCounts.add(planned.plan.reports.length);
          collect(planned.plan.combine);
          const got = await runQueryPlan(text, planned.plan, `plan-${compared}`);
          const expected = expectedEmails(sandbox, setting, grouped, planned.plan.reports[0]!);
          // Plans write contacts in merge order (docs/running.md): compared as sets.
          expect(got, text).toEqual([...expected].sort());
          if (JSON.stringify(planned.plan.combine).includes("difference") && expected.length > 0)
            differencesWithContacts++;
        },
      ),
      { numRuns: planRuns },
    );
    expect(compared).toBe(planRuns);
    expect(differencesWithContacts, "differences that select someone").toBeGreaterThan(planRuns / 4);
    // Not vacuous: the full run (the documented reading) meets every shape; the others run fewer.
    if (setting.runs === runs) {
      expect(reportCounts.size, "plans of several sizes").toBeGreaterThan(2);
      expect([...operations].sort(), "every set operation").toEqual([
        "difference",
        "intersection",
        "report",
        "union",
      ]);
    }
    expect(sandbox.liveReports()).toEqual([]);
  });
});
