import { describe, expect, it } from "vitest";
import { formatDiagnostics, plan } from "../src/compile.js";
import { analyse, playgroundFileName } from "../src/playground/analysis.js";

/* What the playground's panes show, worked out without a browser (the browser test drives the page). */

const now = "2024-06-01T00:00:00Z";

describe("the playground's analysis", () => {
  it("words the problems as oq check does, each with its fixes, and closes with the count", () => {
    const text = 'emial ends "gmail.com"';
    const analysis = analyse(text, { now, schema: "" });
    const checked = plan(text, { now, fileName: playgroundFileName });
    expect(`${analysis.problems.map((problem) => problem.text).join("\n\n")}\n\n${analysis.summary}\n`).toBe(
      formatDiagnostics(checked),
    );
    expect(analysis.problems[0]!.fixes.map((fix) => fix.edit.newText)).toEqual(["email"]);
    expect(analysis.body).toBe("");
    expect(analysis.explanation).toBe("");
  });

  it("says what is wrong with the clock or the schema, and compiles nothing then", () => {
    expect(analyse("opens > 1", { now: "yesterday", schema: "" }).settingsProblems).toEqual([
      "the clock ('now') is not a time: yesterday (write an ISO 8601 time such as 2024-01-31T10:00:00Z)",
    ]);
    const notJson = analyse("opens > 1", { now, schema: "{" });
    expect(notJson.settingsProblems[0]).toMatch(/^the field schema is not JSON: /);
    expect(notJson.body).toBe("");
    expect(analyse("opens > 1", { now, schema: '{"fields": {"age": "number"}}' }).settingsProblems).toEqual([
      'the field schema: at fields.age: unknown field type "number"; the types are email, string, numeric, date, id',
    ]);
  });

  it("takes the schema's custom fields, for checking and for completion", () => {
    const schema = JSON.stringify({ fields: { prénom: "string" } });
    const analysis = analyse('`prénom` = "Zoë"', { now, schema });
    expect(analysis.problems).toEqual([]);
    expect(analysis.fields).toEqual({ prénom: "string" });
    expect(analyse('`prénom` = "Zoë"', { now, schema: "" }).problems[0]!.message).toMatch(/unknown field/);
  });

  it("shows a plan in words, then as oq plan --json prints it", () => {
    const text = 'email ends "gmail.com" and opens >= 3 or clicks >= 2 during 30d select email, opens';
    const analysis = analyse(text, { now, schema: "" });
    const planned = plan(text, { now, fileName: playgroundFileName });
    expect(analysis.body).toBe(
      [
        `2 reports; the contacts in ${planned.words!.contacts}.`,
        "One row per contact, told apart by email; columns: email, opens.",
        ...planned.words!.reports.map((words, index) => `report ${index + 1}: ${words}`),
        "",
        JSON.stringify(planned.plan, null, 2),
      ].join("\n"),
    );
    expect(analysis.samples!.count).toBeGreaterThan(0);
  });
});
