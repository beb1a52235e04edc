import { numericTextSource } from "../language/numberText.js";
import { lineBreakClass } from "../diagnostics/source.js";
import { durationUnitWords, monthAbbreviations } from "../language/calendarWords.js";

/*
 * The source of every token pattern, once. The token types (tokens.ts) compile them as they are,
 * the fast parser with the sticky flag, the checker's date parse anchored and with capture
 * groups. Kept free of the token types so that the fast path does not build them.
 */

export const spaceSource = String.raw`[ \t\r\n\f\v\u00a0\ufeff]+`;
/** To the end of the line: \n, \r\n or a lone \r (SourceText's line breaks). */
export const commentSource = String.raw`#[^${lineBreakClass}]*`;
/** `// ...` and `-- ...`: comments as other languages write them. */
export const foreignCommentSource = String.raw`(?:\/\/|--(?![^ \t${lineBreakClass}]))[^${lineBreakClass}]*`;
export const wordSource = "[A-Za-z_][A-Za-z0-9_]*";
/** `$domain`: a parameter, bound to a value after parsing. */
export const parameterSource = "\\$[A-Za-z_][A-Za-z0-9_]*";
export const quotedWordSource = String.raw`\`[^\`${lineBreakClass}]*\``;

/**
 * A date, `2024-01-31` or `2024-01-31T10:00:00.5+03:00`. `part` wraps each of its eight parts
 * (year, month, day, hour, minute, second, fraction, zone): a group that captures, for reading
 * one, or one that does not, for finding one.
 */
function datePattern(part: (source: string) => string): string {
  const [digits2, digits4] = [String.raw`\d{2}`, String.raw`\d{4}`];
  const time = `[Tt]${part(digits2)}:${part(digits2)}(?::${part(digits2)}(?:\\.${part(String.raw`\d+`)})?)?`;
  const zone = part(String.raw`[Zz]|[+-]\d{2}:?\d{2}`);
  return `${part(digits4)}-${part(digits2)}-${part(digits2)}(?:${time}${zone}?)?`;
}
export const dateSource = datePattern((source) => `(?:${source})`);

const monthName = String.raw`(?:${monthAbbreviations.join("|")})[a-z]*\.?`;
/**
 * Dates as people write them, not as oq does: `11/01/2026`, `2026/11/01`, `01.11.2026`, a month
 * `2026-10`, `1 Nov 2026`, `Nov 1, 2026`. Read as one token so that the mistake is one error
 * with the fix (lexer.ts), not four about its pieces.
 */
export const foreignDateSource = [
  String.raw`\d{1,2}/\d{1,2}/\d{2}(?:\d{2})?(?![\d/])`,
  String.raw`\d{4}/\d{1,2}/\d{1,2}(?![\d/])`,
  String.raw`\d{1,2}\.\d{1,2}\.\d{4}(?![\d.])`,
  String.raw`\d{4}-\d{1,2}(?![\d-])`,
  String.raw`\d{1,2}(?:st|nd|rd|th)?[ \t]+${monthName}[ \t]+\d{4}(?!\d)`,
  String.raw`${monthName}[ \t]+\d{1,2}(?:st|nd|rd|th)?,?[ \t]+\d{4}(?!\d)`,
]
  .map((source) => `(?:${source})`)
  .join("|");
/** The date alone, its parts captured in the order datePattern names them. */
export const dateCapturingSource = `^${datePattern((source) => `(${source})`)}$`;

export const numberSource = numericTextSource;
/** `1e3`: not oq, a token so that it can be reported with the plain digits. */
export const exponentNumberSource = String.raw`${numberSource}[eE][+-]?\d+`;

/**
 * A duration as written: digits, then a unit glued on (`30d`, or any letters, which the checker
 * reports if they are no unit) or a unit after spaces on the same line (`3 months`, `3 mo`).
 */
export const durationSource = String.raw`\d+(?:[ \t]+(?:${durationUnitWords.join("|")})(?![A-Za-z0-9_])|[A-Za-z]+)`;

const stringBody = String.raw`(?:[^"\\${lineBreakClass}]|\\.)*`;
export const stringSource = `"${stringBody}"`;
/** A string missing its closing quote, to the end of the line. */
export const unterminatedStringSource = String.raw`"${stringBody}\\?`;
/**
 * Text in quotes oq does not use: 'single', and the typographic quotes word processors and
 * chat apps put in (“…”, ‘…’, „…“, «…»), each to its closing quote or the end of the line.
 */
export const singleQuotedStringSource = [
  String.raw`'[^'${lineBreakClass}]*'?`,
  // Typographic quotes as \u escapes: a String.raw keeps its characters as written, and one
  // character past ASCII in a bundle costs every start (V8 reads and decodes it as two-byte text).
  `[\u2018\u201a\u201b][^\u2019\u2018'${lineBreakClass}]*[\u2019\u2018']?`,
  `[\u201c\u201e\u201f][^\u201d\u201c"${lineBreakClass}]*[\u201d\u201c"]?`,
  `\u00ab[^\u00bb${lineBreakClass}]*\u00bb?`,
].join("|");

/** A keyword's spellings as one pattern: a spelling of two words takes any spaces between them. */
export function keywordSource(spellings: readonly string[]): string {
  return spellings.map((word) => word.replace(/ /g, String.raw`\s+`)).join("|");
}

/** The operators and punctuation, by token name. Two-character spellings are tried first. */
export const symbolSpellings = {
  NotEquals: "!=",
  LessOrEqual: "<=",
  GreaterOrEqual: ">=",
  Equals: "=",
  Less: "<",
  Greater: ">",
  LParen: "(",
  RParen: ")",
  LBracket: "[",
  RBracket: "]",
  Comma: ",",
  /** `*`, as in `select *`: not oq, a token so that the parser can say what to write instead. */
  Star: "*",
} as const;

export type SymbolName = keyof typeof symbolSpellings;

/**
 * `==`, `&&`, `||`, `<>`, `!`, `&`, `|`, the arrows `=>`, `=<`, `=!` typed the wrong way round, and
 * `≥`, `≤`, `≠`: spellings from other languages and typing slips, reported and then read as oq's
 * own. Longer spellings first.
 */
export const foreignOperatorSource = String.raw`==|=>|=<|=!|&&|\|\||<>|!|&|\||` + "\u2265|\u2264|\u2260";
