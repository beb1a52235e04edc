import { parse } from "../compile.js";
import type { Clause, ClauseKind } from "../parser/ast.js";

/*
 * A clause typed on its own right after a query (`during 90d`) amends that query: alone it would
 * be a query with no condition (OQ201), which is never what was meant. README.md, "oq repl".
 */

/** The part of a query a clause sets: `between` and `during` both set the window. */
const partOf = (kind: ClauseKind): ClauseKind => (kind === "Between" ? "During" : kind);

/** The clauses of a text that holds nothing else (no condition, `where` or `param`), else undefined. */
export function clausesAlone(text: string): Clause[] | undefined {
  const parsed = parse(text);
  const query = parsed.ast;
  if (!parsed.ok || !query || query.condition || query.whereSpan || query.params?.length) return undefined;
  return query.clauses.length > 0 ? query.clauses : undefined;
}

/**
 * `query` with `clauses` (the text `clauseText`) added: a clause that sets a part the query
 * already sets replaces it (`during 90d` replaces `during 30d` or a `between`).
 */
export function amendedQuery(query: string, clauses: readonly Clause[], clauseText: string): string {
  const replaced = new Set(clauses.map((clause) => partOf(clause.kind)));
  const old = (parse(query).ast?.clauses ?? []).filter((clause) => replaced.has(partOf(clause.kind)));
  let kept = query;
  for (const clause of [...old].sort((a, b) => b.span.start.offset - a.span.start.offset))
    kept = kept.slice(0, clause.span.start.offset) + kept.slice(clause.span.end.offset);
  const lines = kept
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== "");
  return `${lines.join("\n")}\n${clauseText.trim()}`;
}
