import type { TokenType } from "chevrotain";
import { keywordSpellings, type KeywordName } from "../language/keywords.js";
import { monthAbbreviations } from "../language/calendarWords.js";
import * as p from "./tokenPatterns.js";
import { defineToken, skippedGroup } from "./tokenType.js";

/*
 * Every token carries a LABEL: the words used for it in error messages, so that users read
 * "expected a value" and never a token type's internal name.
 *
 * Every token also says which characters can start it (`start_chars_hint`) and whether it can
 * hold a line break (`line_breaks`): oq's scanner (scanner.ts) tries at each place only the
 * tokens that can start with its character, as chevrotain's lexer does. grammar.test.ts checks
 * them against chevrotain's own analysis of the patterns.
 */

const digits = [..."0123456789"];
const letters = [..."abcdefghijklmnopqrstuvwxyz"];
/** A word in any case starts with one of these: its first letter, in both cases. */
const firstLetters = (words: readonly string[]) => [
  ...new Set(words.flatMap((word) => [word[0]!.toLowerCase(), word[0]!.toUpperCase()])),
];
const noLineBreaks = { line_breaks: false } as const;

const WhiteSpace = defineToken({
  name: "WhiteSpace",
  pattern: { source: p.spaceSource },
  group: skippedGroup,
  start_chars_hint: [..." \t\r\n\f\v\u00a0\ufeff"],
  line_breaks: true,
});
/** To the end of the line: \n, \r\n or a lone \r (SourceText's line breaks). */
export const Comment = defineToken({
  name: "Comment",
  pattern: { source: p.commentSource },
  group: "comments",
  start_chars_hint: ["#"],
  ...noLineBreaks,
});
/** `// ...` and `-- ...`: comments as other languages write them, reported and then read as comments. */
export const ForeignComment = defineToken({
  name: "ForeignComment",
  pattern: { source: p.foreignCommentSource },
  group: "comments",
  start_chars_hint: ["/", "-"],
  ...noLineBreaks,
});

export const Identifier = defineToken({
  name: "Identifier",
  pattern: { source: p.wordSource },
  label: "a field name",
  start_chars_hint: [...letters, ...letters.map((letter) => letter.toUpperCase()), "_"],
  ...noLineBreaks,
});
/** `$domain`: a parameter, bound to a value after parsing. */
export const Parameter = defineToken({
  name: "Parameter",
  pattern: { source: p.parameterSource },
  label: "a parameter",
  start_chars_hint: ["$"],
  ...noLineBreaks,
});
/** `weird field` in backquotes: a field whose name is a keyword or has unusual characters. */
export const QuotedIdentifier = defineToken({
  name: "QuotedIdentifier",
  pattern: { source: p.quotedWordSource },
  label: "a field name",
  start_chars_hint: ["`"],
  ...noLineBreaks,
});

function keyword(name: KeywordName, label = `'${keywordSpellings[name][0]}'`): TokenType {
  return defineToken({
    name,
    pattern: { source: () => p.keywordSource(keywordSpellings[name]), flags: "i" },
    longer_alt: Identifier,
    label,
    start_chars_hint: () => firstLetters(keywordSpellings[name]),
    // A spelling of two words takes any spaces between them, line breaks too.
    line_breaks: keywordSpellings[name].some((word) => word.includes(" ")),
  });
}

export const Title = keyword("Title");
export const Where = keyword("Where");
export const And = keyword("And");
export const Or = keyword("Or");
export const Not = keyword("Not");
export const Contains = keyword("Contains");
export const Starts = keyword("Starts");
export const Ends = keyword("Ends");
export const With = keyword("With");
export const Is = keyword("Is");
export const Empty = keyword("Empty");
export const Between = keyword("Between");
export const Case = keyword("Case");
export const Sensitive = keyword("Sensitive");
export const Insensitive = keyword("Insensitive");
export const In = keyword("In");
export const Segment = keyword("Segment", "'segment'");
export const Campaign = keyword("Campaign", "'campaign'");
export const During = keyword("During", "'during'");
export const Users = keyword("Users");
export const Select = keyword("Select");
export const Favorite = keyword("Favorite");
export const Flags = keyword("Flags");
export const Param = keyword("Param");
export const Ago = keyword("Ago");
export const DayWord = keyword("DayWord", "a date");

function symbol(name: p.SymbolName): TokenType {
  return defineToken({ name, pattern: p.symbolSpellings[name], label: `'${p.symbolSpellings[name]}'` });
}

export const NotEquals = symbol("NotEquals");
export const LessOrEqual = symbol("LessOrEqual");
export const GreaterOrEqual = symbol("GreaterOrEqual");
export const ForeignOperator = defineToken({
  name: "ForeignOperator",
  pattern: { source: p.foreignOperatorSource },
  label: "an operator",
  start_chars_hint: [..."=&|<!≥≤≠"],
  ...noLineBreaks,
});
export const Equals = symbol("Equals");
export const Less = symbol("Less");
export const Greater = symbol("Greater");
export const LParen = symbol("LParen");
export const RParen = symbol("RParen");
export const LBracket = symbol("LBracket");
export const RBracket = symbol("RBracket");
export const Comma = symbol("Comma");
export const Star = symbol("Star");

/** `11/01/2026`, `2026-10`, `1 Nov 2026`: reported with the date oq writes, then read as a date. */
export const ForeignDate = defineToken({
  name: "ForeignDate",
  pattern: { source: p.foreignDateSource, flags: "i" },
  label: "a date",
  start_chars_hint: [...digits, ...firstLetters(monthAbbreviations)],
  ...noLineBreaks,
});
export const DateLiteral = defineToken({
  name: "DateLiteral",
  pattern: { source: p.dateSource },
  label: "a date",
  start_chars_hint: digits,
  ...noLineBreaks,
});
/**
 * The payload of a number or duration token whose mistake the lexer has reported (OQ120,
 * OQ126, OQ127): the checker refuses its value without reporting it again.
 */
export const reportedByLexer = Symbol("reported by the lexer");

/** `1e3`: numbers in exponent notation are not oq; reported with the plain digits when they are exact. */
export const ExponentNumber = defineToken({
  name: "ExponentNumber",
  pattern: { source: p.exponentNumberSource },
  label: "a number",
  start_chars_hint: ["-", ...digits],
  ...noLineBreaks,
});
export const DurationLiteral = defineToken({
  name: "DurationLiteral",
  pattern: { source: p.durationSource, flags: "i" },
  label: "a duration",
  start_chars_hint: digits,
  ...noLineBreaks,
});
export const NumberLiteral = defineToken({
  name: "NumberLiteral",
  pattern: { source: p.numberSource },
  label: "a number",
  start_chars_hint: ["-", ...digits],
  ...noLineBreaks,
});
export const StringLiteral = defineToken({
  name: "StringLiteral",
  pattern: { source: p.stringSource },
  label: "text in double quotes",
  start_chars_hint: ['"'],
  ...noLineBreaks,
});
/** A string missing its closing quote: reported, then read as a string to the end of the line. */
export const UnterminatedString = defineToken({
  name: "UnterminatedString",
  pattern: { source: p.unterminatedStringSource },
  label: "text in double quotes",
  start_chars_hint: ['"'],
  ...noLineBreaks,
});
/** 'single quoted': reported, then read as a string. */
export const SingleQuotedString = defineToken({
  name: "SingleQuotedString",
  pattern: { source: p.singleQuotedStringSource },
  label: "text in double quotes",
  start_chars_hint: [..."'‘‚‛“„‟«"],
  ...noLineBreaks,
});

export const keywordTokens: TokenType[] = [
  Title,
  Where,
  And,
  Or,
  Not,
  Contains,
  Starts,
  Ends,
  With,
  Is,
  Empty,
  Between,
  Case,
  Sensitive,
  Insensitive,
  In,
  Segment,
  Campaign,
  During,
  Users,
  Select,
  Favorite,
  Flags,
  Param,
  Ago,
  DayWord,
];

export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  ForeignComment,
  ForeignDate,
  ExponentNumber,
  DateLiteral,
  DurationLiteral,
  NumberLiteral,
  StringLiteral,
  UnterminatedString,
  SingleQuotedString,
  ...keywordTokens,
  Identifier,
  QuotedIdentifier,
  Parameter,
  NotEquals,
  LessOrEqual,
  GreaterOrEqual,
  ForeignOperator,
  Equals,
  Less,
  Greater,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Star,
];
