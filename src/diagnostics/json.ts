import type { Diagnostic } from "./diagnostic.js";

/** A diagnostic as `--json` prints it: flat positions for scripts and editors, plus the full span. */
export interface DiagnosticJson extends Diagnostic {
  file: string;
  line: number;
  column: number;
}

export function diagnosticToJson(diagnostic: Diagnostic, file: string): DiagnosticJson {
  return { file, line: diagnostic.span.start.line, column: diagnostic.span.start.column, ...diagnostic };
}
