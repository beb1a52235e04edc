import { createToken, Lexer, type TokenType } from "chevrotain";

/*
 * Every token carries a LABEL: the words used for it in error messages, so that users read
 * "expected a value" and never a token type's internal name.
 */

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: "Comment", pattern: /#[^\n]*/, group: "comments" });

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: "a field name" });
/** `weird field` in backquotes: a field whose name is a keyword or has unusual characters. */
export const QuotedIdentifier = createToken({ name: "QuotedIdentifier", pattern: /`[^`\n]*`/, label: "a field name" });

function keyword(name: string, words: string[], label = `'${words[0]}'`): TokenType {
  const alternatives = words.map((word) => word.replace(/ /g, "\\s+")).join("|");
  return createToken({
    name,
    pattern: new RegExp(alternatives, "i"),
    longer_alt: Identifier,
    label,
  });
}

export const Title = keyword("Title", ["title"]);
export const Where = keyword("Where", ["where"]);
export const And = keyword("And", ["and"]);
export const Or = keyword("Or", ["or"]);
export const Not = keyword("Not", ["not"]);
export const Contains = keyword("Contains", ["contains"]);
export const Starts = keyword("Starts", ["starts", "begins"]);
export const Ends = keyword("Ends", ["ends"]);
export const With = keyword("With", ["with"]);
export const Is = keyword("Is", ["is"]);
export const Empty = keyword("Empty", ["empty"]);
export const Between = keyword("Between", ["between"]);
export const Case = keyword("Case", ["case"]);
export const Sensitive = keyword("Sensitive", ["sensitive"]);
export const Insensitive = keyword("Insensitive", ["insensitive"]);
export const In = keyword("In", ["in"]);
export const Segment = keyword("Segment", ["segments", "segment"], "'segment'");
export const Campaign = keyword("Campaign", ["campaigns", "campaign", "mailings", "mailing"], "'campaign'");
export const During = keyword("During", ["during", "last"], "'during'");
export const Users = keyword("Users", ["users"]);
export const Select = keyword("Select", ["select"]);
export const Favorite = keyword("Favorite", ["favorite", "favourite"]);
export const Ago = keyword("Ago", ["ago"]);

export const NotEquals = createToken({ name: "NotEquals", pattern: /!=/, label: "'!='" });
export const LessOrEqual = createToken({ name: "LessOrEqual", pattern: /<=/, label: "'<='" });
export const GreaterOrEqual = createToken({ name: "GreaterOrEqual", pattern: />=/, label: "'>='" });
/** `==`, `&&`, `||`, `<>`, `!`: spellings from other languages, reported and then read as oq's own. */
export const ForeignOperator = createToken({ name: "ForeignOperator", pattern: /==|&&|\|\||<>|!/, label: "an operator" });
export const Equals = createToken({ name: "Equals", pattern: /=/, label: "'='" });
export const Less = createToken({ name: "Less", pattern: /</, label: "'<'" });
export const Greater = createToken({ name: "Greater", pattern: />/, label: "'>'" });

export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: "RBracket", pattern: /]/, label: "']'" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "','" });

export const DateLiteral = createToken({
  name: "DateLiteral",
  pattern: /\d{4}-\d{2}-\d{2}(?:[Tt]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?/,
  label: "a date",
});
export const DurationLiteral = createToken({ name: "DurationLiteral", pattern: /\d+[A-Za-z]+/, label: "a duration" });
export const NumberLiteral = createToken({ name: "NumberLiteral", pattern: /-?\d+(?:\.\d+)?/, label: "a number" });
export const StringLiteral = createToken({ name: "StringLiteral", pattern: /"(?:[^"\\\n]|\\.)*"/, label: "text in double quotes" });
/** A string missing its closing quote: reported, then read as a string to the end of the line. */
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n]|\\.)*\\?/, label: "text in double quotes" });
/** 'single quoted': reported, then read as a string. */
export const SingleQuotedString = createToken({ name: "SingleQuotedString", pattern: /'[^'\n]*'?/, label: "text in double quotes" });

export const keywordTokens: TokenType[] = [
  Title, Where, And, Or, Not, Contains, Starts, Ends, With, Is, Empty, Between, Case, Sensitive, Insensitive,
  In, Segment, Campaign, During, Users, Select, Favorite, Ago,
];

export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
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
];
