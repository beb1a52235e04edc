import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { OngageClient } from "../../src/client/client.js";
import { formatDiagnostics, plan, type Findings } from "../../src/index.js";
import { runPlan } from "../../src/runner/runPlan.js";
import { runReport } from "../../src/runner/runReport.js";
import type { EvaluationContact } from "../../src/evaluate/contact.js";
import { evaluationContact, sandboxCustomFields } from "../../src/sandbox/data.js";
import type { Sandbox } from "../../src/sandbox/server.js";
import { outFolder } from "./inProcess.js";
import { sandboxNow } from "./sandbox.js";

/*
 * What a condition selects when oq runs it on the test sandbox, in process: planned as `oq run`
 * plans it (one report, or a plan), run by runReport()/runPlan(), and the emails of the CSV's
 * rows read back. Every user type and a fixed window, so that activity counts and campaigns
 * select someone; `email` is the only column.
 */

/** The clauses every condition runs with, after its user type. */
const clauses = "\nselect email\nbetween 2024-01-01 and 2024-06-01";

let runs = 0;
const folder = outFolder();

const planOf = (condition: string, findings: Findings, users: string) =>
  plan(`${condition}\nusers ${users}${clauses}`, { now: sandboxNow, fields: sandboxCustomFields, findings });

/** How `condition` runs under `findings`: one report (a plan of one) or a plan of several. */
export function planned(condition: string, findings: Findings = {}, users = "all") {
  const result = planOf(condition, findings, users);
  if (!result.ok) throw new Error(`${condition} does not plan:\n${formatDiagnostics(result)}`);
  return result;
}

/** The compiler knows `condition` selects no one (OQ236: parts no contact satisfies together), and runs nothing. */
function knownEmpty(condition: string, findings: Findings, users: string): boolean {
  const errors = planOf(condition, findings, users).diagnostics.filter((d) => d.severity === "error");
  return errors.length > 0 && errors.every((d) => d.code === "OQ236");
}

/** The emails of the contacts `condition` selects on the sandbox `client` talks to, sorted. */
export async function selectedContacts(
  client: OngageClient,
  condition: string,
  findings: Findings = {},
  users = "all",
): Promise<string[]> {
  // Its answer, known without a report; the tests compare it with what the parts select.
  if (knownEmpty(condition, findings, users)) return [];
  const { payload, plan: queryPlan } = planned(condition, findings, users);
  const path = join(folder, `${++runs}.csv`);
  const destination = { kind: "file" as const, path };
  const summary = payload
    ? await runReport({ client, request: payload, destination, pollIntervalMs: 1 })
    : await runPlan({ client, plan: queryPlan!, destination, pollIntervalMs: 1 });
  if (summary.error) throw new Error(`${condition}: ${summary.error}`);
  // The header as the sandbox's readings may write it: after a BOM, as a label.
  const [header, ...rows] = readFileSync(path, "utf8")
    .replace(/^\uFEFF/, "")
    .trimEnd()
    .split("\r\n");
  if (header?.toLowerCase() !== "email") throw new Error(`${condition}: the CSV's header is ${header}`);
  return rows.filter((row) => row !== "").sort();
}

/**
 * The sandbox's own answer, by its data rather than by a report: the emails of its contacts for
 * which `test` holds over the window every condition here runs with, sorted.
 */
export function contactsWhere(sandbox: Sandbox, test: (contact: EvaluationContact) => boolean): string[] {
  const { filters } = planned("opens > 1").payload!;
  const window = { from: filters.from_date!, to: filters.to_date! };
  const emails: string[] = [];
  for (let index = 0; index < sandbox.contacts.size; index++) {
    const seen = evaluationContact(sandbox.contacts.contact(index), window);
    if (test(seen)) emails.push(String(seen.fields["email"]));
  }
  return emails.sort();
}
