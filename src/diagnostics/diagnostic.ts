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
  /**
   * Only on the closing OQ010: how many diagnostics were found past the cap and not listed;
   * `exact` is false when oq stopped looking, so that there may be more.
   */
  omitted?: { errors: number; warnings: number; exact: boolean };
}

interface DiagnosticDetails {
  label?: string;
  hints?: string[];
  suggestions?: Suggestion[];
}

/** The code of the diagnostic that stands for those past the cap. */
const omittedDiagnosticsCode = "OQ010";

/**
 * Gathers diagnostics for one compilation. Each stage receives the collector it reports to, so
 * that nothing about a compilation lives in module state.
 *
 * It keeps the first `maxListed` and only counts the rest: a hostile query can have a problem
 * every few characters, and a hundred thousand diagnostics help nobody and cost memory in every
 * consumer (the renderer, --json, a service). The count comes back as one closing OQ010.
 */
export class DiagnosticCollector {
  readonly diagnostics: Diagnostic[] = [];
  private omittedErrors = 0;
  private omittedWarnings = 0;
  private firstOmitted: Span | undefined;
  /** Set when a stage gave up looking for more problems, so the count of omitted ones is a floor. */
  private stoppedEarly = false;

  /** `earlier`: diagnostics of a previous stage, to carry on from (with its OQ010, if any). */
  constructor(
    earlier: readonly Diagnostic[] = [],
    private readonly maxListed = Infinity,
  ) {
    for (const diagnostic of earlier) {
      if (diagnostic.code === omittedDiagnosticsCode && diagnostic.omitted) {
        this.omittedErrors += diagnostic.omitted.errors;
        this.omittedWarnings += diagnostic.omitted.warnings;
        this.firstOmitted ??= diagnostic.span;
        if (!diagnostic.omitted.exact) this.stoppedEarly = true;
      } else if (this.diagnostics.length < this.maxListed) {
        this.diagnostics.push(diagnostic);
      } else {
        // Carried on past the cap (a stage that gathered aside, uncapped): counted, not listed.
        if (diagnostic.severity === "error") this.omittedErrors++;
        else this.omittedWarnings++;
        this.firstOmitted ??= diagnostic.span;
      }
    }
  }

  error(code: string, message: string, span: Span, details: DiagnosticDetails = {}): void {
    this.add("error", code, message, span, details);
  }

  warning(code: string, message: string, span: Span, details: DiagnosticDetails = {}): void {
    this.add("warning", code, message, span, details);
  }

  /** How many diagnostics are listed so far: a mark for `listedBefore`. */
  get listedCount(): number {
    return this.diagnostics.length;
  }

  /** The first `count` diagnostics listed, in the order they were reported. */
  listedBefore(count: number): Diagnostic[] {
    return this.diagnostics.slice(0, count);
  }

  get hasErrors(): boolean {
    return this.omittedErrors > 0 || this.diagnostics.some((d) => d.severity === "error");
  }

  /** A stage stopped looking for problems at `span` (after too many): there may be more than listed. */
  stopLooking(span: Span): void {
    this.stoppedEarly = true;
    this.firstOmitted ??= span;
  }

  /** True once the cap is reached: later stages may stop looking for more. */
  get isFull(): boolean {
    return this.diagnostics.length >= this.maxListed;
  }

  /** Diagnostics in source order, errors before warnings at the same place; OQ010 last. */
  sorted(): Diagnostic[] {
    const listed =
      this.diagnostics.length < 2
        ? [...this.diagnostics]
        : [...this.diagnostics].sort(
            (a, b) =>
              a.span.start.offset - b.span.start.offset ||
              (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1),
          );
    const omitted = this.omittedSummary();
    return omitted ? [...listed, omitted] : listed;
  }

  private omittedSummary(): Diagnostic | undefined {
    const errors = this.omittedErrors;
    const warnings = this.omittedWarnings;
    if (errors + warnings === 0 && !this.stoppedEarly) return undefined;
    const counts = [
      errors > 0 ? plural(errors, "error") : "",
      warnings > 0 ? plural(warnings, "warning") : "",
    ]
      .filter(Boolean)
      .join(" and ");
    const message =
      errors + warnings === 0
        ? "too many problems: oq stopped looking, and there may be more"
        : `and ${this.stoppedEarly ? "at least " : ""}${counts}, not listed`;
    return {
      code: omittedDiagnosticsCode,
      severity: errors > 0 || this.stoppedEarly ? "error" : "warning",
      message,
      span: this.firstOmitted!,
      ...(errors + warnings > 0 ? { label: "the first of them" } : {}),
      hints: [`oq lists the first ${this.diagnostics.length} problems of a query; fix those and check again`],
      suggestions: [],
      omitted: { errors, warnings, exact: !this.stoppedEarly },
    };
  }

  private add(
    severity: Severity,
    code: string,
    message: string,
    span: Span,
    details: DiagnosticDetails,
  ): void {
    if (this.isFull) {
      if (severity === "error") this.omittedErrors++;
      else this.omittedWarnings++;
      this.firstOmitted ??= span;
      return;
    }
    if (severity === "error" && this.isToldAlready(span, details.suggestions)) return;
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
    if (severity === "error")
      for (const suggestion of diagnostic.suggestions)
        (this.fixesOffered ??= new Set()).add(fixKey(span, suggestion));
  }

  /**
   * The fixes listed errors offer, by the span they stand on (see isToldAlready); made with the
   * first, as most compilations have none.
   */
  private fixesOffered: Set<string> | undefined;

  /**
   * An error whose every fix an earlier error at the same place already offers is the same
   * problem told again by a later stage (`'2026-11-01'` for a date: the lexer's "no single
   * quotes" and the checker's "takes a date, but this is text", both fixed by `2026-11-01`).
   */
  private isToldAlready(span: Span, suggestions: readonly Suggestion[] | undefined): boolean {
    const offered = this.fixesOffered;
    return (
      offered !== undefined &&
      suggestions !== undefined &&
      suggestions.length > 0 &&
      suggestions.every((suggestion) => offered.has(fixKey(span, suggestion)))
    );
  }
}

function fixKey(at: Span, suggestion: Suggestion): string {
  return `${at.start.offset}:${at.end.offset}:${suggestion.span.start.offset}:${suggestion.span.end.offset}:${suggestion.replacement}`;
}

function plural(count: number, word: string): string {
  return `${count.toLocaleString("en-US")} more ${word}${count === 1 ? "" : "s"}`;
}
