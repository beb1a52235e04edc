import type { DiagnosticCollector } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../diagnostics/source.js";
import type { Limits } from "../language/limits.js";
import type { Query } from "./ast.js";
import { fastRead } from "./fastParser.js";
import { recoveringParse } from "./recoveringParser.js";

/**
 * Source text -> AST. Reports lexical and syntax errors to `diagnostics` and still returns as
 * much of the tree as could be read; returns undefined only when a limit stopped it. Queries
 * without mistakes take the fast path (fastParser.ts); the rest, the recovering parser (recoveringParser.ts),
 * which the command's bundle loads only when it is needed (scripts/build.mjs), and which takes the
 * fast scanner's tokens rather than reading the text again when the fast parser has them.
 */
export function parseSource(
  source: SourceText,
  diagnostics: DiagnosticCollector,
  limits: Limits,
): Query | undefined {
  const fast = fastRead(source, limits);
  // The recovering parser starts from the fast scanner's tokens when it has them.
  return fast.query ?? recoveringParse(source, diagnostics, limits, fast.scanned);
}
