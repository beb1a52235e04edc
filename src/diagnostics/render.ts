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

/** Source lines longer than this are shown as a window around the caret. */
const maxShownColumns = 120;
/** How much of the line before the caret a window keeps. */
const columnsBeforeCaret = 40;
/** Messages, labels and help lines are cut here: some quote the query, which can be megabytes. */
const maxTextLength = 500;
/** Lines of one help text shown (a help can list alternatives, one a line). */
const maxHelpLines = 20;

/**
 * Draws one diagnostic the way compilers do:
 *
 *     q.oq:1:1: error: unknown field 'emial'
 *       |
 *     1 | emial ends "gmail.com"
 *       | ^^^^^ not a field of this list
 *       = help: did you mean 'email'?
 *
 * Its size does not depend on the query's: a long line is cut to a window around the caret, and
 * long texts are shortened.
 */
export function renderDiagnostic(
  diagnostic: Diagnostic,
  source: SourceText,
  options: RenderOptions = {},
): string {
  const paint = options.color ? ansi : plain;
  const { start, end } = diagnostic.span;
  const header =
    `${visible(source.name)}:${start.line}:${start.column}: ` +
    `${paint.severity(diagnostic.severity, diagnostic.severity)}: ${paint.bold(shorten(diagnostic.message))}`;

  const lineNumber = String(start.line);
  const pad = " ".repeat(lineNumber.length);
  const rawLine = source.lineText(start.line);
  const lineStart = source.lineStarts[start.line - 1] ?? 0;
  const startIndex = Math.min(start.offset - lineStart, rawLine.length);
  // A span that runs past its first line is underlined to the end of that line.
  const endIndex =
    end.line === start.line ? Math.min(end.offset - lineStart, rawLine.length) : rawLine.length;
  const shown = windowAround(rawLine, startIndex, endIndex);
  const carets = " ".repeat(shown.caretStart) + "^".repeat(shown.caretEnd - shown.caretStart);
  const label = diagnostic.label ? ` ${shorten(diagnostic.label)}` : "";

  const lines = [
    header,
    `${pad} ${paint.gutter("|")}`,
    `${paint.gutter(lineNumber)} ${paint.gutter("|")} ${shown.text}`,
    `${pad} ${paint.gutter("|")} ${paint.caret(diagnostic.severity, carets + label)}`,
  ];
  // The concrete fix first, then the explanations.
  for (const suggestion of diagnostic.suggestions) lines.push(...formatHelp(pad, suggestion.message, paint));
  for (const hint of diagnostic.hints) lines.push(...formatHelp(pad, hint, paint));
  return lines.join("\n");
}

/**
 * All diagnostics, separated by blank lines, with a closing count. (Compilation lists at most
 * `limits.maxDiagnostics`, the rest counted in a closing OQ010; the count here includes them.)
 */
export function renderDiagnostics(
  diagnostics: readonly Diagnostic[],
  source: SourceText,
  options: RenderOptions = {},
): string {
  if (diagnostics.length === 0) return "";
  const blocks = diagnostics.map((d) => renderDiagnostic(d, source, options));
  return `${blocks.join("\n\n")}\n\n${summarize(diagnostics)}\n`;
}

/** The closing count of a list of diagnostics ("1 error, 2 warnings"), the cap's OQ010 counted in. */
export function summarize(diagnostics: readonly Diagnostic[]): string {
  let errors = 0;
  let warnings = 0;
  let exact = true;
  for (const diagnostic of diagnostics) {
    if (diagnostic.omitted) {
      errors += diagnostic.omitted.errors;
      warnings += diagnostic.omitted.warnings;
      exact &&= diagnostic.omitted.exact;
    } else if (diagnostic.severity === "error") errors++;
    else warnings++;
  }
  const parts: string[] = [];
  if (errors > 0) parts.push(`${errors} error${errors === 1 ? "" : "s"}`);
  if (warnings > 0) parts.push(`${warnings} warning${warnings === 1 ? "" : "s"}`);
  // When oq stopped looking, what it counted is a floor.
  return exact ? parts.join(", ") : `at least ${parts.join(", ")}`;
}

function formatHelp(pad: string, hint: string, paint: Palette): string[] {
  const [first = "", ...rest] = hint.split("\n", maxHelpLines + 1).map(shorten);
  if (rest.length > maxHelpLines - 1) rest.splice(maxHelpLines - 1, rest.length, "...");
  return [`${pad} = ${paint.bold("help:")} ${first}`, ...rest.map((line) => `${pad}         ${line}`)];
}

function shorten(text: string): string {
  return visible(
    text.length <= maxTextLength ? text : `${text.slice(0, safeCut(text, maxTextLength - 3))}...`,
  );
}

/** C0 and C1 controls and DEL, which a terminal would obey (`ESC ]0;title BEL`). */
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Text with its control characters shown, one column each so that carets stay aligned: C0 and
 * DEL as their Unicode control pictures (␛, ␇, ␡), C1 ones (no pictures exist) as U+FFFD.
 */
function visible(text: string): string {
  return text.replace(controlCharacters, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    return code === 0x7f ? "\u2421" : "\ufffd";
  });
}

/**
 * The part of a line to show, with the caret's columns in it: the whole line when it is short,
 * else `maxShownColumns` of it from a little before the caret, marked "..." where cut. Tabs
 * become spaces so that the caret lines up under the right character; columns count code points,
 * as Position.column does, so a character beyond U+FFFF takes one column, not two.
 */
function windowAround(
  line: string,
  startIndex: number,
  endIndex: number,
): { text: string; caretStart: number; caretEnd: number } {
  let from = 0;
  let to = line.length;
  if (line.length > maxShownColumns) {
    from = safeCut(
      line,
      Math.max(0, Math.min(startIndex - columnsBeforeCaret, line.length - maxShownColumns)),
    );
    to = safeCut(line, Math.min(line.length, from + maxShownColumns));
  }
  const prefix = from > 0 ? "..." : "";
  const suffix = to < line.length ? "..." : "";
  const piece = line.slice(from, to);
  // columns[i]: the screen column of the UTF-16 index `from + i`.
  const columns: number[] = [];
  let text = prefix;
  let width = prefix.length;
  for (const character of piece) {
    for (let unit = 0; unit < character.length; unit++) columns.push(width);
    const shown = character === "\t" ? " ".repeat(4 - ((width - prefix.length) % 4)) : visible(character);
    text += shown;
    width += character === "\t" ? shown.length : 1;
  }
  columns.push(width);
  const columnOf = (index: number) => columns[Math.max(0, Math.min(index - from, piece.length))]!;
  const caretStart = columnOf(startIndex);
  const caretEnd = Math.max(caretStart + 1, columnOf(Math.min(endIndex, to)));
  return { text: text + suffix, caretStart, caretEnd };
}

/** `index`, moved back by one if it would split a surrogate pair. */
function safeCut(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return index > 0 && code >= 0xdc00 && code <= 0xdfff ? index - 1 : index;
}
