import type { Diagnostic } from "./diagnostic.js";
import type { SourceText } from "./source.js";

export interface RenderOptions {
  /** ANSI colours, for terminals. Off by default. */
  color?: boolean;
}

interface Palette {
  severity(kind: Diagnostic["severity"], text: string): string;
  bold(text: string): string;
  gutter(text: string): string;
  caret(kind: Diagnostic["severity"], text: string): string;
}

const plain: Palette = {
  severity: (_kind, text) => text,
  bold: (text) => text,
  gutter: (text) => text,
  caret: (_kind, text) => text,
};

const ansi: Palette = {
  severity: (kind, text) => (kind === "error" ? `\x1b[1;31m${text}\x1b[0m` : `\x1b[1;33m${text}\x1b[0m`),
  bold: (text) => `\x1b[1m${text}\x1b[0m`,
  gutter: (text) => `\x1b[34m${text}\x1b[0m`,
  caret: (kind, text) => (kind === "error" ? `\x1b[31m${text}\x1b[0m` : `\x1b[33m${text}\x1b[0m`),
};

/**
 * Draws one diagnostic the way compilers do:
 *
 *     q.oq:1:1: error: unknown field 'emial'
 *       |
 *     1 | emial ends "gmail.com"
 *       | ^^^^^ not a field of this list
 *       = help: did you mean 'email'?
 */
export function renderDiagnostic(diagnostic: Diagnostic, source: SourceText, options: RenderOptions = {}): string {
  const paint = options.color ? ansi : plain;
  const { start, end } = diagnostic.span;
  const header =
    `${source.name}:${start.line}:${start.column}: ` +
    `${paint.severity(diagnostic.severity, diagnostic.severity)}: ${paint.bold(diagnostic.message)}`;

  const lineNumber = String(start.line);
  const pad = " ".repeat(lineNumber.length);
  const rawLine = source.lineText(start.line);
  const { text: shownLine, columnOf } = expandTabs(rawLine);
  const caretStart = columnOf(start.column - 1);
  // A span that runs past its first line is underlined to the end of that line.
  const lastColumn = end.line === start.line ? end.column - 1 : Infinity;
  const caretEnd = Math.max(caretStart + 1, columnOf(lastColumn));
  const carets = " ".repeat(caretStart) + "^".repeat(caretEnd - caretStart);
  const label = diagnostic.label ? ` ${diagnostic.label}` : "";

  const lines = [
    header,
    `${pad} ${paint.gutter("|")}`,
    `${paint.gutter(lineNumber)} ${paint.gutter("|")} ${shownLine}`,
    `${pad} ${paint.gutter("|")} ${paint.caret(diagnostic.severity, carets + label)}`,
  ];
  // The concrete fix first, then the explanations.
  for (const suggestion of diagnostic.suggestions) lines.push(...formatHelp(pad, suggestion.message, paint));
  for (const hint of diagnostic.hints) lines.push(...formatHelp(pad, hint, paint));
  return lines.join("\n");
}

/** All diagnostics, separated by blank lines, with a closing count. */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], source: SourceText, options: RenderOptions = {}): string {
  if (diagnostics.length === 0) return "";
  const blocks = diagnostics.map((d) => renderDiagnostic(d, source, options));
  return `${blocks.join("\n\n")}\n\n${summarize(diagnostics)}\n`;
}

export function summarize(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const parts: string[] = [];
  if (errors > 0) parts.push(`${errors} error${errors === 1 ? "" : "s"}`);
  if (warnings > 0) parts.push(`${warnings} warning${warnings === 1 ? "" : "s"}`);
  return parts.join(", ");
}

function formatHelp(pad: string, hint: string, paint: Palette): string[] {
  const [first, ...rest] = hint.split("\n");
  return [`${pad} = ${paint.bold("help:")} ${first}`, ...rest.map((line) => `${pad}         ${line}`)];
}

/**
 * Tabs become spaces so that the caret lines up under the right character. Indexes and the
 * columns returned count code points, as Position.column does.
 */
function expandTabs(line: string): { text: string; columnOf: (index: number) => number } {
  if (!line.includes("\t") && !/[\ud800-\udbff]/.test(line)) return { text: line, columnOf: (index) => Math.min(index, line.length) };
  const columns: number[] = [];
  let text = "";
  let width = 0;
  for (const character of line) {
    columns.push(width);
    const shown = character === "\t" ? " ".repeat(4 - (width % 4)) : character;
    text += shown;
    width += character === "\t" ? shown.length : 1;
  }
  columns.push(width);
  return { text, columnOf: (index) => columns[Math.min(index, columns.length - 1)] ?? width };
}
