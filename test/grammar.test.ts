import { Lexer } from "chevrotain";
import { describe, expect, it } from "vitest";
import { allTokens } from "../src/lexer/tokens.js";
import { OqGrammar } from "../src/parser/grammar.js";

// The command skips chevrotain's self-checks at start-up; they run here instead.
describe("the grammar and token set pass chevrotain's own checks", () => {
  it("has no ambiguous alternatives, left recursion or other definition errors", () => {
    expect(() => new OqGrammar({ validate: true })).not.toThrow();
  });

  it("has a valid token set", () => {
    const lexer = new Lexer(allTokens, { positionTracking: "full" });
    expect(lexer.lexerDefinitionErrors).toEqual([]);
  });
});
