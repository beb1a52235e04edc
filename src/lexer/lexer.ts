import { Lexer, type IToken, type TokenType } from "chevrotain";
import type { DiagnosticCollector } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../diagnostics/source.js";
import type { Limits } from "../limits.js";
import { decodeStringBody } from "./strings.js";
import * as t from "./tokens.js";

/** Built once: chevrotain analyses the token set when the lexer is constructed. */
const chevrotainLexer = new Lexer(t.allTokens, {
  positionTracking: "full",
  // The token set is fixed and covered by tests; validating it at every start-up costs ~10 ms.
  skipValidations: true,
});

export interface LexResult {
  tokens: IToken[];
  comments: IToken[];
  /** A limit was exceeded: the tokens are not to be parsed. */
  aborted: boolean;
}

/**
 * Splits source text into tokens. Spellings borrowed from other languages (`==`, `&&`,
 * 'single quotes', a missing closing quote) are reported and then read as what they meant, so
 * that the parser can go on and report the rest of the file.
 */
export function lex(source: SourceText, diagnostics: DiagnosticCollector, limits: Limits): LexResult {
  if (source.text.length > limits.maxSourceLength) {
    diagnostics.error(
      "OQ001",
      `this query is ${source.text.length} characters long, more than the limit of ${limits.maxSourceLength}`,
      source.spanOf(limits.maxSourceLength, limits.maxSourceLength + 1),
      { hints: ["split it into smaller queries, or raise `limits.maxSourceLength`"] },
    );
    return { tokens: [], comments: [], aborted: true };
  }

  const result = chevrotainLexer.tokenize(source.text);
  for (const error of result.errors) reportUnknownCharacters(source, error.offset, error.length, diagnostics);
  for (const token of result.tokens) normalizeToken(token, source, diagnostics);

  if (result.tokens.length > limits.maxTokens) {
    const first = result.tokens[limits.maxTokens]!;
    diagnostics.error(
      "OQ002",
      `this query has ${result.tokens.length} tokens, more than the limit of ${limits.maxTokens}`,
      source.spanOf(first.startOffset, first.startOffset + first.image.length),
      { hints: ["split it into smaller queries, or raise `limits.maxTokens`"] },
    );
    return { tokens: [], comments: [], aborted: true };
  }
  return { tokens: result.tokens, comments: result.groups["comments"] ?? [], aborted: false };
}

function reportUnknownCharacters(source: SourceText, offset: number, length: number, diagnostics: DiagnosticCollector): void {
  const text = source.text.slice(offset, offset + length);
  const hints: string[] = [];
  if (text.startsWith(";")) hints.push("a file holds one query and needs no ';': remove it");
  else if (text.startsWith("-")) hints.push("negative numbers are written -5; a date is written 2024-01-31");
  else hints.push("text values go in double quotes, e.g. \"gmail.com\"; fields whose names have unusual characters go in backquotes, e.g. `my-field`");
  diagnostics.error("OQ003", `unexpected character${text.length > 1 ? "s" : ""} '${text}'`, source.spanOf(offset, offset + length), {
    label: "not part of the oq language",
    hints,
  });
}

const foreignOperators: Record<string, { token: TokenType; spelling: string }> = {
  "==": { token: t.Equals, spelling: "=" },
  "&&": { token: t.And, spelling: "and" },
  "||": { token: t.Or, spelling: "or" },
  "<>": { token: t.NotEquals, spelling: "!=" },
  "!": { token: t.Not, spelling: "not" },
};

function retype(token: IToken, type: TokenType): void {
  token.tokenType = type;
  token.tokenTypeIdx = type.tokenTypeIdx!;
}

function spanOfToken(source: SourceText, token: IToken) {
  return source.spanOf(token.startOffset, token.startOffset + token.image.length);
}

function normalizeToken(token: IToken, source: SourceText, diagnostics: DiagnosticCollector): void {
  switch (token.tokenType) {
    case t.StringLiteral:
      token.payload = decodeString(token.image.slice(1, -1), token.startOffset + 1, source, diagnostics);
      return;
    case t.UnterminatedString: {
      const body = token.image.slice(1);
      diagnostics.error("OQ004", "this text has no closing '\"'", spanOfToken(source, token), {
        label: "starts here",
        suggestions: [{ message: `close it: ${token.image}"`, span: spanOfToken(source, token), replacement: `${token.image}"` }],
      });
      token.payload = decodeString(body.replace(/\\$/, ""), token.startOffset + 1, source, diagnostics);
      retype(token, t.StringLiteral);
      return;
    }
    case t.SingleQuotedString: {
      const body = token.image.endsWith("'") && token.image.length > 1 ? token.image.slice(1, -1) : token.image.slice(1);
      const quoted = JSON.stringify(body);
      diagnostics.error("OQ005", "text goes in double quotes", spanOfToken(source, token), {
        suggestions: [{ message: `write ${quoted}`, span: spanOfToken(source, token), replacement: quoted }],
      });
      token.payload = body;
      retype(token, t.StringLiteral);
      return;
    }
    case t.ForeignOperator: {
      const meant = foreignOperators[token.image]!;
      diagnostics.error("OQ006", `oq writes '${meant.spelling}', not '${token.image}'`, spanOfToken(source, token), {
        suggestions: [{ message: `write '${meant.spelling}'`, span: spanOfToken(source, token), replacement: meant.spelling }],
      });
      retype(token, meant.token);
      return;
    }
    case t.QuotedIdentifier: {
      token.payload = token.image.slice(1, -1);
      if (token.payload === "") {
        diagnostics.error("OQ007", "a field name in backquotes cannot be empty", spanOfToken(source, token), {
          hints: ["write the field's name between the backquotes, e.g. `first_name`"],
        });
      }
      return;
    }
    case t.Identifier:
      token.payload = token.image;
      return;
  }
}

function decodeString(body: string, bodyOffset: number, source: SourceText, diagnostics: DiagnosticCollector): string {
  const { value, badEscapes, loneSurrogates } = decodeStringBody(body);
  for (const { at, length } of loneSurrogates) {
    diagnostics.error("OQ260", "this is half of a character (a lone UTF-16 surrogate), which no text can hold", source.spanOf(bodyOffset + at, bodyOffset + at + length), {
      hints: ["a character beyond \\uFFFF is written as itself (\"😀\") or as a pair of escapes (\"\\ud83d\\ude00\")"],
    });
  }
  for (const at of badEscapes) {
    const next = body[at + 1];
    const span = source.spanOf(bodyOffset + at, bodyOffset + at + (next === undefined ? 1 : 2));
    diagnostics.error("OQ008", `unknown escape '\\${next ?? ""}' in text`, span, {
      hints: ['the escapes are JSON\'s: \\" \\\\ \\/ \\n \\t \\r \\b \\f and \\uXXXX; write \\\\ for a backslash'],
    });
  }
  return value;
}
