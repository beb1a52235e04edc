import type { IToken } from "chevrotain";
import { DiagnosticCollector } from "../diagnostics/diagnostic.js";
import { SourceText } from "../diagnostics/source.js";
import { defaultLimits } from "../language/limits.js";
import { lex } from "../lexer/lexer.js";
import { symbolSpellings, type SymbolName } from "../lexer/tokenPatterns.js";
import { grammar } from "./grammar.js";

/*
 * The one bridge between completion (src/assist/completion.ts) and chevrotain: what the grammar
 * says may come after a piece of text. Completion knows the words; this file knows the parser.
 */

/** A token that may come next, and the grammar rule that would consume it. */
export interface NextToken {
  /** The token's name, as in lexer/tokens.ts and language/keywords.ts: "And", "Identifier", ... */
  kind: string;
  /** The innermost rule: "field" where a field name may come, "usersClause", "comparisonTail", ... */
  rule: string;
  /** The token's one spelling, for punctuation and operators (`>=`, `(`); keywords have theirs in language/keywords.ts. */
  spelling?: string;
}

interface ContentAssist {
  next: NextToken[];
  /** The tokens of the text (as `tokensOf`). */
  tokens: Token[];
}

/**
 * The tokens that may follow `text` (the text before the cursor, up to the word being typed),
 * as chevrotain's content assist computes them from the grammar itself.
 */
export function nextTokenKinds(text: string): ContentAssist {
  const tokens = lexed(text);
  const seen = new Set<string>();
  const next: NextToken[] = [];
  for (const path of grammar.computeContentAssist("query", tokens)) {
    const kind = path.nextTokenType.name;
    const rule = path.ruleStack.at(-1) ?? "query";
    const key = `${kind} ${rule}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const spelling = kind in symbolSpellings ? symbolSpellings[kind as SymbolName] : undefined;
    next.push(spelling === undefined ? { kind, rule } : { kind, rule, spelling });
  }
  return { next, tokens: tokens.map(described) };
}

/** The tokens of a text, by name, spelling and offset (comments left out): for colouring. */
export function tokensOf(text: string): Token[] {
  return lexed(text).map(described);
}

interface Token {
  kind: string;
  text: string;
  start: number;
}

function lexed(text: string): IToken[] {
  // The text is usually unfinished: its diagnostics are of no interest here.
  const result = lex(new SourceText(text), new DiagnosticCollector(), defaultLimits);
  return result.aborted ? [] : result.tokens;
}

function described(token: IToken): Token {
  return { kind: token.tokenType.name, text: token.image, start: token.startOffset };
}
