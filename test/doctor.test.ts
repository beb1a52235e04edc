import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EvaluationContact } from "../src/evaluate/contact.js";
import { readingNames, type QueryPlan, type ReadingName } from "../src/index.js";
import { sandboxCustomFields } from "../src/sandbox/data.js";
import { oq } from "./support/oqInProcess.js";
import { sandboxEnv, testSandbox } from "./support/sandbox.js";
import { contactsWhere } from "./support/selectedContacts.js";
import { findingsFileText } from "../src/app/findingsFile.js";

/*
 * `oq doctor` against the sandbox playing every combination of the readings: it names each
 * reading as the sandbox plays it, deletes every report it makes, and after `--save` the
 * commands that compile read the findings, so that `oq run` of issue 19's examples selects what
 * the query means on that account.
 */

/**
 * The combinations of readings the sandbox plays: reading R is played in combination i when
 * `i & masks[R]` has an odd number of bits. The masks are distinct and non-zero over five bits,
 * so that every pair of readings meets in all four states, and the five with a bit of their own
 * (combined_as_and's three readings and users-or, whose probes depend on one another, and
 * header-labels, through which every probe reads) in every combination; and every reading at once.
 */
const masks: Record<ReadingName, number> = {
  "forced-and": 1,
  "forced-and-false": 2,
  "forced-and-absent": 4,
  "users-or": 8,
  "header-labels": 16,
  "header-bom": 3,
  "null-text": 5,
  "sent-not-opened": 6,
  "empty-as-zero": 9,
  "none-of-list": 10,
};
/** Whether `n` has an odd number of bits set. */
const oddBits = (n: number): boolean => n.toString(2).replace(/0/g, "").length % 2 === 1;
const combinations: ReadingName[][] = [
  ...Array.from({ length: 32 }, (_, i) => readingNames.filter((name) => oddBits(i & masks[name]))),
  [...readingNames],
];

/** What doctor says of `name` on a sandbox playing `readings`. */
function expectedVerdict(name: ReadingName, readings: readonly ReadingName[]): string {
  const forcedEverywhere = (["forced-and", "forced-and-false", "forced-and-absent"] as const).every((r) =>
    readings.includes(r),
  );
  // users-or needs an `or` list the account reads as `or`: none is left where every flag forces AND.
  if (name === "users-or" && forcedEverywhere) return "could not tell";
  return readings.includes(name) ? "holds" : "does not hold";
}

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

interface DoctorJson {
  listId: string;
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
      const sandbox = await testSandbox({ buildTimeMs: 0, callsPerMinute: 100_000, readings, contacts: 60 });
      try {
        // The findings go beside oq.config.json, found from a folder below it.
        const project = mkdtempSync(join(tmpdir(), "oq-doctor-"));
        const cwd = join(project, "queries");
        mkdirSync(cwd);
        writeFileSync(join(project, "fields.json"), JSON.stringify({ fields: sandboxCustomFields }));
        writeFileSync(join(project, "oq.config.json"), '{ "schema": "fields.json" }\n');
        const env = sandboxEnv(sandbox);
        const doctor = await oq(["doctor", "--save", "--json", "--poll-interval", "1ms"], { cwd, env });
        expect(doctor.status, doctor.stderr).toBe(0);
        const found = JSON.parse(doctor.stdout) as DoctorJson;
        expect(found.readings.map((r) => r.reading)).toEqual(readingNames);
        for (const { reading, verdict, why } of found.readings)
          expect(verdict, `${reading}: ${why}`).toBe(expectedVerdict(reading, readings));
        // sent-not-opened probes a mailing the list was sent, found in its detailed export.
        const probed = /mailing (\d+)/.exec(found.readings.find((r) => r.reading === "sent-not-opened")!.why);
        expect(sandbox.contacts.mailings.map((m) => m.id)).toContain(probed?.[1]);
        // Every report deleted; the calls it counts are the calls the sandbox saw.
        expect(sandbox.liveReports()).toEqual([]);
        const made = sandbox.stats.reportsCreated;
        expect(doctor.stderr).toContain(
          `oq doctor: ${made} reports (each deleted), ${found.calls} API calls`,
        );
        expect(made).toBeLessThanOrEqual(12);
        expect(sandbox.stats.reportsDeleted).toBe(made);
        expect(found.calls).toBe(sandbox.stats.requests);
        // The fields, then per report a create, its status checks, an export and a delete.
        expect(found.calls).toBeLessThanOrEqual(1 + 6 * made);
        expect(found.saved).toBe(join("..", "oq.findings.json"));
        const saved = JSON.parse(readFileSync(join(project, "oq.findings.json"), "utf8"));
        expect(saved).toEqual({
          listId: sandbox.listId,
          findings: Object.fromEntries(
            found.readings
              .filter(({ verdict }) => verdict !== "could not tell")
              .map(({ reading, verdict }) => [reading, verdict === "holds" ? "holds" : "fails"]),
          ),
        });

        for (const [index, { query, selects }] of examples.entries()) {
          writeFileSync(join(cwd, `q${index}.oq`), `${query}${clauses}\n`);
          const out = join(cwd, `q${index}.csv`);
          const run = await oq(["run", `q${index}.oq`, "--out", out, "--poll-interval", "1ms"], { cwd, env });
          expect(run.status, `${query}\n${run.stderr}`).toBe(0);
          const [header, ...rows] = readFileSync(out, "utf8").trimEnd().split("\r\n");
          // The header as the export carried it (a label, after a BOM), or as a plan's merge writes it.
          expect(header!.replace(/^\uFEFF/, "").toLowerCase()).toBe("email");
          const expected = contactsWhere(sandbox, (c) => selects(c, readings));
          expect(expected.length, query).toBeGreaterThan(0);
          expect(rows.filter((row) => row !== "").sort(), query).toEqual(expected);
        }
        expect(sandbox.liveReports()).toEqual([]);

        // compile prints one payload: where forced-and holds, it refuses an `or` chain (OQ243).
        const compiled = await oq(["compile", "q1.oq", "--json"], { cwd, env });
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
      const lines = doctor.stdout.split("\n");
      const line = (name: ReadingName) => lines.find((l) => l.startsWith(`${name} `))!.replace(/ +/, " ");
      expect(line("forced-and")).toBe(
        "forced-and could not tell: the list needs two contacts whose emails do not start one another",
      );
      expect(line("users-or")).toBe(
        "users-or could not tell: the list needs two contacts whose emails do not start one another",
      );
      expect(line("null-text")).toBe(
        "null-text could not tell: no custom text field of the list has both empty and non-empty values",
      );
      expect(line("sent-not-opened")).toBe(
        "sent-not-opened could not tell: the detailed export (during 365d) shows no mailing that some contacts were sent and others not",
      );
      expect(line("empty-as-zero")).toBe(
        "empty-as-zero could not tell: no custom number or date field of the list has both empty and non-empty values",
      );
      expect(line("none-of-list")).toContain("none-of-list could not tell: the list needs three contacts");
      expect(line("header-bom")).toBe("header-bom does not hold: export: no BOM; export_detailed: no BOM");
      expect(doctor.stderr).toContain("oq doctor: wrote the findings to oq.findings.json\n");
      const saved = JSON.parse(readFileSync(join(cwd, "oq.findings.json"), "utf8"));
      expect(saved).toEqual({
        listId: sandbox.listId,
        findings: { "header-bom": "fails", "header-labels": "fails" },
      });
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
      // The first export and the detailed one start together.
      expect(sandbox.stats.reportsCreated).toBeGreaterThanOrEqual(1);
      expect(doctor.status).toBe(130);
      expect(sandbox.liveReports()).toEqual([]);
      expect(sandbox.stats.reportsDeleted).toBe(sandbox.stats.reportsCreated);
      expect(() => readFileSync(join(cwd, "oq.findings.json"))).toThrow();
    } finally {
      await sandbox.close();
    }
  });

  it("a probe whose export fails: its report is deleted too, not kept (its CSV answers nothing alone)", async () => {
    // One export answers an HTML page (cold test of issue 19: the report was kept, and doctor
    // said 'each deleted').
    const sandbox = await testSandbox({ buildTimeMs: 0, callsPerMinute: 100_000, faults: { exportHtml: 1 } });
    try {
      const cwd = mkdtempSync(join(tmpdir(), "oq-doctor-"));
      const doctor = await oq(["doctor", "--json", "--poll-interval", "5ms"], {
        cwd,
        env: sandboxEnv(sandbox),
      });
      // The fault happened.
      expect(sandbox.faults.exportHtml).toBe(0);
      expect(doctor.stdout).toContain("HTML page");
      expect(sandbox.liveReports()).toEqual([]);
      expect(sandbox.stats.reportsDeleted).toBe(sandbox.stats.reportsCreated);
      expect(JSON.parse(doctor.stdout).leftBehind).toEqual([]);
      expect(doctor.stdout).not.toContain("is kept in Ongage");
    } finally {
      await sandbox.close();
    }
  });

  it("a findings file that is not valid stops the commands that compile (exit 2), naming it", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "oq-doctor-"));
    writeFileSync(join(cwd, "oq.findings.json"), '{ "listId": null, "findings": { "forced-and": "maybe" } }');
    writeFileSync(join(cwd, "q.oq"), 'email ends "a" or opens > 3\n');
    const planned = await oq(["plan", "q.oq"], { cwd });
    expect(planned.status).toBe(2);
    expect(planned.stderr).toContain(
      'is not a valid findings file (run oq doctor --save again): forced-and must be "holds" or "fails", not "maybe"',
    );
    // A value that is not text is shown as it is written, not as text.
    writeFileSync(join(cwd, "oq.findings.json"), '{ "listId": null, "findings": { "forced-and": 3 } }');
    expect((await oq(["plan", "q.oq"], { cwd })).stderr).toContain(
      'forced-and must be "holds" or "fails", not 3\n',
    );
  });

  it("a reading this oq does not know (a newer oq's file) is passed over with a warning; the rest still applies", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "oq-doctor-"));
    writeFileSync(
      join(cwd, "oq.findings.json"),
      '{ "listId": null, "findings": { "forced-and": "holds", "some-future-reading": "fails" } }',
    );
    writeFileSync(join(cwd, "q.oq"), 'email ends "a" or opens > 3\n');
    const planned = await oq(["plan", "q.oq", "--json"], { cwd, env: { ONGAGE_LIST_ID: "" } });
    expect(planned.status, planned.stderr).toBe(0);
    // forced-and holds: the `or` runs as a union of reports.
    expect((JSON.parse(planned.stdout) as QueryPlan).combine.kind).toBe("union");
    expect(planned.stderr).toBe(
      `oq: ${join(cwd, "oq.findings.json")}: passing over "some-future-reading", not a reading this oq knows (saved by a newer oq? the readings are ${readingNames.join(", ")})\n`,
    );
  });

  it("what a findings file says is shown escaped and cut short in the warnings (a file shared in git may hold anything)", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "oq-doctor-"));
    writeFileSync(join(cwd, "q.oq"), "opens > 3\n");
    const warningOf = async (file: object) => {
      writeFileSync(join(cwd, "oq.findings.json"), JSON.stringify(file));
      const checked = await oq(["check", "q.oq"], { cwd, env: { ONGAGE_LIST_ID: "" } });
      expect(checked.status, checked.stderr).toBe(0);
      return checked.stderr;
    };
    const names = ["\u001b]0;pwned\u0007", "x".repeat(100_000), "a", "b", "c"];
    const unknown = await warningOf({
      listId: null,
      findings: Object.fromEntries(names.map((n) => [n, "holds"])),
    });
    expect(unknown).toContain('passing over "\\u001b]0;pwned\\u0007", "xxxx');
    expect(unknown).toContain('..., "a" and 2 more, not readings this oq knows');
    expect(unknown).not.toContain("\u001b");
    expect(unknown.length).toBeLessThan(600);
    const list = await warningOf({ listId: "\u001b[2J\u009b", findings: {} });
    expect(list).toContain('its findings are of list "\\u001b[2J\\x9b", not of');
    expect(list).not.toMatch(/[\u001b\u009b]/);
  });

  it("findings apply only to the list they were found on: another list's are ignored, with a warning", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "oq-doctor-"));
    writeFileSync(join(cwd, "oq.findings.json"), findingsFileText({ "forced-and": "holds" }, "777"));
    writeFileSync(join(cwd, "q.oq"), 'email ends "a" or opens > 3\n');
    const planOn = async (env: Record<string, string>, flags: string[] = []) => {
      const planned = await oq(["plan", "q.oq", "--json", ...flags], { cwd, env });
      expect(planned.status, planned.stderr).toBe(0);
      return { kind: (JSON.parse(planned.stdout) as QueryPlan).combine.kind, stderr: planned.stderr };
    };
    // On list 777, forced-and holds: the `or` runs as a union of reports.
    expect(await planOn({ ONGAGE_LIST_ID: "777" })).toEqual({ kind: "union", stderr: "" });
    // On another list (or the default one), nothing is known: one report, and a warning that says why.
    const other = await planOn({ ONGAGE_LIST_ID: "12345" });
    expect(other.kind).toBe("report");
    expect(other.stderr).toBe(
      `oq: ignoring ${join(cwd, "oq.findings.json")}: its findings are of list 777, not of list 12345 that this command uses (run oq doctor --save for it)\n`,
    );
    expect((await planOn({})).stderr).toContain("not of the account's default list that this command uses");
    // oq.config.json's listId counts as ONGAGE_LIST_ID does.
    writeFileSync(join(cwd, "oq.config.json"), '{ "listId": "777" }\n');
    expect((await planOn({})).kind).toBe("union");
  });

  it("oq run --list-id picks the findings of that list: right there, and said to be ignored for another", async () => {
    const sandbox = await testSandbox({ buildTimeMs: 0, callsPerMinute: 100_000, readings: ["forced-and"] });
    try {
      const cwd = mkdtempSync(join(tmpdir(), "oq-doctor-"));
      writeFileSync(join(cwd, "q.oq"), `email ends "gmail.com" or opens > 3${clauses}\n`);
      const env = { ...sandboxEnv(sandbox), ONGAGE_LIST_ID: undefined };
      const expected = contactsWhere(sandbox, (c) => examples[1]!.selects(c, ["forced-and"]));
      const runOn = async (findingsOf: string) => {
        writeFileSync(join(cwd, "oq.findings.json"), findingsFileText({ "forced-and": "holds" }, findingsOf));
        const out = join(cwd, "q.csv");
        const run = await oq(
          ["run", "q.oq", "--list-id", sandbox.listId, "--out", out, "--poll-interval", "1ms"],
          {
            cwd,
            env,
          },
        );
        expect(run.status, run.stderr).toBe(0);
        const [, ...rows] = readFileSync(out, "utf8").trimEnd().split("\r\n");
        return { emails: rows.filter((row) => row !== "").sort(), stderr: run.stderr };
      };
      expect((await runOn(sandbox.listId)).emails).toEqual(expected);
      // Findings of another list: ignored, and said so; the one `or` report then selects the intersection.
      const other = await runOn("777");
      expect(other.stderr).toContain(`its findings are of list 777, not of list ${sandbox.listId}`);
      expect(other.emails.length).toBeLessThan(expected.length);
      expect(sandbox.liveReports()).toEqual([]);
    } finally {
      await sandbox.close();
    }
  });
});
