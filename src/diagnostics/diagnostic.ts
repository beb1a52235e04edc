import type { Span } from "./source.js";

export type Severity = "error" | "warning";

/** A concrete edit that fixes the problem: replace the text of `span` with `replacement`. */
export interface Suggestion {
  message: string;
  span: Span;
  replacement: string;
}

export interface Diagnostic {
  /** Stable identifier, e.g. "OQ201"; listed in docs/diagnostics.md. */
  code: string;
  severity: Severity;
  message: string;
  span: Span;
  /** A short note drawn under the caret. */
  label?: string;
  /** "help:" lines: how to fix it, in words or as a rewritten query. */
  hints: string[];
  suggestions: Suggestion[];
}

export interface DiagnosticDetails {
  label?: string;
  hints?: string[];
  suggestions?: Suggestion[];
}

/**
 * Gathers diagnostics for one compilation. Each stage receives the collector it reports to, so
 * that nothing about a compilation lives in module state.
 */
export class DiagnosticCollector {
  readonly diagnostics: Diagnostic[];

  /** `earlier`: diagnostics of a previous stage, to carry on from. */
  constructor(earlier: readonly Diagnostic[] = []) {
    this.diagnostics = [...earlier];
  }

  error(code: string, message: string, span: Span, details: DiagnosticDetails = {}): void {
    this.add("error", code, message, span, details);
  }

  warning(code: string, message: string, span: Span, details: DiagnosticDetails = {}): void {
    this.add("warning", code, message, span, details);
  }

  get errorCount(): number {
    return this.diagnostics.filter((d) => d.severity === "error").length;
  }

  get hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === "error");
  }

  /** Diagnostics in source order, errors before warnings at the same place. */
  sorted(): Diagnostic[] {
    if (this.diagnostics.length < 2) return [...this.diagnostics];
    return [...this.diagnostics].sort(
      (a, b) =>
        a.span.start.offset - b.span.start.offset ||
        (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1),
    );
  }

  private add(severity: Severity, code: string, message: string, span: Span, details: DiagnosticDetails): void {
    const diagnostic: Diagnostic = {
      code,
      severity,
      message,
      span,
      hints: details.hints ?? [],
      suggestions: details.suggestions ?? [],
    };
    if (details.label !== undefined) diagnostic.label = details.label;
    this.diagnostics.push(diagnostic);
  }
}
