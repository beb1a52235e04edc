import type { Span } from "../diagnostics/source.js";

/**
 * A text already split into tokens, by the fast parser's scanner (parser/fastParser.ts), handed
 * to the lexer so that a query with a mistake is not read twice: each token by the name of its
 * token type (tokens.ts), the last one `End`, and the comments. scanner.test.ts holds it to what
 * the scanner reads of the same text.
 */
export interface ScannedText {
  tokens: readonly { kind: string; start: number; end: number }[];
  comments: readonly { span: Span }[];
}
