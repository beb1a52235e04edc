import { tokensOf } from "../parser/contentAssist.js";

/*
 * Multi-line input: when the lines typed so far make a whole query, and when they wait for
 * more. A query ends at a blank line or a `;`, or at the end of a line that leaves nothing open.
 */

/** Tokens after which a query cannot end: a connective, an operator, `select`'s comma... */
const waitsAfter = new Set([
  "And",
  "Or",
  "Not",
  "Where",
  "Equals",
  "NotEquals",
  "Less",
  "LessOrEqual",
  "Greater",
  "GreaterOrEqual",
  "Contains",
  "Starts",
  "Ends",
  "With",
  "In",
  "Between",
  "Is",
  "Case",
  "Comma",
  "Select",
  "Title",
  "During",
  "Users",
  "Flags",
  "Segment",
  "Campaign",
]);

/** Splits a line at the `;`s outside strings, backquotes and comments; `open`: it ends inside a string. */
function scanLine(line: string): { parts: string[]; open: boolean } {
  const parts: string[] = [];
  let start = 0;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "`") quote = c;
    else if (c === "#") break;
    else if (c === ";") {
      parts.push(line.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(line.slice(start));
  return { parts, open: quote === '"' };
}

/** Whether `text` leaves something open: a parenthesis, a bracket, a string, or a trailing operator. */
function waitsForMore(text: string): boolean {
  const tokens = tokensOf(text);
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === "LParen" || token.kind === "LBracket") depth++;
    else if (token.kind === "RParen" || token.kind === "RBracket") depth = Math.max(0, depth - 1);
  }
  const last = tokens.at(-1);
  if (last === undefined) return false;
  return depth > 0 || scanLine(text.slice(text.lastIndexOf("\n") + 1)).open || waitsAfter.has(last.kind);
}

/** The lines of the query being typed; `add` says whether a query is complete. */
export class QueryBuffer {
  private lines: string[] = [];

  get empty(): boolean {
    return this.lines.length === 0;
  }

  get text(): string {
    return this.lines.join("\n");
  }

  clear(): void {
    this.lines = [];
  }

  /**
   * Adds a line; returns the queries it completes (none while the query waits for more). A `;`
   * ends a query, a blank line ends one, and so does a line that leaves nothing open.
   */
  add(line: string): string[] {
    const { parts } = scanLine(line);
    const done: string[] = [];
    parts.forEach((part, index) => {
      const ended = index < parts.length - 1;
      if (part.trim() === "" && !ended) {
        // A blank line ends what was typed, whatever it waits for.
        if (!this.empty && this.text.trim() !== "") done.push(this.text);
        this.clear();
        return;
      }
      // `a; b`: the query after a `;` starts at its first word.
      this.lines.push(index > 0 && this.empty ? part.trimStart() : part);
      if (ended || !waitsForMore(this.text)) {
        if (this.text.trim() !== "") done.push(this.text.trimEnd());
        this.clear();
      }
    });
    return done;
  }
}
