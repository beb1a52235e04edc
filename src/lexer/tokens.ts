import { createToken, Lexer, type TokenType } from "chevrotain";
import { durationSource } from "../language/calendarWords.js";
import { keywordSpellings } from "../language/keywords.js";
import { lineBreakClass } from "../diagnostics/source.js";

/*
 * Every token carries a LABEL: the words used for it in error messages, so that users read
 * "expected a value" and never a token type's internal name.
 */

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/,
  group: Lexer.SKIPPED,
});
/** To the end of the line: \n, \r\n or a lone \r (SourceText's line breaks). */
export const Comment = createToken({
  name: "Comment",
  pattern: new RegExp(String.raw`#[^${lineBreakClass}]*`),
  group: "comments",
});
/** `// ...` and `-- ...`: comments as other languages write them, reported and then read as comments. */
export const ForeignComment = createToken({
  name: "ForeignComment",
  pattern: new RegExp(String.raw`(?:\/\/|--(?![^ \t${lineBreakClass}]))[^${lineBreakClass}]*`),
  group: "comments",
});

export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  label: "a field name",
});
/** `weird field` in backquotes: a field whose name is a keyword or has unusual characters. */
export const QuotedIdentifier = createToken({
  name: "QuotedIdentifier",
  pattern: new RegExp(String.raw`\`[^\`${lineBreakClass}]*\``),
  label: "a field name",
});

function keyword(name: string, words: string[], label = `'${words[0]}'`): TokenType {
  const alternatives = words.map((word) => word.replace(/ /g, "\\s+")).join("|");
  return createToken({
    name,
    pattern: new RegExp(alternatives, "i"),
    longer_alt: Identifier,
    label,
  });
}

export const Title = keyword("Title", [...keywordSpellings.Title]);
export const Where = keyword("Where", [...keywordSpellings.Where]);
export const And = keyword("And", [...keywordSpellings.And]);
export const Or = keyword("Or", [...keywordSpellings.Or]);
export const Not = keyword("Not", [...keywordSpellings.Not]);
export const Contains = keyword("Contains", [...keywordSpellings.Contains]);
export const Starts = keyword("Starts", [...keywordSpellings.Starts]);
export const Ends = keyword("Ends", [...keywordSpellings.Ends]);
export const With = keyword("With", [...keywordSpellings.With]);
export const Is = keyword("Is", [...keywordSpellings.Is]);
export const Empty = keyword("Empty", [...keywordSpellings.Empty]);
export const Between = keyword("Between", [...keywordSpellings.Between]);
export const Case = keyword("Case", [...keywordSpellings.Case]);
export const Sensitive = keyword("Sensitive", [...keywordSpellings.Sensitive]);
export const Insensitive = keyword("Insensitive", [...keywordSpellings.Insensitive]);
export const In = keyword("In", [...keywordSpellings.In]);
export const Segment = keyword("Segment", [...keywordSpellings.Segment], "'segment'");
export const Campaign = keyword("Campaign", [...keywordSpellings.Campaign], "'campaign'");
export const During = keyword("During", [...keywordSpellings.During], "'during'");
export const Users = keyword("Users", [...keywordSpellings.Users]);
export const Select = keyword("Select", [...keywordSpellings.Select]);
export const Favorite = keyword("Favorite", [...keywordSpellings.Favorite]);
export const Flags = keyword("Flags", [...keywordSpellings.Flags]);
export const Ago = keyword("Ago", [...keywordSpellings.Ago]);
export const DayWord = keyword("DayWord", [...keywordSpellings.DayWord], "a date");

export const NotEquals = createToken({ name: "NotEquals", pattern: /!=/, label: "'!='" });
export const LessOrEqual = createToken({ name: "LessOrEqual", pattern: /<=/, label: "'<='" });
export const GreaterOrEqual = createToken({ name: "GreaterOrEqual", pattern: />=/, label: "'>='" });
/** `==`, `&&`, `||`, `<>`, `!`: spellings from other languages, reported and then read as oq's own. */
export const ForeignOperator = createToken({
  name: "ForeignOperator",
  pattern: /==|&&|\|\||<>|!/,
  label: "an operator",
});
export const Equals = createToken({ name: "Equals", pattern: /=/, label: "'='" });
export const Less = createToken({ name: "Less", pattern: /</, label: "'<'" });
export const Greater = createToken({ name: "Greater", pattern: />/, label: "'>'" });

export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: "RBracket", pattern: /]/, label: "']'" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "','" });
/** `*`, as in `select *`: not oq, but a token so that the parser can say what to write instead. */
export const Star = createToken({ name: "Star", pattern: /\*/, label: "'*'" });

export const DateLiteral = createToken({
  name: "DateLiteral",
  pattern: /\d{4}-\d{2}-\d{2}(?:[Tt]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?/,
  label: "a date",
});
/**
 * The payload of a number or duration token whose mistake the lexer has reported (OQ120,
 * OQ126, OQ127): the checker refuses its value without reporting it again.
 */
export const reportedByLexer = Symbol("reported by the lexer");

/** `1e3`: numbers in exponent notation are not oq; reported with the plain digits when they are exact. */
export const ExponentNumber = createToken({
  name: "ExponentNumber",
  pattern: /-?\d+(?:\.\d+)?[eE][+-]?\d+/,
  label: "a number",
});
export const DurationLiteral = createToken({
  name: "DurationLiteral",
  pattern: new RegExp(durationSource, "i"),
  label: "a duration",
});
export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /-?\d+(?:\.\d+)?/,
  label: "a number",
});
export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: new RegExp(String.raw`"(?:[^"\\${lineBreakClass}]|\\.)*"`),
  label: "text in double quotes",
});
/** A string missing its closing quote: reported, then read as a string to the end of the line. */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: new RegExp(String.raw`"(?:[^"\\${lineBreakClass}]|\\.)*\\?`),
  label: "text in double quotes",
});
/** 'single quoted': reported, then read as a string. */
export const SingleQuotedString = createToken({
  name: "SingleQuotedString",
  pattern: new RegExp(String.raw`'[^'${lineBreakClass}]*'?`),
  label: "text in double quotes",
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
  Ago,
  DayWord,
];

export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  ForeignComment,
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
