import { DiagnosticCollector } from "../diagnostics/diagnostic.js";
import { SourceText } from "../diagnostics/source.js";
import { startsOperator } from "../parser/operators.js";
import { defaultLimits } from "../language/limits.js";
import { lex } from "../lexer/lexer.js";
import { parse } from "../compile.js";
import { clauseKeywords, wholeClauseKeywords } from "../parser/keywordRoles.js";

/*
 * Multi-line input: when the lines typed so far make a whole query, and when they wait for
 * more (grammar.md, "oq repl"). A query ends at a blank line or a `;`, or at the end of a line
 * that leaves nothing open; piped or pasted, a line that starts with a clause keyword, `where`,
 * `and` or `or` carries on the query before it, so that an .oq file reads as one query.
 */

/**
 * Tokens after which a query cannot end, besides an operator: a connective, `select`'s comma,
 * a clause's keyword (but `favorite`, a whole clause)...
 */
const waitsAfter = new Set<string>([
  "And",
  "Or",
  "Not",
  "Where",
  "With",
  "Case",
  "Comma",
  "Segment",
  "Campaign",
  "Param",
  ...clauseKeywords.filter((keyword) => !wholeClauseKeywords.includes(keyword)),
]);

/** The first tokens of a line that carries on the query before it (as `oq fmt` lays a query out). */
const continuesWith = new Set<string>([...clauseKeywords, "Where", "And", "Or"]);

/** Splits a line at the `;`s outside strings, backquotes and comments. */
function splitAtSemicolons(line: string): string[] {
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
  return parts;
}

/** The token kinds of a text (comments left out), and whether the lexer found an error in it. */
function lexed(text: string): { kinds: string[]; faulty: boolean } {
  const diagnostics = new DiagnosticCollector();
  const result = lex(new SourceText(text), diagnostics, defaultLimits);
  return { kinds: result.tokens.map((token) => token.tokenType.name), faulty: diagnostics.hasErrors };
}

/**
 * Whether `text` waits for more: a parenthesis or bracket left open, a trailing operator or
 * connective, or only clauses so far (no condition yet). A lexical error ends it (a string
 * cannot hold a line break, so an open one never closes), and so does a syntax error.
 */
function waitsForMore(text: string): boolean {
  const { kinds, faulty } = lexed(text);
  if (faulty || kinds.length === 0) return false;
  let depth = 0;
  for (const kind of kinds) {
    if (kind === "LParen" || kind === "LBracket") depth++;
    else if (kind === "RParen" || kind === "RBracket") depth = Math.max(0, depth - 1);
  }
  const last = kinds.at(-1)!;
  if (depth > 0 || waitsAfter.has(last) || startsOperator(last)) return true;
  const parsed = parse(text);
  return parsed.ok && parsed.ast !== undefined && parsed.ast.condition === undefined;
}

/** Whether a text holds anything but blanks and comments. */
function hasTokens(text: string): boolean {
  return lexed(text).kinds.length > 0;
}

interface QueryBufferOptions {
  /**
   * Piped or pasted input: a query that ends with its line is held until the next line says
   * whether it carries on (`flush` gives it up when the input ends or pauses).
   */
  joinLines?: boolean;
}

/** The lines of the query being typed; `add` says whether a query is complete. */
export class QueryBuffer {
  private lines: string[] = [];
  /** A query that ended with its line, and the comment lines after it (joinLines only). */
  private held: { query: string; comments: string[] } | undefined;

  constructor(private readonly options: QueryBufferOptions = {}) {}

  /** Nothing typed yet but blanks and comments (a dot command may come). */
  get empty(): boolean {
    return !hasTokens(this.text);
  }

  get text(): string {
    return this.lines.join("\n");
  }

  clear(): void {
    this.lines = [];
    this.held = undefined;
  }

  /** The query held back to see whether the next line carries it on, if any. */
  flush(): string[] {
    const held = this.held;
    this.held = undefined;
    if (held) this.lines = [...held.comments, ...this.lines];
    return held ? [held.query] : [];
  }

  /**
   * Adds a line; returns the queries it completes (none while the query waits for more). A `;`
   * ends a query, a blank line ends one, and so does a line that leaves nothing open.
   */
  add(line: string): string[] {
    const parts = splitAtSemicolons(line);
    const done: string[] = [];
    parts.forEach((part, index) => {
      const ended = index < parts.length - 1;
      if (part.trim() === "" && !ended) {
        // A blank line ends what was typed, whatever it waits for; comments alone are no query.
        done.push(...this.flush());
        if (!this.empty) done.push(this.text.trim());
        this.lines = [];
        return;
      }
      if (index === 0 && this.held) {
        const first = lexed(part).kinds[0];
        if (first === undefined) {
          this.held.comments.push(part);
          return;
        }
        if (continuesWith.has(first)) {
          this.lines = [this.held.query, ...this.held.comments];
          this.held = undefined;
        } else done.push(...this.flush());
      }
      // `a; b`: the query after a `;` starts at its first word.
      this.lines.push(index > 0 && this.lines.length === 0 ? part.trimStart() : part);
      if (this.empty) {
        if (ended) this.lines = [];
        return;
      }
      if (ended || !waitsForMore(this.text)) {
        const query = this.text.trim();
        this.lines = [];
        if (this.options.joinLines && !ended) this.held = { query, comments: [] };
        else done.push(query);
      }
    });
    return done;
  }
}
