import { describe, expect, it } from "vitest";
import { compile, plan, type CompileOptions, type Diagnostic } from "../src/index.js";
import { applySuggestion, checkedFixes } from "../src/diagnostics/checkedFixes.js";
import { SourceText } from "../src/diagnostics/source.js";
import type { Suggestion } from "../src/diagnostics/diagnostic.js";
import { goldenCases, goldenFields, goldenNow } from "./support/golden.js";
import { typicalMistakes } from "./support/mistakes.js";

/*
 * Every fix oq shows is right when applied (docs/diagnostics.md, "How a fix is checked"): the
 * problem it is for goes away and no new one appears where it wrote. The gate that promises it is
 * src/diagnostics/checkedFixes.ts, run by every entry point of src/compile.ts; this test checks
 * the promise from outside, by applying each fix the public functions return and compiling again,
 * over every invalid golden and a corpus of typical mistakes (test/support/mistakes.ts).
 */

const fields = goldenFields();
const options: CompileOptions = { now: goldenNow, fields };

/** The text with the fix applied, and the errors of its compilation that touch the edit. */
function problemsAfter(
  text: string,
  diagnostic: Diagnostic,
  suggestion: Suggestion,
  compileText: (text: string) => readonly Diagnostic[],
): string[] {
  const fixed = applySuggestion(text, suggestion);
  const editStart = suggestion.span.start.offset;
  const editEnd = editStart + suggestion.replacement.length;
  const touching = compileText(fixed).filter(
    (after) => after.span.start.offset <= editEnd && after.span.end.offset >= editStart,
  );
  const problems: string[] = [];
  for (const after of touching) {
    if (after.code === diagnostic.code) problems.push(`still ${after.code}: ${after.message}`);
    else if (after.severity === "error") problems.push(`new ${after.code}: ${after.message}`);
  }
  return problems.map((problem) => `${JSON.stringify(fixed)}: ${problem}`);
}

/** Each fix of each diagnostic of `text` that is wrong when applied, in words. */
function wrongFixes(text: string, entry: "compile" | "plan"): string[] {
  const run = (source: string) =>
    (entry === "compile" ? compile(source, options) : plan(source, options)).diagnostics;
  const wrong: string[] = [];
  for (const diagnostic of run(text)) {
    for (const suggestion of diagnostic.suggestions) {
      for (const problem of problemsAfter(text, diagnostic, suggestion, run))
        wrong.push(`${diagnostic.code} '${suggestion.message}' -> ${problem}`);
    }
  }
  return wrong;
}

describe("every fix oq offers is right when applied", () => {
  const cases = [
    ...goldenCases("invalid").map(({ name, text }) => ({ name: `golden ${name}`, text })),
    ...typicalMistakes().map(({ habit, text }, index) => ({ name: `${habit} #${index}: ${text}`, text })),
  ];

  it("the corpus holds at least 300 typical mistakes", () => {
    expect(typicalMistakes().length).toBeGreaterThanOrEqual(300);
  });

  it.each(cases)("$name", ({ text }) => {
    expect(wrongFixes(text, "plan")).toEqual([]);
    expect(wrongFixes(text, "compile")).toEqual([]);
  });

  it("fixes are still offered where they are right", () => {
    const offered = cases.filter(({ text }) =>
      plan(text, options).diagnostics.some((diagnostic) => diagnostic.suggestions.length > 0),
    );
    // The gate must not simply drop every fix: most of these mistakes have a right one.
    expect(offered.length).toBeGreaterThan(100);
  });
});

describe("the gate (checkedFixes)", () => {
  const text = "aa bb cc";
  const source = new SourceText(text);
  const diagnostic = (code: string, start: number, end: number, replacements: string[]): Diagnostic => ({
    code,
    severity: "error",
    message: code,
    span: source.spanOf(start, end),
    hints: [],
    suggestions: replacements.map((replacement) => ({
      message: `write ${replacement}`,
      span: source.spanOf(start, end),
      replacement,
    })),
  });
  /** A re-check that reports an OQ1 wherever "bad" or "bb" is written, and OQ2 at "worse". */
  const recheck = (fixed: string): Diagnostic[] => {
    const fixedSource = new SourceText(fixed);
    const found: Diagnostic[] = [];
    for (const [pattern, code] of [
      [/bad|bb/g, "OQ1"],
      [/worse/g, "OQ2"],
    ] as const) {
      for (const match of fixed.matchAll(pattern))
        found.push({
          code,
          severity: "error",
          message: code,
          span: fixedSource.spanOf(match.index, match.index + match[0].length),
          hints: [],
          suggestions: [],
        });
    }
    return found;
  };
  const offered = (diagnostics: Diagnostic[]) =>
    diagnostics.map((d) => d.suggestions.map((s) => s.replacement));

  it("keeps a fix that clears its problem", () => {
    expect(offered(checkedFixes(text, [diagnostic("OQ1", 3, 5, ["good"])], recheck))).toEqual([["good"]]);
  });

  it("drops a fix that leaves the same problem", () => {
    expect(offered(checkedFixes(text, [diagnostic("OQ1", 3, 5, ["bad"])], recheck))).toEqual([[]]);
  });

  it("drops a fix that makes a new problem where it writes", () => {
    expect(offered(checkedFixes(text, [diagnostic("OQ1", 3, 5, ["worse"])], recheck))).toEqual([[]]);
  });

  it("keeps alternatives of one diagnostic, each checked on its own", () => {
    expect(offered(checkedFixes(text, [diagnostic("OQ1", 3, 5, ["good", "bad", "fine"])], recheck))).toEqual([
      ["good", "fine"],
    ]);
  });

  it("drops overlapping fixes of two diagnostics that contradict each other", () => {
    const first = diagnostic("OQ1", 3, 5, ["good"]);
    const second = diagnostic("OQ3", 3, 5, ["fine"]);
    // Each clears its own problem, but OQ3 (not reported by the re-check) is gone either way,
    // and OQ1 is gone either way: so neither contradicts the other here.
    expect(offered(checkedFixes(text, [first, second], recheck))).toEqual([["good"], ["fine"]]);
    // A re-check that keeps OQ3 unless "fine" is written: "good" leaves OQ3, so it contradicts "fine".
    const keepsThird = (fixed: string) => [
      ...recheck(fixed),
      ...(fixed.includes("fine")
        ? []
        : [{ ...second, span: new SourceText(fixed).spanOf(3, 3 + (fixed.length - text.length) + 2) }]),
    ];
    expect(offered(checkedFixes(text, [first, second], keepsThird))).toEqual([[], ["fine"]]);
  });

  it("drops a fix whose re-check throws, and what is past the budget", () => {
    const throwing = () => {
      throw new Error("boom");
    };
    expect(offered(checkedFixes(text, [diagnostic("OQ1", 3, 5, ["good"])], throwing))).toEqual([[]]);
    const budget = { maxRechecks: 1, maxCharacters: 1_000 };
    expect(offered(checkedFixes(text, [diagnostic("OQ1", 3, 5, ["good", "fine"])], recheck, budget))).toEqual(
      [["good"]],
    );
  });

  it("a wrong fix oq used to offer is gone: a keyword as a field that is not in the schema", () => {
    // `and` in backquotes is a field name, and there is no field `and`: the fix made OQ212.
    const result = compile('and = "x"', options);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["OQ104"]);
    expect(result.diagnostics[0]!.suggestions).toEqual([]);
    // With such a field in the schema, the same fix is right, and offered.
    const withField = compile('and = "x"', { ...options, fields: { ...fields, and: "string" } });
    expect(withField.diagnostics[0]!.suggestions.map((s) => s.replacement)).toEqual(["`and`"]);
  });
});
