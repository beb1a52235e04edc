import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headerAuth } from "../src/client/auth.js";
import { OngageClient } from "../src/client/client.js";
import { compile, parse } from "../src/index.js";
import { runReport } from "../src/runner/runReport.js";
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

let sandbox: Sandbox;
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

        // The meaning grammar.md gives the query, with every and/or/not grouped in parentheses.
        const condition = parse(grouped).ast!.condition!;
        const window = { from: request.filters.from_date!, to: request.filters.to_date! };
        const expected: string[] = [];
        for (let index = 0; index < sandbox.contacts.size; index++) {
          const contact = sandbox.contacts.contact(index);
          const userType = request.filters.user_type;
          if (userType !== "all" && contact.ocx_status !== userType) continue;
          if (evaluateCondition(condition, evaluationContact(contact, window), typeOf, sandboxNowSeconds))
            expected.push(contact.email);
        }
        expect(got, text).toEqual(expected);
        expect(summary.rows).toBe(expected.length);
      }),
      { numRuns: runs },
    );
    expect(compared).toBeGreaterThan(runs / 3);
    expect(sandbox.liveReports()).toEqual([]);
  });
});
