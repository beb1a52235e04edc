import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DiagnosticCollector } from "../src/diagnostics/diagnostic.js";
import { SourceText } from "../src/diagnostics/source.js";
import { defaultLimits } from "../src/language/limits.js";
import { fastParse } from "../src/parser/fastParser.js";
import { recoveringParse } from "../src/parser/recoveringParser.js";
import { mutatedQueryArb, queryArb } from "./support/arbitraries.js";
import { goldenCases } from "./support/golden.js";
import { oqWords } from "./support/oqWords.js";

/*
 * The fast parser must never disagree with the chevrotain parser: whatever it accepts, chevrotain
 * accepts with no diagnostic and reads as the very same tree (spans included). And it must
 * accept the queries users write, or it would not be the fast path.
 */

const runs = Number(process.env["OQ_PROPERTY_RUNS"] ?? 300);

function both(text: string) {
  const source = new SourceText(text, "q.oq");
  const diagnostics = new DiagnosticCollector();
  return {
    fast: fastParse(source, defaultLimits),
    full: recoveringParse(source, diagnostics, defaultLimits),
    diagnostics: diagnostics.diagnostics,
  };
}

function expectAgreement(text: string): boolean {
  const { fast, full, diagnostics } = both(text);
  if (fast === undefined) return false;
  expect(diagnostics, text).toEqual([]);
  expect(fast, text).toStrictEqual(full);
  return true;
}

describe("the fast parser agrees with the chevrotain parser", () => {
  it("on every golden query, and reads every valid one", () => {
    for (const { text } of goldenCases("valid")) expect(expectAgreement(text), text).toBe(true);
    for (const { text } of goldenCases("invalid")) expectAgreement(text);
  });

  it("on generated valid queries, reading them all", () => {
    fc.assert(
      fc.property(queryArb, (text) => {
        expect(expectAgreement(text), text).toBe(true);
      }),
      { numRuns: runs },
    );
  });

  it("on arbitrary sequences of oq words, wherever it accepts one", () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...oqWords), { maxLength: 14 }),
        fc.constantFrom(" ", "", "\n", "  "),
        (words, glue) => {
          if (expectAgreement(words.join(glue))) accepted++;
        },
      ),
      { numRuns: runs * 10 },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it("on mutations of the valid golden queries, wherever it accepts one", () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        mutatedQueryArb(
          goldenCases("valid").map((c) => c.text),
          oqWords,
        ),
        (text) => {
          if (expectAgreement(text)) accepted++;
        },
      ),
      { numRuns: runs * 10 },
    );
    // Many mutations stay valid: the agreement is tested on thousands of near-miss queries.
    expect(accepted).toBeGreaterThan(runs);
  });

  it("leaves nesting past the limit, long text and many tokens to the recovering parser", () => {
    const nested = (depth: number) => `${"not (".repeat(depth / 2)}opens > 1${")".repeat(depth / 2)}`;
    expect(fastParse(new SourceText(nested(defaultLimits.maxDepth + 2)), defaultLimits)).toBeUndefined();
    // Up to the limit both count nesting alike, so the fast path reads what the recovering parser accepts.
    expect(expectAgreement(nested(defaultLimits.maxDepth))).toBe(true);
    expect(
      fastParse(new SourceText("opens > 1 and opens > 2"), { ...defaultLimits, maxTokens: 5 }),
    ).toBeUndefined();
    expect(fastParse(new SourceText("opens > 1"), { ...defaultLimits, maxSourceLength: 5 })).toBeUndefined();
  });
});
