import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { headerAuth } from "../src/client/auth.js";
import { OngageClient } from "../src/client/client.js";
import type { ContactSet } from "../src/emit/planSchema.js";
import { runPlan } from "../src/runner/runPlan.js";
import { evaluationContact } from "../src/sandbox/data.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { oq, type CliRun } from "./support/oqInProcess.js";
import {
  conditions,
  evaluate,
  expectNothingLeft,
  planFolder,
  planOf,
  readCsv,
  referenceSets,
  report,
  request,
} from "./support/planFixture.js";
import { sandboxEnv, testSandbox } from "./support/sandbox.js";

/*
 * `oq run --plan` in process: the whole command against a sandbox over HTTP, the merged CSV
 * checked against the reference evaluator (support/planFixture.ts). The built command's own
 * run of a plan, with a real signal, is plan.e2e.test.ts.
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** `oq run --plan plan.json ARGS` in `dir`, with `temp` as the temporary folder (os.tmpdir() reads TMPDIR). */
async function runPlanCli(dir: string, temp: string, args: string[]): Promise<CliRun> {
  const before = process.env["TMPDIR"];
  process.env["TMPDIR"] = temp;
  try {
    return await oq(["run", "--plan", "plan.json", "--poll-interval", "20ms", ...args], {
      cwd: dir,
      env: sandboxEnv(sandbox!),
    });
  } finally {
    if (before === undefined) delete process.env["TMPDIR"];
    else process.env["TMPDIR"] = before;
  }
}

describe("oq run --plan: the merged CSV is exactly the plan's set of contacts", () => {
  const plans: [string, ContactSet][] = [
    ["union", { kind: "union", of: [report(0), report(1)] }],
    ["intersection", { kind: "intersection", of: [report(0), report(2)] }],
    ["difference", { kind: "difference", from: report(2), minus: report(0) }],
    [
      "nested: (gmail and opens >= 2) or (Paris and not age > 40), over four reports",
      {
        kind: "union",
        of: [
          { kind: "intersection", of: [report(0), report(2)] },
          { kind: "difference", from: report(1), minus: report(3) },
        ],
      },
    ],
  ];
  for (const [name, combine] of plans) {
    it(name, async () => {
      sandbox = await testSandbox();
      const { dir, temp } = planFolder(planOf(combine));
      const run = await runPlanCli(dir, temp, ["--out", "merged.csv", "--json"]);
      expect(run.stderr).toMatch(
        /^✓ plan\.json: 4 reports \(1000, 1001, 1002, 1003; deleted\), [\d,]+ rows merged/,
      );
      expect(run.status).toBe(0);

      const expected = evaluate(combine, referenceSets(sandbox));
      const [header, ...rows] = readCsv(join(dir, "merged.csv"));
      expect(header).toEqual(["opens", "email", "city"]);
      expect(rows.map((row) => row[1]).sort()).toEqual([...expected].sort());
      // Each row is the contact's own values, as one report would give them.
      const window = {
        from: request(conditions[0]!).filters.from_date!,
        to: request(conditions[0]!).filters.to_date!,
      };
      const byEmail = new Map<string, string[]>();
      for (let index = 0; index < sandbox.contacts.size; index++) {
        const contact = sandbox.contacts.contact(index);
        const fields = evaluationContact(contact, window).fields;
        byEmail.set(contact.email, [
          String(fields["opens"] ?? ""),
          contact.email,
          String(fields["city"] ?? ""),
        ]);
      }
      for (const row of rows) expect(row).toEqual(byEmail.get(row[1]!));

      const [summary] = JSON.parse(run.stdout);
      expect(summary).toMatchObject({ ok: true, deleted: true, rows: expected.size });
      expect(summary.reports.map((r: { reportId: string }) => r.reportId)).toEqual([
        "1000",
        "1001",
        "1002",
        "1003",
      ]);
      for (const r of summary.reports) {
        expect(r).toMatchObject({ ok: true, deleted: true });
        expect(r.rows).toBe(referenceSets(sandbox)[summary.reports.indexOf(r)]!.size);
        expect(r.calls).toBeGreaterThanOrEqual(3); // create, at least one poll, export (the plan deletes)
      }
      expect(summary.calls).toBe(
        summary.reports.reduce((sum: number, r: { calls: number }) => sum + r.calls, 0) + 4,
      );
      expect(sandbox.stats.reportsCreated).toBe(4);
      expect(sandbox.stats.reportsDeleted).toBe(4);
      expect(sandbox.liveReports()).toEqual([]);
      expectNothingLeft(dir, temp, run);
    });
  }

  it("--detailed: each contact of the set keeps every event row of one report", async () => {
    sandbox = await testSandbox();
    const combine: ContactSet = { kind: "difference", from: report(2), minus: report(0) };
    const { dir, temp } = planFolder(planOf(combine));
    const run = await runPlanCli(dir, temp, ["--detailed", "--out", "merged.csv"]);
    expect(run.stderr).toMatch(/^✓ plan\.json/);
    expect(run.status).toBe(0);
    const [header, ...rows] = readCsv(join(dir, "merged.csv"));
    // The detailed export's own columns, whatever the plan selects.
    expect(header).toEqual(["email", "ocx_contact_id", "mailing_id", "activity", "activity_date"]);
    const payload = request(conditions[2]!);
    const window = { from: payload.filters.from_date!, to: payload.filters.to_date! };
    const when = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 19).replace("T", " ");
    const expected = new Map<string, string[][]>();
    const sets = referenceSets(sandbox);
    const selected = evaluate(combine, sets);
    for (let index = 0; index < sandbox.contacts.size; index++) {
      const contact = sandbox.contacts.contact(index);
      if (!selected.has(contact.email)) continue;
      const events = contact.events
        .filter((event) => event.at >= window.from && event.at <= window.to)
        .map((event) => [contact.email, String(contact.id), event.mailingId, event.kind, when(event.at)]);
      if (events.length > 0) expected.set(contact.email, events);
    }
    const got = new Map<string, string[][]>();
    for (const row of rows) got.set(row[0]!, [...(got.get(row[0]!) ?? []), row]);
    // Every event row of each contact in the set, in the report's order, and no other contact.
    expect(got).toEqual(expected);
    expect(sandbox.liveReports()).toEqual([]);
    expectNothingLeft(dir, temp, run);
  });
});

describe("oq run --plan: failures, signals and --keep", () => {
  const union: ContactSet = { kind: "union", of: [report(0), report(1), report(2), report(3)] };

  it("a fault in one report fails the run: exit 1, nothing under the final name, every report deleted", async () => {
    sandbox = await testSandbox({ faults: { exportEnvelope: 1 } });
    const { dir, temp } = planFolder(planOf(union));
    const run = await runPlanCli(dir, temp, ["--out", "merged.csv"]);
    // The fault happened, once.
    expect(sandbox.faults.exportEnvelope).toBe(0);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /oq: plan\.json: report \d of 4 \(\d+\): Ongage reported an error: Export failed/,
    );
    expect(run.stderr).not.toMatch(/fetch its CSV/);
    expect(existsSync(join(dir, "merged.csv"))).toBe(false);
    expect(sandbox.stats.reportsCreated).toBeGreaterThanOrEqual(1);
    expect(sandbox.stats.reportsDeleted).toBe(sandbox.stats.reportsCreated);
    expect(sandbox.liveReports()).toEqual([]);
    expectNothingLeft(dir, temp, run);
  });

  it("--keep keeps every report of the plan, and --json gives their ids", async () => {
    sandbox = await testSandbox();
    const { dir, temp } = planFolder(planOf(union));
    const run = await runPlanCli(dir, temp, ["--keep", "--json", "--out", "merged.csv"]);
    expect(run.status).toBe(0);
    const [summary] = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ ok: true, deleted: false });
    const ids = summary.reports.map((r: { reportId: string }) => r.reportId).sort();
    expect(
      sandbox
        .liveReports()
        .map((r) => String(r.id))
        .sort(),
    ).toEqual(ids);
    expect(sandbox.stats.reportsDeleted).toBe(0);
    expectNothingLeft(dir, temp, run);
  });

  it("without --out the merged CSV goes to stdout, and the summary line to stderr", async () => {
    sandbox = await testSandbox();
    const combine: ContactSet = { kind: "intersection", of: [report(0), report(1)] };
    const { dir, temp } = planFolder(planOf(combine, ["email"]));
    const run = await runPlanCli(dir, temp, []);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^✓ plan\.json: .* → stdout, /);
    const [header, ...rows] = run.stdout.trimEnd().split("\r\n");
    expect(header).toBe("email");
    expect(rows.sort()).toEqual([...evaluate(combine, referenceSets(sandbox))].sort());
    expect(sandbox.liveReports()).toEqual([]);
    expectNothingLeft(dir, temp, run);
  });
});

describe("runPlan (library): nothing is deleted before the merged CSV is saved", () => {
  it("a merged CSV that cannot be saved: every report kept, and the error lists them", async () => {
    sandbox = await testSandbox();
    const client = new OngageClient({
      auth: headerAuth(sandbox.credentials),
      baseUrl: sandbox.url,
      listId: sandbox.listId,
    });
    const out = mkdtempSync(join(tmpdir(), "oq-plan-out-"));
    const summary = await runPlan({
      client,
      plan: planOf({ kind: "union", of: [report(0), report(1)] }),
      destination: { kind: "file", path: join(out, "merged.csv") },
      pollIntervalMs: 20,
      // The folder goes away once every report is downloaded: the merged CSV has nowhere to go.
      onProgress: (progress) => {
        if (progress.state === "merging") rmSync(out, { recursive: true, force: true });
      },
    });
    expect(summary.ok).toBe(false);
    expect(summary.error).toMatch(/could not save the CSV to .*merged\.csv.*ENOENT/);
    expect(summary.error).toMatch(/the plan's reports are kept in Ongage \(1000, 1001, 1002, 1003\)/);
    expect(sandbox.stats.reportsDeleted).toBe(0);
    expect(sandbox.liveReports()).toHaveLength(4);
    expect(summary.deleted).toBe(false);
  });
});
