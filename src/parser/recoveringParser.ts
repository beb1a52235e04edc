import type { IToken } from "chevrotain";
import { EOF } from "../lexer/tokenType.js";
import type { DiagnosticCollector } from "../diagnostics/diagnostic.js";
import type { SourceText, Span } from "../diagnostics/source.js";
import { lex } from "../lexer/lexer.js";
import type { Limits } from "../language/limits.js";
import type { Query } from "./ast.js";
import type { ScannedText } from "../lexer/scannedText.js";
import { AstBuilder } from "./buildAst.js";
import { firstTooDeep } from "./nesting.js";
import { recognize } from "./recognizer.js";
import { reportSyntaxErrors } from "./syntaxErrors.js";

/**
 * The recovering parser: reads any text, recovers from each mistake and reports it, so that one
 * run lists every syntax error of a query. It recovers as chevrotain's parser does
 * (recognizer.ts). `scanned`: the fast scanner's tokens of the text, when it has them (fastParser.ts).
 */
export function recoveringParse(
  source: SourceText,
  diagnostics: DiagnosticCollector,
  limits: Limits,
  scanned?: ScannedText,
): Query | undefined {
  const lexed = lex(source, diagnostics, limits, scanned);
  if (lexed.aborted) return undefined;
  // Past the cap nothing more would be listed: parsing all of a hostile text costs for nothing.
  if (diagnostics.isFull) {
    diagnostics.stopLooking(diagnostics.diagnostics.at(-1)!.span);
    return undefined;
  }
  if (!withinDepth(lexed.tokens, source, diagnostics, limits)) return undefined;

  const last = lexed.tokens.at(-1);
  const endOfInput: Span = last
    ? source.spanOf(last.startOffset + last.image.length, last.startOffset + last.image.length)
    : source.spanOf(0, 0);

  const { cst, errors } = recognize(lexed.tokens, limits.maxDiagnostics);
  reportSyntaxErrors(
    errors.map((error) => ({ error, info: error.info })),
    { source, tokens: lexed.tokens, endOfInput },
    diagnostics,
  );
  if (!cst) {
    const last = errors.at(-1)!.token;
    diagnostics.stopLooking(
      last.tokenType === EOF || Number.isNaN(last.startOffset)
        ? endOfInput
        : source.spanOf(last.startOffset, last.startOffset + last.image.length),
    );
    return undefined;
  }
  return new AstBuilder(source, endOfInput, errors.length > 0).query(cst, lexed.comments);
}

/**
 * Parentheses and `not` nest the parser's recursion; refusing deep nesting up front keeps a
 * hostile query from overflowing the stack.
 */
function withinDepth(
  tokens: IToken[],
  source: SourceText,
  diagnostics: DiagnosticCollector,
  limits: Limits,
): boolean {
  const at = firstTooDeep(tokens, (token) => token.tokenType.name, limits.maxDepth);
  if (at < 0) return true;
  const token = tokens[at]!;
  diagnostics.error(
    "OQ009",
    `this condition nests deeper than the limit of ${limits.maxDepth} parentheses and 'not's`,
    source.spanOf(token.startOffset, token.startOffset + token.image.length),
    { hints: ["simplify the condition, or raise `limits.maxDepth`"] },
  );
  return false;
}
