import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EvaluationContact } from "../src/evaluate/contact.js";
import { compile, readingNames, type ReadingName } from "../src/index.js";
import { evaluationContact, sandboxCustomFields } from "../src/sandbox/data.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { oq } from "./support/oqInProcess.js";
import { sandboxEnv, testSandbox } from "./support/sandbox.js";

/*
 * `oq doctor` against the sandbox playing every combination of the readings: it names each
 * reading as the sandbox plays it, deletes every report it makes, and after `--save` the
 * commands that compile read the findings, so that `oq run` of issue 19's examples selects what
 * the query means on that account.
 */

/** Every subset of the readings. */
const combinations: ReadingName[][] = readingNames.reduce<ReadingName[][]>(
  (subsets, name) => [...subsets, ...subsets.map((subset) => [...subset, name])],
  [[]],
);

/** The clauses every example query runs with, so that activity counts and campaign 1 select someone. */
const clauses = "\nusers all\nselect email\nbetween 2024-01-01 and 2024-06-01";

const gmail = (c: EvaluationContact) => String(c.fields["email"]).endsWith("@gmail.com");
const city = (c: EvaluationContact) => String(c.fields["city"]);

/**
 * Issue 19's examples, each with the contacts its parts select when run alone under `readings`
 * (the answer a query must give, however many reports it takes).
 */
const examples: {
  query: string;
  selects: (c: EvaluationContact, readings: readonly ReadingName[]) => boolean;
}[] = [
  { query: 'not email ends "gmail.com"', selects: (c) => !gmail(c) },
  { query: 'email ends "gmail.com" or opens > 3', selects: (c) => gmail(c) || Number(c.fields["opens"]) > 3 },
  {
    query: 'city != "Paris" or not email ends "gmail.com"',
    selects: (c, readings) =>
      (city(c) !== "Paris" && !(readings.includes("null-text") && city(c) === "")) || !gmail(c),
  },
  {
    query: 'not opened campaign 1 or not email ends "gmail.com"',
    selects: (c, readings) =>
      (!c.mailings.opened.has("1") && (!readings.includes("sent-not-opened") || c.mailings.sent.has("1"))) ||
      !gmail(c),
  },
];

/** The sandbox's own answer: the emails of its contacts for which `test` holds, sorted. */
function contactsWhere(sandbox: Sandbox, test: (contact: EvaluationContact) => boolean): string[] {
  const { filters } = compile(`opens > 1${clauses}`).payload!;
  const window = { from: filters.from_date!, to: filters.to_date! };
  const emails: string[] = [];
  for (let index = 0; index < sandbox.contacts.size; index++) {
    const seen = evaluationContact(sandbox.contacts.contact(index), window);
    if (test(seen)) emails.push(String(seen.fields["email"]));
  }
  return emails.sort();
}

interface DoctorJson {
  readings: { reading: ReadingName; verdict: string; why: string }[];
  findings: Record<string, string>;
  calls: number;
  reports: number;
  leftBehind: string[];
  saved?: string;
}

describe("oq doctor names the readings the sandbox plays, and --save makes oq run right under them", () => {
  for (const readings of combinations) {
    it(`under ${readings.length === 0 ? "the documented reading" : readings.join(" + ")}`, async () => {
      const sandbox = await testSandbox({ buildTimeMs: 0, callsPerMinute: 100_000, readings });
      try {
        // The findings go beside oq.config.json, found from a folder below it.
        const project = mkdtempSync(join(tmpdir(), "oq-doctor-"));
        const cwd = join(project, "queries");
        mkdirSync(cwd);
        writeFileSync(join(project, "fields.json"), JSON.stringify({ fields: sandboxCustomFields }));
        writeFileSync(join(project, "oq.config.json"), '{ "schema": "fields.json" }\n');
        const env = sandboxEnv(sandbox);
        const doctor = await oq(["doctor", "--save", "--json", "--poll-interval", "1ms"], { cwd, env });
        expect(doctor.stderr).toContain("oq doctor: 4 reports (each deleted)");
        expect(doctor.status).toBe(0);
        const found = JSON.parse(doctor.stdout) as DoctorJson;
        for (const name of readingNames) {
          const verdict = found.readings.find((r) => r.reading === name)!.verdict;
          expect(verdict, name).toBe(readings.includes(name) ? "holds" : "does not hold");
        }
        // Every report deleted; the calls it counts are the calls the sandbox saw.
        expect(sandbox.liveReports()).toEqual([]);
        expect(sandbox.stats.reportsCreated).toBe(4);
        expect(sandbox.stats.reportsDeleted).toBe(4);
        expect(found.calls).toBe(sandbox.stats.requests);
        expect(found.saved).toBe(join("..", "oq.findings.json"));
        const saved = JSON.parse(readFileSync(join(project, "oq.findings.json"), "utf8"));
        expect(saved).toEqual({
          findings: Object.fromEntries(
            readingNames.map((name) => [name, readings.includes(name) ? "holds" : "fails"]),
          ),
        });

        for (const [index, { query, selects }] of examples.entries()) {
          writeFileSync(join(cwd, `q${index}.oq`), `${query}${clauses}\n`);
          const out = join(cwd, `q${index}.csv`);
          const run = await oq(["run", `q${index}.oq`, "--out", out, "--poll-interval", "1ms"], { cwd, env });
          expect(run.status, `${query}\n${run.stderr}`).toBe(0);
          const [header, ...rows] = readFileSync(out, "utf8").trimEnd().split("\r\n");
          expect(header).toBe("email");
          const expected = contactsWhere(sandbox, (c) => selects(c, readings));
          expect(expected.length, query).toBeGreaterThan(0);
          expect(rows.filter((row) => row !== "").sort(), query).toEqual(expected);
        }
        expect(sandbox.liveReports()).toEqual([]);

        // compile prints one payload: where forced-and holds, it refuses an `or` chain (OQ243).
        const compiled = await oq(["compile", "q1.oq", "--json"], { cwd });
        if (readings.includes("forced-and")) {
          expect(compiled.status).toBe(1);
          expect(compiled.stdout).toContain('"code": "OQ243"');
          expect(compiled.stdout).toContain("one report cannot say this 'or' on this account");
          expect(compiled.stdout).toContain("`oq run` and `oq plan` run it as several reports");
        } else expect(compiled.status).toBe(0);
      } finally {
        await sandbox.close();
      }
    });
  }
});

describe("oq doctor on a list that lacks what a probe needs, and when stopped", () => {
  it("says 'could not tell', and why, and saves only what it settled", async () => {
    const sandbox = await testSandbox({ buildTimeMs: 0, callsPerMinute: 100_000, contacts: 1 });
    try {
      const cwd = mkdtempSync(join(tmpdir(), "oq-doctor-"));
      const doctor = await oq(["doctor", "--save", "--poll-interval", "1ms"], {
        cwd,
        env: sandboxEnv(sandbox),
      });
      expect(doctor.status).toBe(0);
      expect(doctor.stdout).toContain(
        "forced-and       could not tell: the list needs two contacts whose emails do not start one another\n",
      );
      expect(doctor.stdout).toContain("\nsent-not-opened  does not hold: ");
      expect(doctor.stderr).toContain("oq doctor: wrote the findings to oq.findings.json\n");
      const saved = JSON.parse(readFileSync(join(cwd, "oq.findings.json"), "utf8"));
      expect(saved.findings["forced-and"]).toBeUndefined();
      expect(saved.findings["sent-not-opened"]).toBe("fails");
      expect(sandbox.liveReports()).toEqual([]);
    } finally {
      await sandbox.close();
    }
  });

  it("Ctrl-C while a probe's report is pending: every report is deleted, exit 130, nothing saved", async () => {
    const sandbox = await testSandbox({ buildTimeMs: 60_000, callsPerMinute: 100_000 });
    try {
      const cwd = mkdtempSync(join(tmpdir(), "oq-doctor-"));
      let stop: ReturnType<typeof setInterval> | undefined;
      const doctor = await oq(["doctor", "--save", "--poll-interval", "5ms"], {
        cwd,
        env: sandboxEnv(sandbox),
        onStart: (running) =>
          (stop = setInterval(() => {
            if (sandbox.stats.reportsCreated === 0) return;
            clearInterval(stop);
            running.signal("SIGINT");
          }, 5)),
      });
      clearInterval(stop);
      expect(sandbox.stats.reportsCreated).toBe(1);
      expect(doctor.status).toBe(130);
      expect(sandbox.liveReports()).toEqual([]);
      expect(sandbox.stats.reportsDeleted).toBe(1);
      expect(() => readFileSync(join(cwd, "oq.findings.json"))).toThrow();
    } finally {
      await sandbox.close();
    }
  });

  it("a findings file that is not valid stops the commands that compile (exit 2), naming it", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "oq-doctor-"));
    writeFileSync(join(cwd, "oq.findings.json"), '{ "findings": { "forced-and": "maybe" } }');
    writeFileSync(join(cwd, "q.oq"), 'email ends "a" or opens > 3\n');
    const planned = await oq(["plan", "q.oq"], { cwd });
    expect(planned.status).toBe(2);
    expect(planned.stderr).toContain(
      'is not a valid findings file (run oq doctor --save again): forced-and must be "holds" or "fails", not "maybe"',
    );
  });
});
