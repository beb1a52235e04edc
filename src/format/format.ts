import { parse, type CompileOptions, type ParseResult } from "../compile.js";
import { formatQuery } from "./formatQuery.js";

export interface FormatResult extends ParseResult {
  /** The formatted text; absent when the query has syntax errors. */
  formatted?: string;
}

/** Lays a query out canonically. Only syntax matters: a query with unknown fields still formats. */
export function format(text: string, options: Pick<CompileOptions, "fileName" | "limits"> = {}): FormatResult {
  const parsed = parse(text, options);
  if (!parsed.ast || !parsed.ok) return parsed;
  return { ...parsed, formatted: formatQuery(parsed.ast) };
}
