import { readFileSync } from "node:fs";
import { Lexer, type TokenType } from "chevrotain";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain JavaScript script, without types
import { cstTypesPath, cstTypesText } from "../scripts/cstTypes.mjs";
import { parseDate } from "../src/check/time.js";
import { dateSource } from "../src/lexer/tokenPatterns.js";
import { allTokens } from "../src/lexer/tokens.js";
import { OqGrammar } from "../src/parser/grammar.js";
import { compile } from "../src/compile.js";
import { keywordSpellings } from "../src/language/keywords.js";
import { clauseKeywords } from "../src/parser/keywordRoles.js";
import { grammarOperators } from "./support/grammarOperators.js";

// The command skips chevrotain's self-checks at start-up; they run here instead.
describe("the grammar and token set pass chevrotain's own checks", () => {
  it("has no ambiguous alternatives, left recursion or other definition errors", () => {
    expect(() => new OqGrammar({ validate: true })).not.toThrow();
  });

  it("has a valid token set", () => {
    const lexer = new Lexer(allTokens, { positionTracking: "full" });
    expect(lexer.lexerDefinitionErrors).toEqual([]);
  });

  it("says which characters start each token and which tokens hold line breaks, as chevrotain's analysis of the patterns finds", () => {
    const withoutHints = new Map(
      allTokens.map((token) => {
        const copy: TokenType = { ...token };
        delete copy.START_CHARS_HINT;
        delete copy.LINE_BREAKS;
        return [token, copy];
      }),
    );
    for (const copy of withoutHints.values()) {
      if (copy.LONGER_ALT) copy.LONGER_ALT = withoutHints.get(copy.LONGER_ALT as TokenType);
    }
    const options = { positionTracking: "full", ensureOptimizations: true } as const;
    const analysed = analysisOf(new Lexer([...withoutHints.values()], options));
    const hinted = analysisOf(new Lexer(allTokens, options));
    // A string pattern's first character is read as it is; every other token has both hints.
    const leftToAnalysis = allTokens.filter(
      (token) => typeof token.PATTERN !== "string" && !(token.START_CHARS_HINT && "LINE_BREAKS" in token),
    );
    expect(leftToAnalysis.map((token) => token.name)).toEqual([]);
    expect(hinted).toEqual(analysed);
  });
});

/** What chevrotain's lexer worked out (its fields are not in the typings): tokens by first character, and which can hold a line break. */
function analysisOf(lexer: Lexer) {
  const { charCodeToPatternIdxToConfig, patternIdxToConfig, canModeBeOptimized } = lexer as unknown as {
    charCodeToPatternIdxToConfig: Record<string, ({ tokenType: TokenType }[] | undefined)[]>;
    patternIdxToConfig: Record<string, { tokenType: TokenType; canLineTerminator: boolean }[]>;
    canModeBeOptimized: Record<string, boolean>;
  };
  return {
    optimized: canModeBeOptimized["defaultMode"],
    byFirstCharacter: [...charCodeToPatternIdxToConfig["defaultMode"]!].map(
      (configs) => configs?.map((config) => config.tokenType.name) ?? [],
    ),
    lineBreaks: patternIdxToConfig["defaultMode"]!.map((config) => [
      config.tokenType.name,
      config.canLineTerminator,
    ]),
  };
}

describe("the concrete syntax tree's types", () => {
  it("are those of the grammar as it is (after a grammar change, run npm run cst:update)", () => {
    expect(readFileSync(cstTypesPath, "utf8")).toBe(cstTypesText(new OqGrammar()));
  });
});

describe("one date pattern", () => {
  it("the date token and the checker's date parse accept the same text", () => {
    const token = new RegExp(`^(?:${dateSource})$`);
    const samples = [
      "2024-01-31",
      "2024-01-31T10:00",
      "2024-01-31t10:00:00.5Z",
      "2024-01-31T10:00+0300",
      "2024-01-31T10:00:00-03:00",
      "2024-1-31",
      "2024-01-31T10",
      "2024-01-31T10:00:00.Z",
      "24-01-31",
    ];
    for (const text of samples) {
      const parsed = parseDate(text);
      const readAsDate = parsed.ok || !parsed.problem.startsWith("not a date");
      expect(readAsDate, text).toBe(token.test(text));
    }
  });
});

describe("the help after a condition", () => {
  it("names every clause, title and flags included", () => {
    const [diagnostic] = compile("opens > 3 ,").diagnostics;
    expect(diagnostic?.code).toBe("OQ100");
    const help = diagnostic!.hints.join("\n");
    expect(help).toContain('title "TEXT"');
    expect(help).toContain("flags FLAGS");
    for (const name of clauseKeywords) expect(help).toContain(keywordSpellings[name][0]);
  });
});

describe("the words for operators", () => {
  const operatorWords = new Set(
    grammarOperators().flatMap((words) => words.filter((word) => word !== "with")),
  );

  it("the help after a field names every word the grammar's operators are written with", () => {
    const [diagnostic] = compile('email "gmail.com"').diagnostics;
    expect(diagnostic?.code).toBe("OQ102");
    const help = diagnostic!.hints.join("\n");
    for (const word of operatorWords) expect(help, word).toMatch(new RegExp(`(^|[ ,])${word}([ ,]|$)`));
  });

  it("grammar.md's rule for a comparison has every one of them", () => {
    const rule = /^test +=[^;]*;/m.exec(readFileSync(new URL("../grammar.md", import.meta.url), "utf8"))![0];
    for (const word of operatorWords) expect(rule, word).toContain(`"${word}"`);
  });
});
