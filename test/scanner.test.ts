import { Lexer, type ILexingError, type IToken } from "chevrotain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keywordSpellings } from "../src/language/keywords.js";
import { Scanner } from "../src/lexer/scanner.js";
import { symbolSpellings } from "../src/lexer/tokenPatterns.js";
import { allTokens } from "../src/lexer/tokens.js";
import { skippedGroup } from "../src/lexer/tokenType.js";
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
      fc.property(
        fc.oneof(
          queryArb,
          mutatedQueryArb(queryArb, languageWords),
          fc
            .array(fc.constantFrom(...languageWords, " ", "", "\n"), { maxLength: 12 })
            .map((words) => words.join("")),
        ),
        (text) => {
          expectSameTokens(text);
        },
      ),
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
