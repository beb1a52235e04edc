import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headerAuth } from "../src/client/auth.js";
import { OngageClient } from "../src/client/client.js";
import { compile, parse, plan, type ContactActivityRequest, type ContactSet } from "../src/index.js";
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
 * evaluation of the query's AST over the same generated data selects.
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

/*
 * Conditions for plans: criteria that each split the sandbox's contacts (domains, names, cities,
 * counts, dates that can be empty, segments, campaigns, `starts`/`ends` whose `not` has no
 * opposite), joined by and/or/not at random, so that most need several reports and their
 * differences, unions and intersections select someone. `grouped` is the same condition with
 * every and/or/not in parentheses, the meaning the reference evaluator reads.
 */
const planAtoms = [
  'email ends "gmail.com"',
  'email ends ["yahoo.com", "acme.com"]',
  'email starts "a"',
  'first_name starts ["A", "B", "C"]',
  'city = "Paris"',
  'city in ["Berlin", "Rome"]',
  "opens > 2",
  "clicks >= 1",
  "age < 40",
  "age is empty",
  "last_open_date is empty",
  "in segment 1",
  "in segment [2, 4]",
  "opened campaign 1001",
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

let sandbox: Sandbox;

/**
 * The emails of the sandbox's contacts that the query selects, in the list's order: the meaning
 * grammar.md gives it (`grouped`: every and/or/not in parentheses), read by the reference
 * evaluator, over the request's user type and window.
 */
function expectedEmails(grouped: string, request: ContactActivityRequest): string[] {
  const condition = parse(grouped).ast!.condition!;
  const window = { from: request.filters.from_date!, to: request.filters.to_date! };
  const userType = request.filters.user_type;
  const expected: string[] = [];
  for (let index = 0; index < sandbox.contacts.size; index++) {
    const contact = sandbox.contacts.contact(index);
    if (userType !== "all" && contact.ocx_status !== userType) continue;
    if (evaluateCondition(condition, evaluationContact(contact, window), typeOf, sandboxNowSeconds))
      expected.push(contact.email);
  }
  return expected;
}
let client: OngageClient;
const folder = mkdtempSync(join(tmpdir(), "oq-differential-"));

beforeAll(async () => {
  // Hundreds of reports a minute: far past Ongage's 300 calls, so both limits are raised here.
  sandbox = await testSandbox({ buildTimeMs: 0, callsPerMinute: 100_000 });
  client = new OngageClient({
    auth: headerAuth(sandbox.credentials),
    baseUrl: sandbox.url,
    listId: sandbox.listId,
    callsPerMinute: 100_000,
  });
});
afterAll(() => sandbox.close());

describe("compile -> run on the sandbox -> CSV", () => {
  it("returns exactly the contacts a direct evaluation of the query selects", async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(queries, async ({ text, grouped }) => {
        const result = compile(text, { now: sandboxNow, fields: sandboxCustomFields });
        if (!result.ok) return;
        compared++;
        const request = result.payload!;
        // Email first, to identify the rows; the other selected columns must follow it.
        const selected = ["email", ...request.selected_fields.filter((field) => field !== "email")];
        const out = join(folder, `${compared}.csv`);
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

        const expected = expectedEmails(grouped, request);
        expect(got, text).toEqual(expected);
        expect(summary.rows).toBe(expected.length);
      }),
      { numRuns: runs },
    );
    expect(compared).toBeGreaterThan(runs / 3);
    expect(sandbox.liveReports()).toEqual([]);
  });

  it("plans: a query one report cannot say returns exactly the contacts a direct evaluation selects", async () => {
    let compared = 0;
    const reportCounts = new Set<number>();
    let differencesWithContacts = 0;
    const operations = new Set<string>();
    const collect = (set: ContactSet): void => {
      operations.add(set.kind);
      if (set.kind === "difference") [set.from, set.minus].forEach(collect);
      else if (set.kind !== "report") set.of.forEach(collect);
    };
    await fc.assert(
      fc.asyncProperty(planConditions, async ({ text, grouped }) => {
        const planned = plan(text, { now: sandboxNow, fields: sandboxCustomFields });
        if (!planned.plan) return;
        compared++;
        reportCounts.add(planned.plan.reports.length);
        collect(planned.plan.combine);
        // Email first in the merged CSV, to identify the rows (the key is email or id; both are selected).
        const columns = ["email", ...planned.plan.columns.filter((column) => column !== "email")];
        const reports = planned.plan.reports.map((request) =>
          request.selected_fields.includes("email")
            ? request
            : { ...request, selected_fields: [...request.selected_fields, "email"] },
        );
        const out = join(folder, `plan-${compared}.csv`);
        const summary = await runPlan({
          client,
          plan: { ...planned.plan, reports, columns },
          destination: { kind: "file", path: out },
          pollIntervalMs: 5,
        });
        expect(summary.error, text).toBeUndefined();
        expect(summary.deleted).toBe(true);

        const [header, ...rows] = readFileSync(out, "utf8").trimEnd().split("\r\n");
        expect(header).toBe(columns.join(","));
        const got = rows.filter((row) => row !== "").map((row) => row.split(",")[0]!);
        expect(new Set(got).size, "every contact once").toBe(got.length);

        const expected = expectedEmails(grouped, reports[0]!);
        // Plans write contacts in merge order (docs/running.md): compared as sets.
        expect([...got].sort(), text).toEqual([...expected].sort());
        expect(summary.rows).toBe(expected.length);
        if (JSON.stringify(planned.plan.combine).includes("difference") && expected.length > 0)
          differencesWithContacts++;
      }),
      { numRuns: runs },
    );
    expect(compared).toBeGreaterThan(runs / 4);
    expect(reportCounts.size, "plans of several sizes").toBeGreaterThan(2);
    expect(differencesWithContacts, "differences that select someone").toBeGreaterThan(runs / 10);
    expect([...operations].sort(), "every set operation").toEqual([
      "difference",
      "intersection",
      "report",
      "union",
    ]);
    expect(sandbox.liveReports()).toEqual([]);
  });
});
