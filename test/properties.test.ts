import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile, decompile, format, parse, type CompileResult } from "../src/index.js";
import { ContactActivityRequestSchema } from "../src/emit/payloadSchema.js";
import { SourceText } from "../src/diagnostics/source.js";
import {
  customFields,
  expectedRefusals,
  mutatedQueryArb,
  propertyNow,
  queryArb,
  queryPairArb,
} from "./support/arbitraries.js";
import { goldenCases } from "./support/golden.js";
import { oqWords } from "./support/oqWords.js";
import { withoutSpans } from "./support/withoutSpans.js";

const runs = Number(process.env["OQ_PROPERTY_RUNS"] ?? 300);
const options = { now: propertyNow, fields: customFields };

/** Words that would mean an internal name leaked into a message. */
const internalNames =
  /StringLiteral|NumberLiteral|DateLiteral|DurationLiteral|Identifier|LParen|RParen|LBracket|RBracket|NoViableAlt|MismatchedToken|EarlyExit|\bEOF\b|undefined|NaN|\[object/;

function expectWellFormedDiagnostics(text: string, result: CompileResult): void {
  const source = new SourceText(text);
  if (!result.ok) expect(result.diagnostics.some((d) => d.severity === "error")).toBe(true);
  if (!result.ok) expect(result.payload).toBeUndefined();
  for (const diagnostic of result.diagnostics) {
    const { start, end } = diagnostic.span;
    expect(start.offset).toBeGreaterThanOrEqual(0);
    expect(end.offset).toBeLessThanOrEqual(text.length);
    expect(start.offset).toBeLessThanOrEqual(end.offset);
    expect(source.positionAt(start.offset)).toEqual(start);
    expect(source.positionAt(end.offset)).toEqual(end);
    expect(diagnostic.message.length).toBeGreaterThan(0);
    expect(diagnostic.message).not.toMatch(internalNames);
    for (const hint of diagnostic.hints) expect(hint).not.toMatch(internalNames);
    expect(diagnostic.code).toMatch(/^OQ\d{3}$/);
    expect(diagnostic.code).not.toBe("OQ999");
  }
}

describe("the compiler never throws", () => {
  it("on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: "binary" }), (text) => {
        expectWellFormedDiagnostics(text, compile(text, options));
      }),
      { numRuns: runs * 3 },
    );
  });

  it("on sequences of oq words", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...oqWords), { maxLength: 30 }),
        fc.constantFrom(" ", "", "\n"),
        (words, glue) => {
          const text = words.join(glue);
          expectWellFormedDiagnostics(text, compile(text, options));
        },
      ),
      { numRuns: runs * 3 },
    );
  });

  it("on mutations of the valid golden queries", () => {
    fc.assert(
      fc.property(
        mutatedQueryArb(
          goldenCases("valid").map((c) => c.text),
          oqWords,
        ),
        (text) => {
          expectWellFormedDiagnostics(text, compile(text, options));
          format(text);
        },
      ),
      { numRuns: runs * 3 },
    );
  });
});

describe("valid queries", () => {
  it("compile to payloads the request schema accepts, with one combinator, or are refused for a stated reason", () => {
    fc.assert(
      fc.property(queryArb, (text) => {
        const result = compile(text, options);
        if (!result.ok) {
          // The only refusals of a well-formed query: a value out of range (a number no JSON
          // number carries exactly, a window before 1970), a `not` Ongage cannot express, or mixed and/or.
          const codes = new Set(result.diagnostics.filter((d) => d.severity === "error").map((d) => d.code));
          expect(
            [...codes].every((code) => expectedRefusals.includes(code)),
            `${text}\n${[...codes].join(", ")}`,
          ).toBe(true);
          return;
        }
        // What is sent is the JSON text: validate that, so Infinity (sent as null) and the like cannot hide.
        const sent = JSON.parse(JSON.stringify(result.payload));
        const validation = ContactActivityRequestSchema.safeParse(sent);
        expect(validation.success, `${text}\n${JSON.stringify(validation.error?.issues)}`).toBe(true);
        expect(sent).toEqual(result.payload);
        const conditions = new Set(result.payload!.filters.criteria.map((c) => c.condition));
        expect(conditions.size).toBe(1);
      }),
      { numRuns: runs },
    );
  });

  it("read 'not' before 'and' before 'or', as grammar.md says (the same tree as with every group in parentheses)", () => {
    let mixed = 0;
    fc.assert(
      fc.property(queryPairArb, ({ text, grouped }) => {
        if (text !== grouped) mixed++;
        // The same grouping; which groups were written in parentheses is what differs.
        const tree = (query: string) =>
          JSON.parse(JSON.stringify(withoutSpans(parse(query).ast!.condition)), (key, value: unknown) =>
            key === "parenthesized" ? undefined : value,
          ) as unknown;
        expect(tree(text), `${text}\nshould read as\n${grouped}`).toEqual(tree(grouped));
      }),
      { numRuns: runs },
    );
    // Not vacuous: many generated queries leave the grouping to precedence.
    expect(mixed).toBeGreaterThan(runs / 4);
  });

  // That they keep their meaning through the and/or normalisation: test/normalize.test.ts.

  it("format idempotently, to a query with the same payload", () => {
    fc.assert(
      fc.property(queryArb, (text) => {
        const once = format(text);
        expect(once.formatted).toBeDefined();
        expect(format(once.formatted!).formatted).toBe(once.formatted);
        const [before, after] = [compile(text, options), compile(once.formatted!, options)];
        expect(after.payload).toEqual(before.payload);
        // A query that fails fails the same way once formatted (fmt never writes 1e+23d). In any
        // order: a part's span starts at the parenthesis fmt may drop, which can move it past a
        // diagnostic at its first comparison (OQ235 and OQ236 at `(age != 1 and ...) or ...`).
        const codes = (result: CompileResult) => result.diagnostics.map((d) => d.code).sort();
        expect(codes(after), once.formatted).toEqual(codes(before));
      }),
      { numRuns: runs },
    );
  });

  it("format keeps the warnings, whichever alternative an error is met in first (seed 1's counterexample)", () => {
    // fmt merges `(a) or (b and c or d)` into one `or`: OQ235 on `b and c` must not depend on
    // whether the error in `a` was met before the inner `or` was (it was, unformatted).
    const text =
      '(((email = "a" and last_open_date = [1000000d ago]) or (in segment [1] and in segment [1] and opens = 0 or last_open_date = [1d ago])) and id = [1])';
    const once = format(text).formatted!;
    const codes = (result: CompileResult) => result.diagnostics.map((d) => d.code).sort();
    expect(codes(compile(text, options))).toEqual(["OQ217", "OQ235"]);
    expect(codes(compile(once, options))).toEqual(["OQ217", "OQ235"]);
  });

  it("decompile to a query that compiles to the same payload", () => {
    fc.assert(
      fc.property(queryArb, (text) => {
        const result = compile(text, options);
        if (!result.ok) return;
        const back = decompile(result.payload, { fields: options.fields });
        expect(back.problems).toEqual([]);
        expect(back.warnings).toEqual([]);
        expect(compile(back.source!, options).payload).toEqual(result.payload);
      }),
      { numRuns: runs },
    );
  });
});
