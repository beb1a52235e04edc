import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { compile, parse } from "../../src/index.js";
import type { ContactSet, QueryPlan } from "../../src/emit/planSchema.js";
import { CsvRecordReader } from "../../src/runner/csvRecords.js";
import { evaluationContact, sandboxCustomFields } from "../../src/sandbox/data.js";
import type { Sandbox } from "../../src/sandbox/server.js";
import { evaluateCondition } from "./astEvaluator.js";
import { typeOf } from "./arbitraries.js";
import type { CliRun } from "./oqInProcess.js";
import { sandboxNow, sandboxNowSeconds, testCredentials } from "./sandbox.js";

/*
 * A plan of four reports over the test sandbox for `oq run --plan`, in process and as the built
 * command: the conditions, the plan file, and what the merged CSV must hold, by the reference
 * evaluator's reading of each report's condition over the sandbox's own data, combined here with
 * plain set operations.
 */

export const conditions = ['email ends "gmail.com"', 'city = "Paris"', "opens >= 2", "age > 40"];

export function request(condition: string) {
  const result = compile(`${condition}\nduring 90d\nselect email, city, opens\n`, {
    now: sandboxNow,
    fields: sandboxCustomFields,
  });
  expect(result.diagnostics).toEqual([]);
  return result.payload!;
}

export function planOf(combine: ContactSet, columns = ["opens", "email", "city"]): QueryPlan {
  return { reports: conditions.map(request), combine, key: "email", columns };
}

export const report = (index: number): ContactSet => ({ kind: "report", report: index });

/** The emails each condition selects, by the reference evaluator. */
export function referenceSets(sandbox: Sandbox): Set<string>[] {
  return conditions.map((text) => {
    const payload = request(text);
    const window = { from: payload.filters.from_date!, to: payload.filters.to_date! };
    const condition = parse(text).ast!.condition!;
    const selected = new Set<string>();
    for (let index = 0; index < sandbox.contacts.size; index++) {
      const contact = sandbox.contacts.contact(index);
      if (evaluateCondition(condition, evaluationContact(contact, window), typeOf, sandboxNowSeconds))
        selected.add(contact.email);
    }
    return selected;
  });
}

export function evaluate(set: ContactSet, sets: Set<string>[]): Set<string> {
  if (set.kind === "report") return sets[set.report]!;
  if (set.kind === "difference") {
    const minus = evaluate(set.minus, sets);
    return new Set([...evaluate(set.from, sets)].filter((email) => !minus.has(email)));
  }
  const members = set.of.map((member) => evaluate(member, sets));
  if (set.kind === "union") return new Set(members.flatMap((member) => [...member]));
  return new Set([...members[0]!].filter((email) => members.every((member) => member.has(email))));
}

export function readCsv(path: string): string[][] {
  const reader = new CsvRecordReader();
  return [...reader.push(readFileSync(path)), ...reader.end()];
}

/** A folder with the plan, and a TMPDIR of its own to show the run's temporary folder goes. */
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

export function planFolder(plan: unknown): { dir: string; temp: string } {
  const dir = mkdtempSync(join(tmpdir(), "oq-plan-e2e-"));
  folders.push(dir);
  writeFileSync(join(dir, "plan.json"), JSON.stringify(plan));
  return { dir, temp: mkdtempSync(join(dir, "tmp-")) };
}

export function expectNothingLeft(dir: string, temp: string, run: CliRun): void {
  expect(readdirSync(dir).filter((name) => name.endsWith(".part"))).toEqual([]);
  expect(readdirSync(temp)).toEqual([]);
  expect(run.stdout + run.stderr).not.toContain(testCredentials.password);
}
