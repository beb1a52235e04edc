import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { headerAuth } from "../src/client/auth.js";
import { OngageClient } from "../src/client/client.js";
import { plan } from "../src/index.js";
import { QueryPlanSchema, type QueryPlan } from "../src/emit/planSchema.js";
import { runPlan } from "../src/runner/runPlan.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { oq } from "./support/oqInProcess.js";
import { sandboxEnv, sandboxNow, testSandbox } from "./support/sandbox.js";
import { scratch } from "./support/scratch.js";

/*
 * The plan format is a contract (docs/running.md, "Plans"): `oq plan --json` prints exactly a
 * QueryPlan that `oq run --plan` takes back, and a plan written by hand is checked before
 * anything is created. In process: the whole command (test/support/oqInProcess.ts) against the
 * sandbox.
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const env = () => sandboxEnv(sandbox!);
const fast = ["--poll-interval", "20ms"];

/** A query that needs a plan of two reports (`not ends` is a set difference). */
const twoReports = 'opens >= 1 and not email ends "gmail.com"\nduring 90d\nselect email, opens\n';

describe("oq plan --json prints exactly the plan oq run --plan takes back", () => {
  it("a query that needs a plan: the QueryPlan alone (key and columns, no wrapper); warnings on stderr; the same CSV as oq run", async () => {
    sandbox = await testSandbox();
    const dir = scratch({ "q.oq": twoReports });
    const planned = await oq(["plan", "q.oq", "--json"], { cwd: dir, env: env() });
    expect(planned.status, planned.stderr).toBe(0);
    const json = JSON.parse(planned.stdout);
    expect(Object.keys(json).sort()).toEqual(["columns", "combine", "key", "reports"]);
    expect(QueryPlanSchema.parse(json)).toEqual(plan(twoReports, { now: sandboxNow, fileName: "q.oq" }).plan);
    expect(json).toMatchObject({ key: "email", columns: ["email", "opens"] });
    expect(json.reports).toHaveLength(2);

    writeFileSync(join(dir, "plan.json"), planned.stdout);
    const fromPlan = await oq(["run", "--plan", "plan.json", ...fast], { cwd: dir, env: env() });
    expect(fromPlan.status, fromPlan.stderr).toBe(0);
    const fromQuery = await oq(["run", "q.oq", ...fast], { cwd: dir, env: env() });
    expect(fromQuery.status, fromQuery.stderr).toBe(0);
    expect(fromPlan.stdout.split("\r\n").length).toBeGreaterThan(3);
    expect(fromPlan.stdout).toBe(fromQuery.stdout);
    expect(sandbox.stats.reportsCreated).toBe(4);
  });

  it("diagnostics go to stderr, the plan alone to stdout; a query with errors prints no plan (exit 1)", async () => {
    const dir = scratch({
      "warned.oq": 'opens >= 1 and not email ends "gmail.com"\nselect email, email\n',
      "wrong.oq": "opens >\n",
    });
    const warned = await oq(["plan", "warned.oq", "--json"], { cwd: dir });
    expect(warned.status).toBe(0);
    expect(warned.stderr).toContain("warned.oq:2:15: warning: 'email' is selected twice");
    expect(QueryPlanSchema.safeParse(JSON.parse(warned.stdout)).success).toBe(true);
    const wrong = await oq(["plan", "wrong.oq", "--json"], { cwd: dir });
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toBe("");
    expect(wrong.stderr).toContain("wrong.oq:1:");
  });

  it("a query one report says: a plan of that one report, which oq run --plan runs as that report, byte for byte", async () => {
    sandbox = await testSandbox();
    const query = "opens >= 1\nduring 90d\nselect email, opens\n";
    const dir = scratch({ "one.oq": query });
    const planned = await oq(["plan", "one.oq", "--json"], { cwd: dir, env: env() });
    expect(planned.status, planned.stderr).toBe(0);
    const json = JSON.parse(planned.stdout);
    const payload = plan(query, { now: sandboxNow, fileName: "one.oq" }).payload;
    expect(json).toEqual({
      reports: [payload],
      combine: { kind: "report", report: 0 },
      key: "email",
      columns: ["email", "opens"],
    });
    writeFileSync(join(dir, "plan.json"), planned.stdout);
    const fromPlan = await oq(["run", "--plan", "plan.json", ...fast], { cwd: dir, env: env() });
    expect(fromPlan.status, fromPlan.stderr).toBe(0);
    // As one report, not a merge of one.
    expect(fromPlan.stderr).toMatch(/^✓ plan\.json: report 1000 \(deleted\)/);
    const fromQuery = await oq(["run", "one.oq", ...fast], { cwd: dir, env: env() });
    expect(fromPlan.stdout).toBe(fromQuery.stdout);
  });

  it("a query one report says that selects no key: the plan adds email to the report and leaves it out of the CSV", async () => {
    sandbox = await testSandbox();
    const query = "opens >= 1\nduring 90d\nselect opens, clicks\n";
    const dir = scratch({ "counts.oq": query });
    const planned = await oq(["plan", "counts.oq", "--json"], { cwd: dir, env: env() });
    const json = JSON.parse(planned.stdout);
    expect(json).toMatchObject({ key: "email", columns: ["opens", "clicks"] });
    expect(json.reports[0].selected_fields).toEqual(["opens", "clicks", "email"]);
    writeFileSync(join(dir, "plan.json"), planned.stdout);
    const fromPlan = await oq(["run", "--plan", "plan.json", ...fast], { cwd: dir, env: env() });
    expect(fromPlan.status, fromPlan.stderr).toBe(0);
    const fromQuery = await oq(["run", "counts.oq", ...fast], { cwd: dir, env: env() });
    const rows = (csv: string) => csv.trimEnd().split("\r\n");
    expect(rows(fromPlan.stdout)[0]).toBe("opens,clicks");
    // One row per contact either way (the merge orders rows its own way).
    expect(rows(fromPlan.stdout).sort()).toEqual(rows(fromQuery.stdout).sort());
  });
});

/** The plan `oq plan --json` makes for `twoReports`, to spoil by hand. */
function goodPlan(): QueryPlan {
  return structuredClone(plan(twoReports, { now: sandboxNow }).plan!);
}

const handWritten: [string, (plan: QueryPlan) => unknown, RegExp][] = [
  [
    "a key that does not tell contacts apart",
    (p) => ({ ...p, key: "opens" }),
    /the key "opens" does not tell contacts apart: it must be "email" or "id"/,
  ],
  ["no key", ({ key: _key, ...p }) => p, /the plan has no key/],
  ["no columns", ({ columns: _columns, ...p }) => p, /columns: /],
  [
    "reports with different windows",
    (p) => ((p.reports[1]!.filters.from_date! -= 86_400), p),
    /report 2 has another window than report 1 \(from_date \d+, to_date \d+; report 1: from_date \d+, to_date \d+\)/,
  ],
  [
    "reports with different user types",
    (p) => ((p.reports[1]!.filters.user_type = "active"), p),
    /report 2 has another user_type than report 1 \(active; report 1: all\)/,
  ],
  [
    "reports that select different columns",
    (p) => ((p.reports[1]!.selected_fields = ["email", "clicks"]), p),
    /report 2 selects other fields than report 1 \(email, clicks; report 1: email, opens\)/,
  ],
  [
    "a column no report selects",
    (p) => ({ ...p, columns: ["email", "city"] }),
    /the column city is selected by no report/,
  ],
  [
    "combine naming a report the plan does not have",
    (p) => ({ ...p, combine: { kind: "union", of: [p.combine, { kind: "report", report: 9 }] } }),
    /combine names report 9 \(counted from 0\), but the plan has 2 reports \(0 to 1\)/,
  ],
  [
    "what oq plan --json printed before the plan was a contract (a report around it)",
    (p) => ({ file: "q.oq", ok: true, ...p, diagnostics: [] }),
    /Unrecognized keys: "file", "ok", "diagnostics"/,
  ],
];

describe("a plan written by hand is checked before anything is created", () => {
  for (const [name, spoil, reason] of handWritten) {
    it(`oq run --plan: ${name}: exit 2, the reason, no call to Ongage`, async () => {
      sandbox = await testSandbox();
      const dir = scratch({ "plan.json": JSON.stringify(spoil(goodPlan())) });
      const run = await oq(["run", "--plan", "plan.json", "--out", "out.csv", ...fast], {
        cwd: dir,
        env: env(),
      });
      expect(run.stderr).toMatch(/^oq: the plan plan\.json is not a valid query plan: /);
      expect(run.stderr).toMatch(reason);
      expect(run.status).toBe(2);
      expect(sandbox.stats.requests).toBe(0);
    });
  }

  it("runPlan (the library) refuses it the same way, with the same reason, before any call", async () => {
    sandbox = await testSandbox();
    const client = new OngageClient({
      auth: headerAuth(sandbox.credentials),
      baseUrl: sandbox.url,
      listId: sandbox.listId,
    });
    const dir = scratch({});
    for (const [, spoil, reason] of handWritten.slice(0, 4)) {
      const running = runPlan({
        client,
        plan: spoil(goodPlan()) as QueryPlan,
        destination: { kind: "file", path: join(dir, "out.csv") },
        pollIntervalMs: 20,
      });
      await expect(running).rejects.toThrow(reason);
      await expect(running).rejects.toThrow(/^not a valid query plan: /);
    }
    expect(sandbox.stats.requests).toBe(0);
    expect(() => readFileSync(join(dir, "out.csv"))).toThrow(/ENOENT/);
  });
});
