import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, plan, explain, formatDiagnostics, type Explanation } from "../src/index.js";
// @ts-expect-error: a plain JavaScript script, shared with `npm run docs`
import { docExamples, docsFields, docsNow } from "../scripts/docExamples.mjs";
import { expectGolden, goldenCases, goldenDir, goldenFields, goldenNow, updating } from "./support/golden.js";

/*
 * `oq explain`'s wording. test/golden/explain/*.oq explain to the sentence in the .txt beside
 * them, and, where a .json is there, to that structured form; `npm run golden:update` rewrites
 * them (it rewrites an existing .json: add an empty one to start comparing a new case).
 */

const fields = goldenFields();
const explainDir = join(goldenDir, "explain");

const explainCases = () => goldenCases("explain");

/** What every explanation must hold, whatever the query: each part of the request is in words. */
function expectComplete(
  explanation: Explanation,
  payload: NonNullable<ReturnType<typeof compile>["payload"]>,
) {
  const { text } = explanation;
  expect(text).not.toMatch(/undefined|\[object|NaN|null/);
  // Every criterion is worded by exactly one part, and every part (with its values) is in the sentence.
  const covered = explanation.condition.parts.flatMap((part) => part.criteria).sort((a, b) => a - b);
  expect(covered).toEqual(payload.filters.criteria.map((_, index) => index));
  for (const part of explanation.condition.parts) {
    expect(text).toContain(part.text);
    for (const value of part.values) expect(part.text).toContain(value.text);
  }
  const countVerbs: Record<string, string> = { sent: "were sent", opens: "opened", clicks: "clicked" };
  for (const criterion of payload.filters.criteria) {
    if (criterion.type === "segment") expect(text).toContain("segment");
    else if (criterion.type === "behavioral") expect(text).toContain("campaign");
    else {
      const verb = criterion.type === "numeric" ? countVerbs[criterion.field_name] : undefined;
      expect(
        [criterion.field_name, verb].some((word) => word && text.includes(word)),
        criterion.field_name,
      ).toBe(true);
    }
  }
  for (const field of payload.selected_fields) expect(text).toContain(field);
  expect(text).toContain(JSON.stringify(payload.title));
}

describe("golden explanations", () => {
  for (const { name, file, text, bound } of explainCases()) {
    it(name, () => {
      const result = explain(text, { fileName: file, now: goldenNow, fields, ...bound });
      expect(result.ok, formatDiagnostics(result)).toBe(true);
      const sentence = expectGolden(join(explainDir, `${name}.txt`), `${result.explanation!.text}\n`);
      expect(sentence.actual).toBe(sentence.expected);
      const jsonPath = join(explainDir, `${name}.json`);
      if (existsSync(jsonPath)) {
        const json = expectGolden(jsonPath, `${JSON.stringify(result.explanation, null, 2)}\n`);
        expect(json.actual).toBe(json.expected);
      }
    });
  }

  it("has cases, each with its expected sentence", () => {
    expect(explainCases().length).toBeGreaterThan(50);
    if (!updating)
      for (const { name } of explainCases())
        expect(existsSync(join(explainDir, `${name}.txt`)), name).toBe(true);
  });
});

describe("every query explains completely", () => {
  const grammar = readFileSync(new URL("../grammar.md", import.meta.url), "utf8");
  const examples = (docExamples(grammar) as { kind: string; source: string }[]).filter(
    (example) => example.kind === "oq",
  );

  it("grammar.md has examples to explain", () => {
    expect(examples.length).toBeGreaterThan(30);
  });

  for (const { source } of examples) {
    it(`grammar.md: ${source.trim().split("\n").join(" / ")}`, () => {
      const result = explain(source, { now: docsNow, fields: docsFields });
      expect(result.ok, formatDiagnostics(result)).toBe(true);
      expectComplete(result.explanation!, compile(source, { now: docsNow, fields: docsFields }).payload!);
    });
  }

  for (const folder of ["valid", "explain"] as const) {
    it(`test/golden/${folder}/*.oq`, () => {
      for (const { file, text, bound } of goldenCases(folder)) {
        const result = explain(text, { fileName: file, now: goldenNow, fields, ...bound });
        expect(result.ok, `${file}\n${formatDiagnostics(result)}`).toBe(true);
        expectComplete(
          result.explanation!,
          compile(text, { fileName: file, now: goldenNow, fields, ...bound }).payload!,
        );
      }
    });
  }
});

describe("explain()", () => {
  it("gives exactly the diagnostics of what runs: compile's for one report, plan's for several", () => {
    for (const folder of ["invalid", "valid", "plans"] as const) {
      for (const { file, text, bound } of goldenCases(folder)) {
        const options = { fileName: file, now: goldenNow, fields, ...bound };
        const explained = explain(text, options);
        const compiled = compile(text, options);
        const planned = plan(text, options);
        const runs = compiled.ok ? compiled : planned;
        expect(explained.ok, file).toBe(runs.ok);
        expect(explained.diagnostics, file).toEqual(runs.diagnostics);
        expect(formatDiagnostics(explained), file).toBe(formatDiagnostics(runs));
        if (!runs.ok) expect(explained.explanation, file).toBeUndefined();
        expect(explained.explanation?.plan !== undefined, file).toBe(planned.plan !== undefined);
      }
    }
  });

  it("words a plan: which reports' contacts, and what each report asks for", () => {
    const result = explain('email ends "gmail.com" and (opens > 3 or clicks > 2) select email', {
      now: "2026-11-27T10:00:00Z",
    });
    expect(result.explanation!.text).toContain(
      'all contacts in report 1 or report 2 (report 1 has those whose email ends with "gmail.com" and who opened more than 3 times; report 2 has those whose email ends with "gmail.com" and who clicked more than 2 times)',
    );
    expect(result.explanation!.text).toContain("runs as 2 reports");
    const alone = explain('not ocx_status starts "a"', { now: "2026-11-27T10:00:00Z" });
    expect(alone.explanation!.text).toContain(
      'all contacts in report 1 but not report 2 (report 1 has every contact; report 2 has those whose ocx_status starts with "a")',
    );
  });

  it("words the example of issue 10", () => {
    const result = explain(
      'email ends "gmail.com" and opens >= 3 between 2026-10-28 and 2026-11-27 select email, opens',
      {
        now: "2026-11-27T10:00:00Z",
      },
    );
    expect(result.explanation!.text).toBe(
      'Report "email ends \\"gmail.com\\" and opens >= 3": all contacts whose email ends with "gmail.com" and who opened at least 3 times, counting activity from 2026-10-28 through 2026-11-27 (whole days, UTC); columns: email, opens.',
    );
  });

  it("takes the request flags of the settings, which a flags clause overrides", () => {
    const settings = { now: goldenNow, requestFlags: { combined_as_and: false } };
    expect(explain("opens > 1", settings).explanation!.requestFlags).toEqual({
      include_behavior: true,
      combined_as_and: false,
      text: "request flags include_behavior true, combined_as_and false (Ongage does not document what they change; known clients send both as true)",
    });
    expect(
      explain("opens > 1 flags include_behavior, combined_as_and", settings).explanation!.requestFlags,
    ).toEqual({
      include_behavior: true,
      combined_as_and: true,
    });
    expect(explain("opens > 1", { now: goldenNow }).explanation!.text).not.toContain("request flags");
  });

  it("reads a during window against the same clock as the check, without a fixed now", () => {
    const window = explain("opens > 1 during 2d").explanation!.window;
    expect(window.endsNow).toBe(true);
    expect(Date.parse(window.to) - Date.parse(window.from)).toBe(2 * 86_400_000);
  });

  it("is called like compile: wrong arguments throw a TypeError", () => {
    expect(() => explain(undefined as unknown as string)).toThrow(TypeError);
    expect(() => explain("opens > 1", { now: "soon" })).toThrow(TypeError);
    expect(() => explain("opens > 1", null as never)).toThrow(TypeError);
  });

  it("never throws on hostile input", () => {
    const result = explain(`${"(".repeat(5000)}opens > 1`);
    expect(result.ok).toBe(false);
    expect(result.explanation).toBeUndefined();
  });
});
