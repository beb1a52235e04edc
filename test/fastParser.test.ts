import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DiagnosticCollector } from "../src/diagnostics/diagnostic.js";
import { SourceText } from "../src/diagnostics/source.js";
import { durationUnitOf } from "../src/language/calendarWords.js";
import { keywordSpellings } from "../src/language/keywords.js";
import { defaultLimits } from "../src/language/limits.js";
import { lex } from "../src/lexer/lexer.js";
import { symbolSpellings } from "../src/lexer/tokenPatterns.js";
import { fastParse } from "../src/parser/fastParser.js";
import { recoveringParse } from "../src/parser/recoveringParser.js";
import { mutatedQueryArb, queryArb } from "./support/arbitraries.js";
import { goldenCases } from "./support/golden.js";
import { grammarOperators } from "./support/grammarOperators.js";
import { oqWords } from "./support/oqWords.js";

/*
 * The two parsers must agree, both ways. Whatever the fast parser accepts, the recovering
 * parser accepts with no diagnostic and reads as the very same tree (spans included): the fast
 * path never lets a mistake through, nor reads a query differently. And whatever the
 * recovering parser reads without a word, the fast parser reads too, as the same tree: it
 * falls back only on mistakes and on the few spellings it declines on purpose (below), or it
 * would not be the fast path, and a construct added to the grammar alone would go unnoticed.
 */

const runs = Number(process.env["OQ_PROPERTY_RUNS"] ?? 300);

/**
 * Every spelling of the language (so that a new keyword or operator is generated with no list
 * to update), and oqWords' values and near-misses.
 */
const languageWords = [
  ...new Set([...Object.values(keywordSpellings).flat(), ...Object.values(symbolSpellings), ...oqWords]),
];

const valueTokens = new Set(["NumberLiteral", "DateLiteral", "DurationLiteral"]);

/**
 * What the recovering parser reads without a word but the fast parser leaves to it on purpose,
 * because the lexer reads it in a way a query without mistakes never needs: a value glued to
 * the word after it (`2024-01-31and`, `1.5and`), and a number and an unknown unit before `ago`
 * (`3 wk ago`, a duration the checker then refuses).
 */
function declinedOnPurpose(text: string): boolean {
  const { tokens } = lex(new SourceText(text), new DiagnosticCollector(), defaultLimits);
  return tokens.some((token) => {
    if (!valueTokens.has(token.tokenType.name)) return false;
    const glued = /[A-Za-z0-9_.]/.test(text[token.startOffset + token.image.length] ?? "");
    const [, unit] = token.image.split(/\s+/);
    return glued || (unit !== undefined && durationUnitOf(unit) === undefined);
  });
}

interface Agreement {
  fastAccepts: boolean;
  recoveringAccepts: boolean;
}

/** Both parsers on `text`, held to agree both ways; which of them accepted it. */
function expectAgreement(text: string): Agreement {
  const source = new SourceText(text, "q.oq");
  const diagnostics = new DiagnosticCollector();
  const fast = fastParse(source, defaultLimits);
  const recovering = recoveringParse(source, diagnostics, defaultLimits);
  const recoveringAccepts = diagnostics.diagnostics.length === 0;
  if (fast !== undefined) {
    expect(diagnostics.diagnostics, `the fast parser accepted a mistake: ${text}`).toEqual([]);
    expect(fast, text).toStrictEqual(recovering);
  } else if (recoveringAccepts) {
    expect(declinedOnPurpose(text), `the fast parser declined a query without mistakes: ${text}`).toBe(true);
  }
  return { fastAccepts: fast !== undefined, recoveringAccepts };
}

/** Counts of what each parser accepted over a run, to show the property was not vacuous. */
function tally() {
  const counts = { fast: 0, recovering: 0 };
  return {
    counts,
    add({ fastAccepts, recoveringAccepts }: Agreement) {
      if (fastAccepts) counts.fast++;
      if (recoveringAccepts) counts.recovering++;
    },
  };
}

describe("the fast parser and the recovering parser agree both ways", () => {
  it("on every golden query, and both read every valid one", () => {
    for (const { text } of goldenCases("valid")) {
      expect(expectAgreement(text), text).toEqual({ fastAccepts: true, recoveringAccepts: true });
    }
    for (const { text } of goldenCases("invalid")) expectAgreement(text);
  });

  it("on generated valid queries, both reading them all", () => {
    fc.assert(
      fc.property(queryArb, (text) => {
        expect(expectAgreement(text), text).toEqual({ fastAccepts: true, recoveringAccepts: true });
      }),
      { numRuns: runs },
    );
  });

  it("on words next to every printable ASCII character, and on every keyword in upper, lower and mixed case", () => {
    // The fast parser reads words by character codes, not with the lexer's pattern.
    for (let code = 33; code < 127; code++) {
      const char = String.fromCharCode(code);
      for (const text of [`ab${char}c > 1`, `${char}ab > 1`, `ab > 1 and c${char} = 2`])
        expectAgreement(text);
    }
    for (const word of Object.values(keywordSpellings).flat()) {
      const capitalized = word[0]!.toUpperCase() + word.slice(1);
      for (const spelling of [word, word.toUpperCase(), capitalized])
        for (const text of [
          `opens > 1 ${spelling} clicks > 2`,
          `${spelling} > 1`,
          `opens > 1 select ${spelling}`,
        ])
          expectAgreement(text);
    }
  });

  it("on every operator of the grammar, in every way it is written, both reading it", () => {
    const operandForms = ["", ' "a"', ' "a" case sensitive', ' ["a", "b"]', " 1 and 2"];
    for (const words of grammarOperators()) {
      const texts = operandForms.map((operands) => `email ${words.join(" ")}${operands}`);
      const readable = texts.filter((text) => expectAgreement(text).recoveringAccepts);
      expect(readable, words.join(" ")).not.toEqual([]);
      for (const text of readable) expect(expectAgreement(text).fastAccepts, text).toBe(true);
    }
  });

  it("on arbitrary sequences of the language's words, whichever accepts one", () => {
    const seen = tally();
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...languageWords), { maxLength: 14 }),
        fc.constantFrom(" ", "", "\n", "  "),
        (words, glue) => seen.add(expectAgreement(words.join(glue))),
      ),
      { numRuns: runs * 10 },
    );
    expect(seen.counts.fast).toBeGreaterThan(0);
  });

  it("on mutations of the valid golden queries, whichever accepts one", () => {
    const seen = tally();
    fc.assert(
      fc.property(
        mutatedQueryArb(
          goldenCases("valid").map((c) => c.text),
          languageWords,
        ),
        (text) => seen.add(expectAgreement(text)),
      ),
      { numRuns: runs * 10 },
    );
    // Many mutations stay valid: the agreement is tested on thousands of near-miss queries.
    expect(seen.counts.fast).toBeGreaterThan(runs);
  });

  it("on mutations of generated valid queries, whichever accepts one", () => {
    const seen = tally();
    fc.assert(
      fc.property(mutatedQueryArb(queryArb, languageWords), (text) => seen.add(expectAgreement(text))),
      { numRuns: runs * 3 },
    );
    expect(seen.counts.fast).toBeGreaterThan(runs / 4);
  });

  it("declines on purpose only what the recovering parser then reads the same way", () => {
    for (const text of [
      "last_open_date >= 2024-01-01and opens > 1",
      "opens = 1.5and clicks = 2",
      "last_open_date < 3 wk ago",
    ]) {
      expect(declinedOnPurpose(text), text).toBe(true);
      expect(expectAgreement(text), text).toEqual({ fastAccepts: false, recoveringAccepts: true });
    }
    expect(declinedOnPurpose("last_open_date < 3 weeks ago and opens > 1.5")).toBe(false);
  });

  it("leaves nesting past the limit, long text and many tokens to the recovering parser", () => {
    const nested = (depth: number) => `${"not (".repeat(depth / 2)}opens > 1${")".repeat(depth / 2)}`;
    expect(fastParse(new SourceText(nested(defaultLimits.maxDepth + 2)), defaultLimits)).toBeUndefined();
    // Up to the limit both count nesting alike, so the fast path reads what the recovering parser accepts.
    expect(expectAgreement(nested(defaultLimits.maxDepth)).fastAccepts).toBe(true);
    expect(
      fastParse(new SourceText("opens > 1 and opens > 2"), { ...defaultLimits, maxTokens: 5 }),
    ).toBeUndefined();
    expect(fastParse(new SourceText("opens > 1"), { ...defaultLimits, maxSourceLength: 5 })).toBeUndefined();
  });
});
