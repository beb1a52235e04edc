import { parse, type CompileOptions, type ParseResult } from "../compile.js";
import { checkStructure } from "../check/clauseStructure.js";
import { DiagnosticCollector } from "../diagnostics/diagnostic.js";
import { resolveLimits } from "../language/limits.js";
import { formatQuery } from "../parser/printer.js";

export interface FormatResult extends ParseResult {
  /** The formatted text; absent when the query has syntax or structure errors. */
  formatted?: string;
}

/**
 * Lays a query out canonically. Syntax and the query's shape matter (a clause twice, a condition
 * after clauses without `where`): the layout moves the condition first, so formatting such a
 * query would turn one that `oq check` refuses into one it accepts. A query with unknown fields
 * still formats.
 */
export function format(
  text: string,
  options: Pick<CompileOptions, "fileName" | "limits"> = {},
): FormatResult {
  const parsed = parse(text, options);
  if (!parsed.ast || !parsed.ok) return parsed;
  const diagnostics = new DiagnosticCollector(
    parsed.diagnostics,
    resolveLimits(options.limits).maxDiagnostics,
  );
  checkStructure(parsed.ast, parsed.source, diagnostics);
  if (diagnostics.hasErrors) return { ...parsed, diagnostics: diagnostics.sorted(), ok: false };
  return { ...parsed, formatted: formatQuery(parsed.ast) };
}
