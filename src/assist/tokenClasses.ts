import { keywordSpellings } from "../language/keywords.js";
import { symbolSpellings } from "../lexer/tokenPatterns.js";
import { tokensOf } from "../parser/contentAssist.js";

/*
 * What each of the lexer's tokens is, for colouring: the REPL's line, the language server's
 * semantic tokens, and the TextMate grammar's scopes (scripts/tmLanguage.mjs), which a test
 * holds to these classes.
 */

export type TokenClass = "keyword" | "field" | "parameter" | "string" | "value" | "operator";

/** The class of a token of lexer/tokens.ts, by name; punctuation and unknown tokens have none. */
function tokenClassOf(kind: string): TokenClass | undefined {
  if (kind in keywordSpellings) return kind === "DayWord" ? "value" : "keyword";
  if (kind === "Identifier" || kind === "QuotedIdentifier") return "field";
  if (kind === "Parameter") return "parameter";
  if (kind.endsWith("String") || kind === "StringLiteral") return "string";
  if (
    kind === "NumberLiteral" ||
    kind === "DateLiteral" ||
    kind === "DurationLiteral" ||
    kind === "ExponentNumber"
  )
    return "value";
  if (kind in symbolSpellings && !punctuation.has(kind)) return "operator";
  return undefined;
}

const punctuation = new Set(["LParen", "RParen", "LBracket", "RBracket", "Comma", "Star"]);

interface ClassifiedToken {
  /** UTF-16 offset of the token's first character. */
  start: number;
  /** In UTF-16 code units, as written in the text. */
  length: number;
  tokenClass: TokenClass;
}

/**
 * The classified tokens of a text, in order (comments left out). A token the lexer rewrote (a
 * Unicode name read as its ASCII spelling) is left out: its text is not the text written.
 */
export function classifyTokens(text: string): ClassifiedToken[] {
  const classified: ClassifiedToken[] = [];
  for (const token of tokensOf(text)) {
    const tokenClass = tokenClassOf(token.kind);
    if (tokenClass === undefined || text.slice(token.start, token.start + token.text.length) !== token.text)
      continue;
    classified.push({ start: token.start, length: token.text.length, tokenClass });
  }
  return classified;
}
