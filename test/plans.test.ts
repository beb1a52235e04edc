import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile, formatDiagnostics, parse, plan, type CompileOptions, type Findings } from "../src/index.js";
import { QueryPlanSchema } from "../src/emit/planSchema.js";
import { expectGolden, goldenCases, goldenDir, goldenFields, goldenNow } from "./support/golden.js";
import { customFields, propertyNow, queryArb } from "./support/arbitraries.js";
import type { Diagnostic } from "../src/diagnostics/diagnostic.js";

/*
 * Golden plans: test/golden/plans/*.oq plan to the reports, set expression and words in the
 * .plan.json beside them, or fail with the diagnostics in the .txt. OQ_UPDATE_GOLDEN=1
 * (npm run golden:update) rewrites them: review the diff.
 */

const fields = goldenFields();
const runs = Number(process.env["OQ_PROPERTY_RUNS"] ?? 200);

describe("golden plans", () => {
  for (const { name, file, text } of goldenCases("plans")) {
    it(name, () => {
      const result = plan(text, { fileName: file, now: goldenNow, fields });
      const rendered = formatDiagnostics(result) || undefined;
      const shown = result.plan
        ? { words: result.words, ...result.plan }
        : result.payload
          ? { reports: [result.payload] }
          : undefined;
      const planJson = shown ? `${JSON.stringify(shown, null, 2)}\n` : undefined;
      const expectedPlan = expectGolden(join(goldenDir, "plans", `${name}.plan.json`), planJson);
      expect(expectedPlan.actual).toBe(expectedPlan.expected);
      const diagnostics = expectGolden(join(goldenDir, "plans", `${name}.txt`), rendered);
      expect(diagnostics.actual).toBe(diagnostics.expected);
      if (result.plan) expect(QueryPlanSchema.safeParse(result.plan).success).toBe(true);
    });
  }
});

describe("plan()", () => {
  it("gives compile()'s payload, byte for byte, for every query one report can say", () => {
    let single = 0;
    let planned = 0;
    fc.assert(
      fc.property(queryArb, (text) => {
        const options = { now: propertyNow, fields: customFields };
        const compiled = compile(text, options);
        const result = plan(text, options);
        if (compiled.ok) {
          single++;
          expect(JSON.stringify(result.payload)).toBe(JSON.stringify(compiled.payload));
          expect(result.plan).toBeUndefined();
          expect(result.diagnostics).toEqual(compiled.diagnostics);
        } else if (result.plan) {
          planned++;
          expect(compiled.diagnostics.some((d) => d.code === "OQ241" || d.code === "OQ240")).toBe(true);
          expect(QueryPlanSchema.safeParse(result.plan).success).toBe(true);
          expect(result.plan.reports.length).toBeGreaterThan(1);
        }
      }),
      { numRuns: runs },
    );
    expect(single).toBeGreaterThan(runs / 10);
    expect(planned).toBeGreaterThan(runs / 20);
  });

  it("compile() of a query that needs a plan says how many reports and points at oq plan and oq run", () => {
    const result = compile('email ends "gmail.com" and (opens > 3 or clicks > 2)');
    expect(result.ok).toBe(false);
    expect(result.payload).toBeUndefined();
    const hints = result.diagnostics.flatMap((d) => d.hints).join("\n");
    expect(hints).toContain("exactly as 2 reports");
    expect(hints).toContain("'oq plan'");
    expect(hints).toContain("'oq run'");
  });

  it("refuses beyond limits.maxReports with OQ242, pointing at the part that needs the most", () => {
    const text = '(opens > 1 or clicks > 1) and (sent > 1 or ocx_status = "a") and (opens < 9 or clicks < 9)';
    expect(plan(text, { limits: { maxReports: 3 } }).plan?.reports).toHaveLength(3);
    const refused = plan(text, { limits: { maxReports: 2 } });
    expect(refused.ok).toBe(false);
    expect(refused.diagnostics.map((d) => d.code)).toEqual(["OQ242"]);
    expect(refused.diagnostics[0]!.message).toContain("needs 3 reports");
  });

  it("plans past the diagnostics cap: 51 negations without an opposite are still 2 reports", () => {
    const negations = Array.from({ length: 51 }, (_, i) => `not email ends "d${i}.com"`).join(" and ");
    const result = plan(`opens > 1 and ${negations}`);
    expect(formatDiagnostics(result)).toBe("");
    expect(result.plan?.reports).toHaveLength(2);
  });

  it("keeps the count of earlier diagnostics past the cap when it plans a refused condition", () => {
    // Three lists after '!=' warn (OQ230); with a cap of 2 the third is only counted, and the
    // plan that replaces the refusal keeps that count.
    const text = "(opens != [1, 2] or sent != [1, 2]) and (clicks != [1, 2] or avg_open_time > 1)";
    const result = plan(text, { limits: { maxDiagnostics: 2 } });
    expect(result.plan?.reports.length).toBeGreaterThan(1);
    expect(result.diagnostics.map((d) => [d.code, d.omitted?.warnings])).toEqual([
      ["OQ230", undefined],
      ["OQ230", undefined],
      ["OQ010", 1],
    ]);
  });

  it("a plan of one report is that report: compile() gives it too, and plan() as a payload", () => {
    const text = "(opens > 1 and clicks > 1) or (opens > 2 and clicks > 1)";
    const compiled = compile(text);
    expect(compiled.ok, formatDiagnostics(compiled)).toBe(true);
    expect(compiled.payload!.filters.criteria.map((c) => [c.field_name, c.operator, c.operand])).toEqual([
      ["clicks", ">", [1]],
      ["opens", ">", [1, 2]],
    ]);
    expect(plan(text).payload).toEqual(compiled.payload);
  });

  it("a lone negation starts from every contact as one criterion, `email is not empty`, whatever combined_as_and means", () => {
    const result = plan('not email ends "gmail.com"');
    expect(result.words?.reports).toEqual(["email is not empty", 'email ends "gmail.com"']);
    expect(result.plan?.reports[0]!.filters.criteria).toHaveLength(1);
  });

  it("takes a complement for a `not` only where the reading it depends on is known not to hold", () => {
    const reports = (text: string, findings: Findings = {}) =>
      plan(text, { findings, fields: { city: "string" } }).plan?.reports.length;
    // Custom text: an empty city may be unknown to `city != "Paris"` (null-text).
    const text = 'city != "Paris" or not email ends "gmail.com"';
    expect(reports(text)).toBe(3);
    expect(reports(text, { "null-text": "holds" })).toBe(3);
    expect(reports(text, { "null-text": "fails" })).toBe(2);
    // Opened: `not opened` may hold only for contacts sent the mailing (sent-not-opened).
    const campaign = 'not opened campaign 1 or not email ends "gmail.com"';
    expect(reports(campaign)).toBe(3);
    expect(reports(campaign, { "sent-not-opened": "fails" })).toBe(2);
    // Never unknown under any reading: the key `email`, segments, `sent`, emptiness tests.
    for (const never of [
      'email != "a@b.c"',
      "not in segment 1",
      "not sent campaign 1",
      "ocx_bounce_date is not empty",
    ])
      expect(reports(`${never} or not email ends "gmail.com"`), never).toBe(2);
  });

  it("where forced-and holds, runs an `or` chain as a union of one-criterion reports, and no report is an `or` chain", () => {
    const holds: Findings = { "forced-and": "holds" };
    const text = 'email ends "gmail.com" or opens > 3';
    expect(plan(text).payload).toEqual(compile(text).payload);
    const forced = plan(text, { findings: holds });
    expect(forced.plan?.combine).toEqual({
      kind: "union",
      of: [
        { kind: "report", report: 0 },
        { kind: "report", report: 1 },
      ],
    });
    expect(forced.plan?.reports.map((report) => report.filters.criteria.length)).toEqual([1, 1]);
    const mixed = plan(
      '(opens > 1 or clicks > 1) and not email ends "x" and (sent = 1 or ocx_status = "a")',
      {
        findings: holds,
      },
    );
    for (const report of mixed.plan!.reports)
      expect(report.filters.criteria.every((criterion) => criterion.condition === "and")).toBe(true);
    // The reading is about combined_as_and: true; sent false (by the settings or a `flags` clause), one report says it.
    expect(plan(text, { findings: holds, requestFlags: { combined_as_and: false } }).payload).toBeDefined();
    expect(plan(`${text}\nflags include_behavior`, { findings: holds }).payload).toBeDefined();
    // Values of one criterion are OR-ed whatever combined_as_and means: still one report.
    expect(plan('email ends "a.com" or email ends "b.com"', { findings: holds }).payload).toBeDefined();
  });

  it("limits.maxReports is at most 31, what a plan's merge can hold", () => {
    expect(() => plan("opens > 1", { limits: { maxReports: 32 } })).toThrow(/at most 31/);
  });

  it("a limit given as undefined keeps its default", () => {
    const deep = `${"(".repeat(20_000)}opens > 1${")".repeat(20_000)}`;
    const result = compile(deep, { limits: { maxDepth: undefined } });
    expect(result.diagnostics.map((d) => d.code)).toEqual(["OQ009"]);
    const text = '(opens > 1 or clicks > 1) and (sent > 1 or ocx_status = "a") and (opens < 9 or clicks < 9)';
    expect(plan(text, { limits: { maxReports: undefined } }).plan?.reports).toHaveLength(3);
  });
});

/*
 * A plan keeps the compiler's warnings about meaning (issue 19): the same condition warns the
 * same whether it runs as one report or inside a plan. Each condition one report says is put
 * into a query only a plan runs, twice: beside a `not ends` (a set difference, OQ240) and inside
 * an `and` with an `or` (OQ241), and its warnings (code, message, the text they point at) must
 * be those of the one report.
 */
describe("a condition keeps its warnings inside a plan", () => {
  const aboutMeaning = new Set(["OQ230", "OQ231", "OQ233"]);
  // The text pointed at, without the parentheses put around a lone comparison.
  const at = (text: string, { start, end }: Diagnostic["span"]) =>
    text.slice(start.offset, end.offset).replace(/^\((.*)\)$/s, "$1");
  const shown = (diagnostics: readonly Diagnostic[], text: string) =>
    diagnostics
      .filter((d) => aboutMeaning.has(d.code))
      .map((d) => `${d.code} ${d.message} at '${at(text, d.span)}'`);
  const contexts = [
    (condition: string) => `(${condition}) and not email ends "zz.invalid"`,
    (condition: string) => `(${condition}) and (email starts "zz" or email contains "yy.invalid")`,
  ];
  /** The query with its condition put in `context`, or undefined when it has none. */
  const inPlan = (text: string, context: (condition: string) => string) => {
    const span = parse(text).ast?.condition?.span;
    if (!span) return undefined;
    const [start, end] = [span.start.offset, span.end.offset];
    return `${text.slice(0, start)}${context(text.slice(start, end))}${text.slice(end)}`;
  };
  /** The one report's warnings and the plan's, for each context; undefined when no plan runs. */
  const compared = (text: string, options: CompileOptions) => {
    const single = compile(text, options);
    if (!single.ok) return undefined;
    return contexts.map((context) => {
      const planned = inPlan(text, context);
      const result = planned === undefined ? undefined : plan(planned, options);
      if (!result?.plan) return undefined;
      return { expected: shown(single.diagnostics, text), actual: shown(result.diagnostics, planned!) };
    });
  };

  it("the goldens: every valid query's OQ230, OQ231 and OQ233, as a plan", () => {
    let warned = 0;
    for (const { file, text, bound } of goldenCases("valid")) {
      for (const pair of compared(text, { fileName: file, now: goldenNow, fields, ...bound }) ?? []) {
        if (!pair) continue;
        expect(pair.actual, file).toEqual(pair.expected);
        if (pair.expected.length > 0) warned++;
      }
    }
    // Each of the three codes is among them (OQ230, OQ231, OQ233 goldens), in both contexts.
    expect(warned).toBeGreaterThan(20);
  });

  it("generated queries: the same warnings as one report and as a plan", () => {
    let warned = 0;
    let comparedPairs = 0;
    fc.assert(
      fc.property(queryArb, (text) => {
        for (const pair of compared(text, { now: propertyNow, fields: customFields }) ?? []) {
          if (!pair) continue;
          comparedPairs++;
          expect(pair.actual, text).toEqual(pair.expected);
          if (pair.expected.length > 0) warned++;
        }
      }),
      { numRuns: runs },
    );
    // Most generated queries are compared (not skipped), and some of them warn.
    expect(comparedPairs).toBeGreaterThan(runs / 2);
    expect(warned).toBeGreaterThan(0);
  });

  it("examples: a window that makes the condition match no one, a 'not' that leaves out empty values, or-ed '!='", () => {
    const now = goldenNow;
    const codes = (text: string) => plan(text, { now, fields }).diagnostics.map((d) => d.code);
    expect(codes('last_open_date < 2023-01-01 and not email ends "x"')).toEqual(["OQ233"]);
    expect(codes("last_open_date < 2023-01-01 and (opens > 1 or clicks > 1)")).toEqual(["OQ233"]);
    expect(codes('not last_open_date > 2024-01-10 and not email ends "x"')).toEqual(["OQ231", "OQ233"]);
    expect(codes('(email != "a" or email != "b") and not email ends "x"')).toEqual(["OQ230"]);
    // Taken back by an `or ... is empty` around it: nothing is lost.
    expect(codes('(last_open_date < 2023-01-01 or last_open_date is empty) and not email ends "x"')).toEqual(
      [],
    );
    expect(
      codes('(not last_open_date > 2024-01-10 or last_open_date is empty) and not email ends "x"'),
    ).toEqual([]);
  });
});
