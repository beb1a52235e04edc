import type { CstNode, IRecognitionException, IToken } from "chevrotain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain JavaScript script, without types
import { grammarTables } from "../scripts/grammarTables.mjs";
import { DiagnosticCollector } from "../src/diagnostics/diagnostic.js";
import { SourceText } from "../src/diagnostics/source.js";
import { keywordSpellings } from "../src/language/keywords.js";
import { defaultLimits } from "../src/language/limits.js";
import { lex } from "../src/lexer/lexer.js";
import { symbolSpellings } from "../src/lexer/tokenPatterns.js";
import * as t from "../src/lexer/tokens.js";
import { OqGrammar } from "../src/parser/grammar.js";
import { grammarTablesJson, type GrammarTables } from "../src/parser/grammarTables.generated.js";
import { nextPossibleTokenTypes, type Production } from "../src/parser/productions.js";
import { recognize, TooManySyntaxErrors } from "../src/parser/recognizer.js";
import { mutatedQueryArb, queryArb } from "./support/arbitraries.js";
import { goldenCases } from "./support/golden.js";
import { oqWords } from "./support/oqWords.js";

/*
 * The command parses with oq's recognizer; chevrotain's parser, built from the same grammar, is
 * the reference it is held to: the same concrete syntax tree (recovered nodes and tokens inserted
 * in recovery included) and the same syntax errors (kind, token, previous token, the tokens
 * skipped, the rules being parsed, what was expected), for the goldens and for generated token
 * sequences, valid, a few edits away from valid, and random.
 */

const runs = Number(process.env["OQ_PROPERTY_RUNS"] ?? 300);
const chevrotain = new OqGrammar();
const { rules, lookahead, resyncFollows } = JSON.parse(grammarTablesJson) as GrammarTables;

const tokenName = (token: IToken) =>
  token.tokenType.name === "EOF"
    ? "EOF"
    : `${token.tokenType.name}@${token.startOffset}${token.isInsertedInRecovery ? "+" : ""}`;

function treeOf(node: CstNode | undefined): unknown {
  if (!node) return undefined;
  return {
    name: node.name,
    recovered: node.recoveredNode === true,
    children: Object.fromEntries(
      Object.keys(node.children)
        .sort()
        .map((key) => [
          key,
          node.children[key]!.map((child) =>
            "children" in child ? treeOf(child) : tokenName(child as IToken),
          ),
        ]),
    ),
  };
}

function errorOf(error: IRecognitionException & { previousToken?: IToken }, info: unknown) {
  return {
    name: error.name,
    token: tokenName(error.token),
    previous: error.previousToken && tokenName(error.previousToken),
    resynced: error.resyncedTokens.map(tokenName),
    ruleStack: error.context.ruleStack,
    occurrences: error.context.ruleOccurrenceStack,
    info,
  };
}

function byChevrotain(tokens: IToken[], budget: number) {
  chevrotain.input = [...tokens];
  chevrotain.errorBudget = budget;
  let cst: CstNode | undefined;
  try {
    cst = chevrotain.query();
  } catch (error) {
    if (!(error instanceof TooManySyntaxErrors)) throw error;
  }
  return {
    tree: treeOf(cst),
    errors: chevrotain.errors.map((error) => errorOf(error, chevrotain.detailsOf(error))),
  };
}

function byRecognizer(tokens: IToken[], budget: number) {
  const { cst, errors } = recognize([...tokens], budget);
  return { tree: treeOf(cst), errors: errors.map((error) => errorOf(error, error.info)) };
}

/** Both parsers on `tokens`: the same tree and errors. Gives the number of errors. */
function expectSameParse(tokens: IToken[], budget = defaultLimits.maxDiagnostics): number {
  const expected = byChevrotain(tokens, budget);
  expect(byRecognizer(tokens, budget), tokens.map(tokenName).join(" ")).toEqual(expected);
  return expected.errors.length;
}

/** The rule calls or the terminals of a rule's productions, nested ones included, in order. */
function productionsOf(
  sequence: readonly Production[],
  type: "Terminal" | "NonTerminal",
): { name: string; idx: number }[] {
  return sequence.flatMap((production) =>
    production.type === type
      ? [production]
      : "definition" in production
        ? productionsOf(production.definition, type)
        : [],
  );
}

const tokensOf = (text: string) =>
  lex(new SourceText(text), new DiagnosticCollector(), { ...defaultLimits, maxDiagnostics: 1000 }).tokens;

const languageWords = [
  ...new Set([...Object.values(keywordSpellings).flat(), ...Object.values(symbolSpellings), ...oqWords]),
];

/** The token types a parse can meet (the lexer's others are read as one of these, or dropped). */
const parsedTypes = t.allTokens.filter((type) => type.GROUP === undefined);

describe("the recognizer parses as chevrotain's parser does", () => {
  it("with the grammar's tables as chevrotain works them out now (after a grammar change, run npm run cst:update)", () => {
    expect({ rules, lookahead, resyncFollows }).toEqual(grammarTables(chevrotain));
  });

  it("on every golden query", () => {
    let withErrors = 0;
    for (const { text } of [...goldenCases("valid"), ...goldenCases("invalid")])
      if (expectSameParse(tokensOf(text)) > 0) withErrors++;
    // Not vacuous: many goldens have syntax errors.
    expect(withErrors).toBeGreaterThan(50);
  });

  it("on generated valid queries, and on mutations of them", () => {
    fc.assert(
      fc.property(fc.oneof(queryArb, mutatedQueryArb(queryArb, languageWords)), (text) => {
        expectSameParse(tokensOf(text));
      }),
      { numRuns: runs * 3 },
    );
  });

  it("on random sequences of the grammar's tokens, with and without a small error budget", () => {
    const tokenArb = fc.array(fc.constantFrom(...parsedTypes), { maxLength: 30 }).map((types) =>
      types.map((tokenType, at): IToken => ({
        image: tokenType.name,
        startOffset: at * 100,
        endOffset: at * 100 + tokenType.name.length - 1,
        tokenType,
        tokenTypeIdx: tokenType.tokenTypeIdx!,
      })),
    );
    let errors = 0;
    fc.assert(
      fc.property(tokenArb, fc.constantFrom(1, 2, 3, 100), (tokens, budget) => {
        errors += expectSameParse(tokens, budget);
      }),
      { numRuns: runs * 10 },
    );
    expect(errors).toBeGreaterThan(runs);
  });

  it("answers which tokens can follow a token as chevrotain's walker does, through nested rules", () => {
    // Each CONSUME of each rule, reached through a chain of rule calls found in the grammar.
    const paths: { ruleStack: string[]; occurrenceStack: number[] }[] = [
      { ruleStack: ["query"], occurrenceStack: [0] },
    ];
    for (let i = 0; i < paths.length && paths.length < 400; i++) {
      const { ruleStack, occurrenceStack } = paths[i]!;
      for (const call of productionsOf(rules[ruleStack.at(-1)!]!, "NonTerminal"))
        if (ruleStack.length < 8)
          paths.push({
            ruleStack: [...ruleStack, call.name],
            occurrenceStack: [...occurrenceStack, call.idx],
          });
    }
    let compared = 0;
    for (const { ruleStack, occurrenceStack } of paths) {
      for (const terminal of productionsOf(rules[ruleStack.at(-1)!]!, "Terminal")) {
        const lastTok = t.allTokens.find((type) => type.name === terminal.name)!;
        const theirs = (
          chevrotain as unknown as { getNextPossibleTokenTypes(path: object): { name: string }[] }
        )
          .getNextPossibleTokenTypes({
            ruleStack,
            occurrenceStack,
            lastTok,
            lastTokOccurrence: terminal.idx,
          })
          .map((type) => type.name);
        const ours = nextPossibleTokenTypes(rules, ruleStack, occurrenceStack, terminal.name, terminal.idx);
        expect(ours, `${ruleStack.join(" > ")}: after ${terminal.name}${terminal.idx}`).toEqual(theirs);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(500);
  });
});
