import { plan, type CompileOptions } from "../compile.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";

/**
 * What `oq check` reports for a text: the query as `oq run` takes it (a query that needs a plan
 * of several reports is fine), so plan(), not compile(). `options` are the settings `oq check`
 * would use for the file (its schema, request flags, parameters and now).
 */
export function diagnose(text: string, options: CompileOptions): Diagnostic[] {
  return plan(text, options).diagnostics;
}
