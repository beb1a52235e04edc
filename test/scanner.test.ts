import { Lexer, type ILexingError, type IToken } from "chevrotain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DiagnosticCollector } from "../src/diagnostics/diagnostic.js";
import { SourceText } from "../src/diagnostics/source.js";
import { keywordSpellings } from "../src/language/keywords.js";
import { defaultLimits } from "../src/language/limits.js";
import { lex } from "../src/lexer/lexer.js";
import type { ScannedText } from "../src/lexer/scannedText.js";
import { Scanner } from "../src/lexer/scanner.js";
import { symbolSpellings } from "../src/lexer/tokenPatterns.js";
import { allTokens } from "../src/lexer/tokens.js";
import { skippedGroup } from "../src/lexer/tokenType.js";
import { fastRead } from "../src/parser/fastParser.js";
import { mutatedQueryArb, queryArb } from "./support/arbitraries.js";
import { goldenCases } from "./support/golden.js";
import { oqWords } from "./support/oqWords.js";

/*
 * The command lexes with oq's scanner; chevrotain's lexer, built from the same token types, is
 * the reference it is held to: the same tokens, comments and errors, for the goldens and for
 * generated texts, valid queries, queries a few edits away, and runs of odd characters.
 */

const runs = Number(process.env["OQ_PROPERTY_RUNS"] ?? 300);
const chevrotain = new Lexer(allTokens, { positionTracking: "full" });
const scanner = new Scanner(allTokens);

const tokensOf = (tokens: IToken[]) =>
  tokens.map((token) => [token.tokenType.name, token.image, token.startOffset, token.endOffset]);
const errorsOf = (errors: ILexingError[]) => errors.map((error) => [error.offset, error.length]);

function expectSameTokens(text: string): number {
  const expected = chevrotain.tokenize(text);
  const ours = scanner.scan(text);
  expect(
    {
      tokens: tokensOf(ours.tokens),
      comments: tokensOf(ours.groups["comments"]!),
      errors: errorsOf(ours.errors),
    },
    JSON.stringify(text),
  ).toEqual({
    tokens: tokensOf(expected.tokens),
    comments: tokensOf(expected.groups["comments"]!),
    errors: errorsOf(expected.errors),
  });
  return expected.errors.length;
}

const languageWords = [
  ...new Set([...Object.values(keywordSpellings).flat(), ...Object.values(symbolSpellings), ...oqWords]),
];

/** Characters the token patterns care about, and some they do not know. */
const oddCharacters = [
  ..."aZ_09.-+:$`\"'#/\\ \t\r\n=!<>&|,;()[]*@%^~?{}é€≥≤≠‘’“”«»\u00a0\ufeff\u200b",
  "\ud83d\ude00",
];

/** Generated queries, mutations of them with `words`, and `words` run together. */
const queriesAndWords = (words: string[]) =>
  fc.oneof(
    queryArb,
    mutatedQueryArb(queryArb, words),
    fc.array(fc.constantFrom(...words, " ", "", "\n"), { maxLength: 12 }).map((parts) => parts.join("")),
  );

describe("the scanner reads as chevrotain's lexer does", () => {
  it("uses chevrotain's own value for the skipped group", () => {
    expect(skippedGroup).toBe(Lexer.SKIPPED);
  });

  it("on every golden query", () => {
    let withErrors = 0;
    for (const { text } of [...goldenCases("valid"), ...goldenCases("invalid")])
      if (expectSameTokens(text) > 0) withErrors++;
    expect(withErrors).toBeGreaterThan(5);
  });

  it("on generated queries, mutations of them, and words run together", () => {
    fc.assert(
      fc.property(queriesAndWords(languageWords), (text) => {
        expectSameTokens(text);
      }),
      { numRuns: runs * 3 },
    );
  });

  it("on runs of odd characters", () => {
    let errors = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...oddCharacters), { maxLength: 40 }), (characters) => {
        errors += expectSameTokens(characters.join(""));
      }),
      { numRuns: runs * 10 },
    );
    expect(errors).toBeGreaterThan(runs);
  });
});

/*
 * A query the fast parser gives up on reaches the lexer with the fast scanner's tokens when it
 * scanned all of it (fastParser.ts, fastRead), and the lexer does not read the text again: those
 * tokens must be the very ones the lexer reads itself, and lead to the same diagnostics.
 */

function lexed(text: string, scanned?: ScannedText) {
  const diagnostics = new DiagnosticCollector();
  const { tokens, comments, aborted } = lex(
    new SourceText(text, "q.oq"),
    diagnostics,
    defaultLimits,
    scanned,
  );
  return {
    tokens: tokens.map((token) => [...tokensOf([token])[0]!, token.payload]),
    comments: tokensOf(comments),
    aborted,
    diagnostics: diagnostics.diagnostics,
  };
}

/** Whether the fast scanner hands `text` over; when it does, held to the lexer's own reading. */
function expectSameHandover(text: string): boolean {
  const { query, scanned } = fastRead(new SourceText(text, "q.oq"), defaultLimits);
  if (query) expect(scanned).toBeUndefined();
  if (!scanned) return false;
  expect(lexed(text, scanned), JSON.stringify(text)).toEqual(lexed(text));
  return true;
}

/**
 * What the lexer reads as one token where the fast scanner reads several: dates as people write
 * them (ForeignDate) and numbers in exponent notation (ExponentNumber; `1e-5` was handed over as
 * the duration `1e` and the number `-5`, and reported as those: cold test).
 */
const readAsOne = [
  "1 Nov 2026",
  "Nov 1, 2026",
  "1st Nov 2026",
  "2026-10",
  "nov. 3 2026",
  "11/01/2026",
  "01.11.2026",
  "1e-5",
  "2E-3",
  "12e-10",
];

describe("the fast scanner's tokens, handed to the lexer, are the ones it reads", () => {
  it("on every golden query it gives up on", () => {
    let handed = 0;
    for (const { text } of [...goldenCases("valid"), ...goldenCases("invalid")])
      if (expectSameHandover(text)) handed++;
    expect(handed).toBeGreaterThan(20);
  });

  it("not where the lexer reads as one token what it read as several: a date as people write it, a number in exponent notation", () => {
    for (const written of readAsOne) {
      const text = `last_open_date > ${written} and opens >`;
      expect(fastRead(new SourceText(text), defaultLimits).scanned, text).toBeUndefined();
      // One value, which the lexer reports and reads as what it meant.
      const value = lexed(text).tokens.find(([, image]) => image === written);
      expect(value?.[0], text).toMatch(/^(DateLiteral|NumberLiteral)$/);
    }
  });

  it("on generated queries, mutations of them, and words run together", () => {
    let handed = 0;
    const words = [...languageWords, ...readAsOne, "Nov", "1st", "2026", "1e", "-5", "#", "# note\n"];
    fc.assert(
      fc.property(
        fc.oneof(
          queriesAndWords(words),
          fc.array(fc.constantFrom(...words, " "), { maxLength: 12 }).map((parts) => parts.join(" ")),
        ),
        (text) => {
          if (expectSameHandover(text)) handed++;
        },
      ),
      { numRuns: runs * 3 },
    );
    expect(handed).toBeGreaterThan(runs / 2);
  });
});
