import type { ILexingError, IToken, TokenType } from "chevrotain";
import type { DiagnosticCollector, Suggestion } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../diagnostics/source.js";
import type { Limits } from "../language/limits.js";
import type { ScannedText } from "./scannedText.js";
import { mergeNumberTypos } from "./numberTypos.js";
import { decodeStringBody } from "./strings.js";
import { plainDigits } from "./plainDigits.js";
import { explainForeignDate } from "./foreignDates.js";
import { Scanner } from "./scanner.js";
import * as t from "./tokens.js";
import { dateSource, numberSource } from "./tokenPatterns.js";

/**
 * Built once, on first use: it sorts the token types by their first characters. A query the fast
 * parser scanned whole never needs it (fromFastScanner).
 */
let scanner: Scanner | undefined;

interface LexResult {
  tokens: IToken[];
  comments: IToken[];
  /** A limit was exceeded: the tokens are not to be parsed. */
  aborted: boolean;
}

/**
 * Splits source text into tokens. Spellings borrowed from other languages (`==`, `&&`,
 * 'single quotes', a missing closing quote) are reported and then read as what they meant, so
 * that the parser can go on and report the rest of the file.
 */
export function lex(
  source: SourceText,
  diagnostics: DiagnosticCollector,
  limits: Limits,
  scanned?: ScannedText,
): LexResult {
  if (source.text.length > limits.maxSourceLength) {
    diagnostics.error(
      "OQ001",
      `this query is ${source.text.length} characters long, more than the limit of ${limits.maxSourceLength}`,
      source.spanOf(limits.maxSourceLength, limits.maxSourceLength + 1),
      { hints: ["split it into smaller queries, or raise `limits.maxSourceLength`"] },
    );
    return { tokens: [], comments: [], aborted: true };
  }

  const result = scanned
    ? fromFastScanner(source.text, scanned)
    : (scanner ??= new Scanner(t.allTokens)).scan(source.text);
  const words = mergeUnicodeWords(result.tokens, result.errors, source, diagnostics);
  // Before the unknown characters: `1_000.5` takes its '.' into the number it reports.
  const numbers = mergeNumberTypos(words.tokens, words.errors, source, diagnostics);
  const commas: IToken[] = [];
  const lists = new OpenLists(source.text);
  for (const error of numbers.errors) {
    if (followsNow(source.text, error.offset)) continue;
    const readAs = reportUnknownCharacters(source, error.offset, error.length, diagnostics, lists);
    if (readAs) commas.push(readAs);
  }
  result.tokens = commas.length === 0 ? numbers.tokens : inOrder([...numbers.tokens, ...commas]);
  for (const token of result.tokens) normalizeToken(token, source, diagnostics);
  const comments = result.groups["comments"] ?? [];
  for (const comment of comments)
    if (comment.tokenType === t.ForeignComment) reportForeignComment(comment, source, diagnostics);

  if (result.tokens.length > limits.maxTokens) {
    const first = result.tokens[limits.maxTokens]!;
    diagnostics.error(
      "OQ002",
      `this query has ${result.tokens.length} tokens, more than the limit of ${limits.maxTokens}`,
      source.spanOf(first.startOffset, first.startOffset + first.image.length),
      { hints: ["split it into smaller queries, or raise `limits.maxTokens`"] },
    );
    return { tokens: [], comments: [], aborted: true };
  }
  return { tokens: result.tokens, comments, aborted: false };
}

/** The token types by name, as a scanned text names them. */
const tokenTypeByName = new Map(t.allTokens.map((type) => [type.name, type]));

/**
 * The fast scanner's reading of `text` as the scanner gives it: the same tokens, and the comments
 * as their group (scanner.test.ts holds the two to the same result).
 */
function fromFastScanner(text: string, { tokens, comments }: ScannedText): ReturnType<Scanner["scan"]> {
  const tokenAt = (type: TokenType, start: number, end: number): IToken => ({
    image: text.slice(start, end),
    startOffset: start,
    endOffset: end - 1,
    tokenTypeIdx: type.tokenTypeIdx!,
    tokenType: type,
  });
  return {
    tokens: tokens
      .filter((token) => token.kind !== "End")
      .map((token) => tokenAt(tokenTypeByName.get(token.kind)!, token.start, token.end)),
    groups: { comments: comments.map(({ span }) => tokenAt(t.Comment, span.start.offset, span.end.offset)) },
    errors: [],
  };
}

/**
 * The Unicode classes of words, made on first use: only a text with characters the scanner does
 * not know needs them, and making them cost every start with a syntax error ~0.3 ms.
 */
let unicodeClasses: { wordCharacter: RegExp; letters: RegExp; wordStart: RegExp } | undefined;
const unicodeWordClasses = () =>
  (unicodeClasses ??= {
    wordCharacter: /[\p{L}\p{M}\p{N}_]/u,
    letters: /^[\p{L}\p{M}]+$/u,
    wordStart: /[\p{L}_]/u,
  });

/**
 * `prénom`: the scanner sees `pr`, an unknown `é` and `nom`. Such a word is reported once, with
 * the backquotes it needs, and read as the field name it was meant to be.
 */
function mergeUnicodeWords(
  tokens: IToken[],
  errors: ILexingError[],
  source: SourceText,
  diagnostics: DiagnosticCollector,
): { tokens: IToken[]; errors: ILexingError[] } {
  if (errors.length === 0) return { tokens, errors };
  const { wordCharacter, letters, wordStart } = unicodeWordClasses();
  if (!errors.some((error) => letters.test(source.text.slice(error.offset, error.offset + error.length))))
    return { tokens, errors };
  const text = source.text;
  const words: { start: number; end: number }[] = [];
  const remaining: ILexingError[] = [];
  let inSelectList: boolean[] | undefined;
  for (const error of errors) {
    const inWord = words.at(-1);
    if (inWord && error.offset < inWord.end) continue;
    if (!letters.test(text.slice(error.offset, error.offset + error.length))) {
      remaining.push(error);
      continue;
    }
    let start = error.offset;
    let end = error.offset + error.length;
    while (start > 0 && wordCharacter.test(text[start - 1]!)) start--;
    while (end < text.length && wordCharacter.test(text[end]!)) end++;
    // A name starts with a letter or '_': `3é` is a number and something else.
    while (start < error.offset && !wordStart.test(text[start]!)) start++;
    inSelectList ??= selectListMembership(tokens);
    if (!startsField(tokens, inSelectList, start)) {
      remaining.push(error);
      continue;
    }
    words.push({ start, end });
  }
  if (words.length === 0) return { tokens, errors };
  const merged: IToken[] = [];
  let next = 0;
  for (const word of words) {
    while (next < tokens.length && tokens[next]!.startOffset < word.start) {
      const token = tokens[next++]!;
      merged.push(token);
      // `2024-01-01é`: the word starts after a token it touches, never inside one.
      word.start = Math.max(word.start, token.startOffset + token.image.length);
    }
    while (next < tokens.length && tokens[next]!.startOffset < word.end) next++;
    const image = text.slice(word.start, word.end);
    merged.push({
      image,
      startOffset: word.start,
      endOffset: word.end - 1,
      tokenType: t.QuotedIdentifier,
      tokenTypeIdx: t.QuotedIdentifier.tokenTypeIdx!,
      payload: image,
    });
    const quoted = `\`${image}\``;
    diagnostics.error(
      "OQ122",
      `a field name with letters beyond A-Z goes in backquotes: ${quoted}`,
      source.spanOf(word.start, word.end),
      {
        suggestions: [
          { message: `write ${quoted}`, span: source.spanOf(word.start, word.end), replacement: quoted },
        ],
      },
    );
  }
  while (next < tokens.length) merged.push(tokens[next++]!);
  return { tokens: merged, errors: remaining };
}

/** Where a field name can begin: at the start, after `and`, `or`, `not`, `(`, `where`, `select`, or a ',' in a select list. */
const fieldOpeners = new Set([t.And, t.Or, t.Not, t.LParen, t.Where, t.Select]);

function startsField(tokens: readonly IToken[], inSelectList: readonly boolean[], offset: number): boolean {
  let low = 0;
  let high = tokens.length - 1;
  let at = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (tokens[mid]!.startOffset < offset) {
      at = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  const before = tokens[at];
  if (!before) return true;
  // A token running into the word (`2024-01-01é`) makes it no field name.
  if (before.startOffset + before.image.length > offset) return false;
  // After a ',' only in a select list: `select email, prénom`.
  return before.tokenType === t.Comma ? inSelectList[at] === true : fieldOpeners.has(before.tokenType);
}

/** For each token, whether it is part of a `select a, b` list (computed in one pass). */
function selectListMembership(tokens: readonly IToken[]): boolean[] {
  let inList = false;
  return tokens.map((token) => {
    if (token.tokenType === t.Select) inList = true;
    else if (
      token.tokenType !== t.Identifier &&
      token.tokenType !== t.QuotedIdentifier &&
      token.tokenType !== t.Comma
    )
      inList = false;
    return inList;
  });
}

/** `now - 7d`: the parser explains `now` and offers `7d ago`; the '-' needs no report of its own. */
function followsNow(text: string, offset: number): boolean {
  return (
    text[offset] === "-" && /(?:^|[^A-Za-z0-9_])now\s*$/i.test(text.slice(Math.max(0, offset - 10), offset))
  );
}

function reportForeignComment(comment: IToken, source: SourceText, diagnostics: DiagnosticCollector): void {
  const span = source.spanOf(comment.startOffset, comment.startOffset + 2);
  diagnostics.error("OQ121", `comments in oq start with '#', not '${comment.image.slice(0, 2)}'`, span, {
    suggestions: [{ message: "write '#'", span, replacement: "#" }],
  });
}

/**
 * Whether an offset lies inside a '[' not yet closed (outside quotes, backquotes and comments),
 * asked for offsets in increasing order: the text is read once however many are asked (a
 * hostile query can have a ';' every few characters).
 */
class OpenLists {
  private at = 0;
  private open = 0;
  /** The quote or backquote being read through, or '#' in a comment. */
  private inside: string | undefined;

  constructor(private readonly text: string) {}

  contains(offset: number): boolean {
    if (offset < this.at) {
      // Asked out of order: read again from the start.
      this.at = 0;
      this.open = 0;
      this.inside = undefined;
    }
    const text = this.text;
    for (; this.at < offset; this.at++) {
      const character = text[this.at]!;
      if (this.inside !== undefined) {
        if (character === (this.inside === "#" ? "\n" : this.inside)) this.inside = undefined;
      } else if (character === '"' || character === "`" || character === "#") this.inside = character;
      else if (character === "[") this.open++;
      else if (character === "]") this.open = Math.max(0, this.open - 1);
    }
    return this.inside === undefined && this.open > 0;
  }
}

/** The whole word a '-' at `offset` joins, as `first-name` (read from `offset` out, never the whole text). */
function dashedWordAt(text: string, offset: number): string {
  let start = offset;
  while (start > 0 && /[A-Za-z0-9_]/.test(text[start - 1]!)) start--;
  const after = /^[A-Za-z0-9_-]*/.exec(text.slice(offset, offset + 256))![0];
  return text.slice(start, offset) + after;
}

/**
 * Reports characters that are not oq. A ';' between the values of a list is read as the ','
 * it meant (the token returned), so that the rest of the list is not reported again.
 */
function reportUnknownCharacters(
  source: SourceText,
  offset: number,
  length: number,
  diagnostics: DiagnosticCollector,
  lists: OpenLists,
): IToken | undefined {
  const text = source.text.slice(offset, offset + length);
  const hints: string[] = [];
  const suggestions: Suggestion[] = [];
  const listSeparator = text === ";" && lists.contains(offset);
  if (listSeparator) {
    // `["a"; "b"]`: a list separator from another language, not the end of a statement.
    hints.push('the values of a list are separated by \',\', e.g. ["a", "b"]');
    suggestions.push({ message: "write ','", span: source.spanOf(offset, offset + 1), replacement: "," });
  } else if (text.startsWith(";")) hints.push("a file holds one query and needs no ';': remove it");
  else if (text.startsWith("$"))
    hints.push(
      "a parameter is $ and a name of letters, digits and _ that does not start with a digit, e.g. $domain",
    );
  else if (text.startsWith("-") && /[A-Za-z]/.test(source.text[offset - 1] ?? ""))
    // `case-sensitive`, `first-name`: a dash joining words, not a minus.
    hints.push(
      /case$/i.test(source.text.slice(Math.max(0, offset - 4), offset))
        ? "oq writes 'case sensitive', with a space, after the value: email = \"Bob\" case sensitive"
        : `a field whose name has a '-' goes in backquotes: \`${dashedWordAt(source.text, offset)}\``,
    );
  else if (text.startsWith("-")) hints.push("negative numbers are written -5; a date is written 2024-01-31");
  else
    hints.push(
      'text values go in double quotes, e.g. "gmail.com"; fields whose names have unusual characters go in backquotes, e.g. `my-field`',
    );
  diagnostics.error(
    "OQ003",
    `unexpected character${text.length > 1 ? "s" : ""} '${text}'`,
    source.spanOf(offset, offset + length),
    {
      label: "not part of the oq language",
      hints,
      suggestions,
    },
  );
  if (!listSeparator) return undefined;
  const comma: IToken = {
    image: ";",
    startOffset: offset,
    endOffset: offset,
    tokenType: t.Comma,
    tokenTypeIdx: t.Comma.tokenTypeIdx!,
  };
  comma.payload = t.reportedByLexer;
  return comma;
}

function inOrder(tokens: IToken[]): IToken[] {
  return tokens.sort((a, b) => a.startOffset - b.startOffset);
}

const foreignOperators: Record<string, { token: TokenType; spelling: string }> = {
  "==": { token: t.Equals, spelling: "=" },
  "&&": { token: t.And, spelling: "and" },
  "||": { token: t.Or, spelling: "or" },
  "<>": { token: t.NotEquals, spelling: "!=" },
  "!": { token: t.Not, spelling: "not" },
  "&": { token: t.And, spelling: "and" },
  "|": { token: t.Or, spelling: "or" },
  "=>": { token: t.GreaterOrEqual, spelling: ">=" },
  "=<": { token: t.LessOrEqual, spelling: "<=" },
  "=!": { token: t.NotEquals, spelling: "!=" },
  "≥": { token: t.GreaterOrEqual, spelling: ">=" },
  "≤": { token: t.LessOrEqual, spelling: "<=" },
  "≠": { token: t.NotEquals, spelling: "!=" },
};

/** A whole date or number, as a value in quotes that is likely not meant as text. */
const quotedDateOrNumber = new RegExp(`^(?:${dateSource}|${numberSource})$`);

/** The quotes that close text in quotes oq does not use (lexer/tokenPatterns.ts, singleQuotedStringSource). */
const closingQuotes = "'’‘”“\"»";

function retype(token: IToken, type: TokenType): void {
  token.tokenType = type;
  token.tokenTypeIdx = type.tokenTypeIdx!;
}

function spanOfToken(source: SourceText, token: IToken) {
  return source.spanOf(token.startOffset, token.startOffset + token.image.length);
}

function normalizeToken(token: IToken, source: SourceText, diagnostics: DiagnosticCollector): void {
  switch (token.tokenType) {
    case t.StringLiteral:
      token.payload = decodeString(token.image.slice(1, -1), token.startOffset + 1, source, diagnostics);
      return;
    case t.UnterminatedString: {
      const body = token.image.slice(1);
      diagnostics.error("OQ004", "this text has no closing '\"'", spanOfToken(source, token), {
        label: "starts here",
        suggestions: [
          {
            message: `close it: ${token.image}"`,
            span: spanOfToken(source, token),
            replacement: `${token.image}"`,
          },
        ],
      });
      token.payload = decodeString(body.replace(/\\$/, ""), token.startOffset + 1, source, diagnostics);
      retype(token, t.StringLiteral);
      return;
    }
    case t.SingleQuotedString: {
      const opening = token.image[0]!;
      const closed = token.image.length > 1 && closingQuotes.includes(token.image.at(-1)!);
      const body = closed ? token.image.slice(1, -1) : token.image.slice(1);
      const quoted = JSON.stringify(body);
      // `'2026-11-01'`, `'3'`: a date or a number in quotes is most likely not text at all.
      const bare = quotedDateOrNumber.test(body) ? body : undefined;
      const message = bare
        ? `oq has no single quotes: a date or a number is written without quotes, text in double quotes`
        : opening === "'"
          ? "text goes in double quotes"
          : `text goes in plain double quotes ("), not typographic ones (${opening})`;
      const span = spanOfToken(source, token);
      diagnostics.error("OQ005", message, span, {
        suggestions: [
          ...(bare ? [{ message: `write ${bare}`, span, replacement: bare }] : []),
          { message: `write ${quoted}`, span, replacement: quoted },
        ],
      });
      token.payload = body;
      retype(token, t.StringLiteral);
      return;
    }
    case t.ForeignOperator: {
      const meant = foreignOperators[token.image]!;
      diagnostics.error(
        "OQ006",
        `oq writes '${meant.spelling}', not '${token.image}'`,
        spanOfToken(source, token),
        {
          suggestions: [
            {
              message: `write '${meant.spelling}'`,
              span: spanOfToken(source, token),
              replacement: meant.spelling,
            },
          ],
        },
      );
      retype(token, meant.token);
      return;
    }
    case t.QuotedIdentifier: {
      // A word merged by mergeUnicodeWords already holds its name.
      if (!token.image.startsWith("`")) return;
      token.payload = token.image.slice(1, -1);
      if (token.payload === "") {
        diagnostics.error("OQ007", "a field name in backquotes cannot be empty", spanOfToken(source, token), {
          hints: ["write the field's name between the backquotes, e.g. `first_name`"],
        });
      }
      return;
    }
    case t.Identifier:
      token.payload = token.image;
      return;
    case t.ForeignDate: {
      const span = spanOfToken(source, token);
      const foreign = explainForeignDate(token.image, span);
      diagnostics.error("OQ129", foreign.message, span, {
        hints: foreign.hints,
        suggestions: foreign.suggestions,
      });
      retype(token, t.DateLiteral);
      token.payload = t.reportedByLexer;
      return;
    }
    case t.ExponentNumber: {
      const plain = plainDigits(token.image);
      diagnostics.error(
        "OQ120",
        `numbers in oq are written in plain digits, not as ${token.image}`,
        spanOfToken(source, token),
        {
          hints: plain ? [] : ["write the number's digits, e.g. 1000 for 1e3"],
          suggestions: plain
            ? [{ message: `write ${plain}`, span: spanOfToken(source, token), replacement: plain }]
            : [],
        },
      );
      retype(token, t.NumberLiteral);
      token.payload = t.reportedByLexer;
      return;
    }
  }
}

function decodeString(
  body: string,
  bodyOffset: number,
  source: SourceText,
  diagnostics: DiagnosticCollector,
): string {
  const { value, badEscapes, loneSurrogates } = decodeStringBody(body);
  for (const { at, length } of loneSurrogates) {
    diagnostics.error(
      "OQ260",
      "this is half of a character (a lone UTF-16 surrogate), which no text can hold",
      source.spanOf(bodyOffset + at, bodyOffset + at + length),
      {
        hints: [
          'a character beyond \\uFFFF is written as itself ("😀") or as a pair of escapes ("\\ud83d\\ude00")',
        ],
      },
    );
  }
  for (const at of badEscapes) {
    const next = body[at + 1];
    const span = source.spanOf(bodyOffset + at, bodyOffset + at + (next === undefined ? 1 : 2));
    diagnostics.error("OQ008", `unknown escape '\\${next ?? ""}' in text`, span, {
      hints: [
        "the escapes are JSON's: \\\" \\\\ \\/ \\n \\t \\r \\b \\f and \\uXXXX; write \\\\ for a backslash",
      ],
    });
  }
  return value;
}
