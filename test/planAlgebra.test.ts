import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OngageClient } from "../src/client/client.js";
import { loadFindings } from "../src/app/findingsFile.js";
import { readingNames, type Findings, type ReadingName } from "../src/index.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { sandboxClient } from "./support/inProcess.js";
import { oq } from "./support/oqInProcess.js";
import { sandboxEnv, testSandbox } from "./support/sandbox.js";
import { scratch } from "./support/scratch.js";
import { selectedContacts } from "./support/selectedContacts.js";

/*
 * A plan rests only on what a single report already rests on: for conditions A and B that each
 * run alone (one report, or a plan), `A or B` selects exactly the union of what A and B select,
 * `A and B` the intersection, and `A and not B` what A selects and `not B` selects; the
 * difference of A and B, when B tests only what is never unknown. Under each reading the
 * sandbox can play, with what `oq doctor --save` finds there known of it (forced-and must be
 * known, as a single `or` report cannot be right under it otherwise), run in process on the
 * sandbox.
 */

const runs = Math.ceil(Number(process.env["OQ_DIFFERENTIAL_RUNS"] ?? 60) / 4);

/** Tests that are never unknown, under any reading: their `not` is every contact they do not select. */
const exactTests = [
  'email ends "gmail.com"',
  'email starts ["a", "b"]',
  "in segment 1",
  "sent campaign 1004",
  "city is empty",
  "age is empty",
];
/** Tests whose meaning a reading changes, or that can be unknown. */
const otherTests = [
  'city = "Paris"',
  'city != "Rome"',
  'first_name contains "a"',
  'not first_name starts "A"',
  "opened campaign 1",
  "not clicked campaign 1002",
  "opens > 2",
  "age < 40",
];

interface Part {
  text: string;
  /** It tests only what is never unknown. */
  exact: boolean;
}

const testArb: fc.Arbitrary<Part> = fc.oneof(
  fc.constantFrom(...exactTests).map((text) => ({ text, exact: true })),
  fc.constantFrom(...otherTests).map((text) => ({ text, exact: false })),
);
/** A test, its `not`, or two of them joined by `and` or `or`. */
const partArb: fc.Arbitrary<Part> = fc.oneof(
  { weight: 2, arbitrary: testArb },
  testArb.map(({ text, exact }) => ({ text: `not (${text})`, exact })),
  fc.tuple(testArb, fc.constantFrom("and", "or"), testArb).map(([a, joiner, b]) => ({
    text: `(${a.text}) ${joiner} (${b.text})`,
    exact: a.exact && b.exact,
  })),
);

/**
 * The readings the sandbox plays in each run; what is known of them is what `oq doctor --save`
 * finds there, read back as run and plan read it.
 */
const settings: { name: string; played: ReadingName[] }[] = [
  { name: "the documented reading", played: [] },
  { name: "forced-and", played: ["forced-and"] },
  { name: "null-text", played: ["null-text"] },
  { name: "sent-not-opened", played: ["sent-not-opened"] },
  {
    name: "forced-and-false, forced-and-absent, empty-as-zero, none-of-list, users-or, header-bom",
    played: [
      "forced-and-false",
      "forced-and-absent",
      "empty-as-zero",
      "none-of-list",
      "users-or",
      "header-bom",
    ],
  },
  { name: "every reading", played: [...readingNames] },
];

describe.each(settings)("plans combine what their parts select alone: $name", (setting) => {
  let sandbox: Sandbox;
  let client: OngageClient;
  let findings: Findings;
  beforeAll(async () => {
    sandbox = await testSandbox({ buildTimeMs: 0, callsPerMinute: 100_000, readings: setting.played });
    client = sandboxClient(sandbox, { callsPerMinute: 100_000 });
    const cwd = scratch({});
    const doctor = await oq(["doctor", "--save", "--poll-interval", "1ms"], {
      cwd,
      env: sandboxEnv(sandbox),
    });
    expect(doctor.status, doctor.stderr).toBe(0);
    findings = loadFindings(cwd, sandbox.listId).findings!;
    // What it settled is what the sandbox plays (users-or needs an `or` that some flag keeps).
    for (const [name, found] of Object.entries(findings))
      expect(found, name).toBe(setting.played.includes(name as ReadingName) ? "holds" : "fails");
    expect(Object.keys(findings).length).toBeGreaterThanOrEqual(readingNames.length - 1);
  });
  afterAll(() => sandbox.close());

  /** What each condition selects, run once: the parts recur across cases. */
  const selected = new Map<string, Promise<string[]>>();
  function run(condition: string): Promise<string[]> {
    let emails = selected.get(condition);
    if (!emails) selected.set(condition, (emails = selectedContacts(client, condition, findings)));
    return emails;
  }

  it("or is the union, and the intersection, and not the difference from what `not B` leaves", async () => {
    let differences = 0;
    await fc.assert(
      fc.asyncProperty(partArb, partArb, async (a, b) => {
        const [inA, inB, notB, aOrB, aAndB, aNotB] = await Promise.all(
          [
            a.text,
            b.text,
            `not (${b.text})`,
            `(${a.text}) or (${b.text})`,
            `(${a.text}) and (${b.text})`,
            `(${a.text}) and not (${b.text})`,
          ].map(run),
        );
        const parts = `A: ${a.text}, B: ${b.text}`;
        expect(aOrB, `A or B, ${parts}`).toEqual([...new Set([...inA!, ...inB!])].sort());
        expect(aAndB, `A and B, ${parts}`).toEqual(inA!.filter((email) => inB!.includes(email)));
        expect(aNotB, `A and not B, ${parts}`).toEqual(inA!.filter((email) => notB!.includes(email)));
        if (b.exact) {
          differences++;
          expect(aNotB, `A and not B, ${parts}`).toEqual(inA!.filter((email) => !inB!.includes(email)));
        }
      }),
      { numRuns: runs },
    );
    expect(differences, "differences compared").toBeGreaterThan(runs / 5);
    expect(sandbox.liveReports()).toEqual([]);
  });
});
