import type { SourceText, Span } from "../diagnostics/source.js";
import { monthAbbreviations } from "../language/calendarWords.js";
import { keywordAt, keywordOf, type KeywordName } from "../language/keywords.js";
import { decodeStringBody } from "../lexer/strings.js";
import * as p from "../lexer/tokenPatterns.js";
import type { Limits } from "../language/limits.js";
import type { ScannedText } from "../lexer/scannedText.js";
import type * as ast from "./ast.js";
import { clauseKeywords } from "./keywordRoles.js";
import { firstTooDeep } from "./nesting.js";
import * as make from "./nodes.js";
import * as op from "./operators.js";

/*
 * The fast path: a small scanner and recursive-descent parser for queries without mistakes.
 * Most queries have none, and this reads them several times faster than the recovering parser, without
 * loading it. At the first thing it does not expect (any error, any unusual spelling) it gives
 * up and returns undefined, and the recovering parser reads the query again and reports what
 * is wrong. A property test holds the two to the same tree for every query this one accepts.
 */

type Kind =
  | KeywordName
  | "Identifier"
  | "QuotedIdentifier"
  | "StringLiteral"
  | "NumberLiteral"
  | "DateLiteral"
  | "DurationLiteral"
  | "Parameter"
  | p.SymbolName
  | "End";

/** A token the fast scanner read, of a kind named as the lexer's token type (tokens.ts). */
interface Token {
  kind: Kind;
  start: number;
  end: number;
  /** The name of a field, the text of a string; "" for a keyword (its text is `text(token)`). */
  value: string;
}

/** What the fast path read of a text: the tree of a query without mistakes, or else what it scanned, when it scanned it all as the lexer does. */
interface FastReading {
  query?: ast.Query;
  /** Its tokens (the last, `End`) and comments, the very ones the lexer reads (lexer.ts takes them rather than reading the text again). */
  scanned?: ScannedText;
}

const kindOf = (token: Token) => token.kind;

/** Thrown to leave the fast path; caught in fastParse. */
class GiveUp extends Error {}
const giveUp = new GiveUp();

const datePattern = new RegExp(p.dateSource, "y");
const durationPattern = new RegExp(p.durationSource, "iy");
const numberPattern = new RegExp(p.numberSource, "y");
const stringPattern = new RegExp(p.stringSource, "y");
const quotedWordPattern = new RegExp(p.quotedWordSource, "y");
const commentPattern = new RegExp(p.commentSource, "y");
const parameterPattern = new RegExp(p.parameterSource, "y");
const foreignOperatorPattern = new RegExp(p.foreignOperatorSource, "y");
/** Built only where a date as people write it, or a number in exponent notation, may begin (scannedAsLexed). */
let foreignDatePattern: RegExp | undefined;
let exponentNumberPattern: RegExp | undefined;
/** The characters another language's operator (`==`, `&&`, `||`, `<>`, `!`) can start with. */
const foreignStarts = new Set(
  p.foreignOperatorSource.split(/(?<!\\)\|/).map((spelling) => spelling.replace(/\\/g, "")[0]!),
);

/*
 * Character classes of tokenPatterns.ts, tested on character codes: the scanner reads the
 * commonest tokens (spaces, words) without a regular expression and tries the others' only where
 * they can match, which was a quarter of a compile. fastParser.test.ts holds it to the lexer's
 * reading next to every ASCII character. (charCodeAt past the end is NaN: no class holds it.)
 */
const isLetter = (code: number) => (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
const isDigit = (code: number) => code >= 48 && code <= 57;
/** [A-Za-z_], as wordSource starts. */
const isWordStart = (code: number) => isLetter(code) || code === 95;
/** [A-Za-z0-9_], as wordSource goes on. */
const isWordPart = (code: number) => isWordStart(code) || isDigit(code);
/** spaceSource's characters: [ \t\r\n\f\v\u00a0\ufeff]. */
const isSpace = (code: number) =>
  code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0xfeff;

function matchAt(pattern: RegExp, text: string, at: number): number {
  pattern.lastIndex = at;
  return pattern.test(text) ? pattern.lastIndex : -1;
}

const symbolEntries = Object.entries(p.symbolSpellings) as [p.SymbolName, string][];
const symbolBySpelling = new Map<string, p.SymbolName>(
  symbolEntries.filter(([, spelling]) => spelling.length === 1).map(([name, spelling]) => [spelling, name]),
);
/**
 * The two-character symbols by their first character: their second's code, and their name. One
 * per first character: a second one (`<>` beside `<=`) would need a list here, so it stops oq
 * from loading rather than be read as the other.
 */
const pairByFirst = new Map<string, readonly [number, p.SymbolName]>();
for (const [name, spelling] of symbolEntries) {
  if (spelling.length !== 2) continue;
  if (pairByFirst.has(spelling[0]!))
    throw new Error(`fastParser.ts reads one two-character symbol per first character, not ${spelling}`);
  pairByFirst.set(spelling[0]!, [spelling.charCodeAt(1), name]);
}

function scan(text: string, comments: ast.CommentNode[], source: SourceText, maxTokens: number): Token[] {
  const tokens: Token[] = [];
  // Each branch that reads a token sets its kind, end and value; the token is pushed below. (Not
  // by a closure: a variable a closure changes lives on the heap, and `at` is read at every step.)
  let at = 0;
  let kind: Kind;
  let end: number;
  let value: string;
  while (at < text.length) {
    // By code: the character as a string is needed only to look a symbol up.
    const code = text.charCodeAt(at);
    value = "";
    if (isSpace(code)) {
      // spaceSource, read without a regular expression, as words below: these are most of the
      // characters of a query.
      do at++;
      while (at < text.length && isSpace(text.charCodeAt(at)));
      continue;
    } else if (code === 35 /* # */) {
      end = matchAt(commentPattern, text, at);
      comments.push(make.comment(text.slice(at, end), source.spanOf(at, end)));
      at = end;
      continue;
    } else if (isDigit(code) || (code === 45 /* - */ && isDigit(text.charCodeAt(at + 1)))) {
      // Each pattern is tried only where it can match: a date starts with four digits and `-`,
      // a duration with digits and then a letter, a space or a tab.
      let digitsEnd = at;
      while (isDigit(text.charCodeAt(digitsEnd))) digitsEnd++;
      const afterDigits = text.charCodeAt(digitsEnd);
      const mayBeDate = digitsEnd === at + 4 && afterDigits === 45;
      const mayBeDuration =
        digitsEnd > at && (isLetter(afterDigits) || afterDigits === 32 || afterDigits === 9);
      if (mayBeDate && (end = matchAt(datePattern, text, at)) > 0) kind = "DateLiteral";
      else if (mayBeDuration && isLetter(afterDigits)) {
        // Glued (`30d`), as durationSource reads it: the digits, then every letter after them.
        end = digitsEnd + 1;
        while (isLetter(text.charCodeAt(end))) end++;
        kind = "DurationLiteral";
      } else if (mayBeDuration && (end = matchAt(durationPattern, text, at)) > 0) kind = "DurationLiteral";
      else if ((end = matchAt(numberPattern, text, at)) > 0) kind = "NumberLiteral";
      else throw giveUp;
      // `1e3`, `30d5`: glued to what follows, which the recovering parser explains.
      if (isWordPart(text.charCodeAt(end)) || text.charCodeAt(end) === 46) throw giveUp;
    } else if (code === 34 /* " */) {
      end = matchAt(stringPattern, text, at);
      if (end < 0) throw giveUp;
      const decoded = decodeStringBody(text.slice(at + 1, end - 1));
      if (decoded.badEscapes.length > 0 || decoded.loneSurrogates.length > 0) throw giveUp;
      kind = "StringLiteral";
      value = decoded.value;
    } else if (code === 36 /* $ */) {
      end = matchAt(parameterPattern, text, at);
      if (end < 0) throw giveUp;
      kind = "Parameter";
    } else if (code === 96 /* ` */) {
      end = matchAt(quotedWordPattern, text, at);
      if (end <= at + 2) throw giveUp; // unclosed, or empty: the recovering parser reports either
      kind = "QuotedIdentifier";
      value = text.slice(at + 1, end - 1);
    } else if (isWordStart(code)) {
      end = at + 1;
      while (end < text.length && isWordPart(text.charCodeAt(end))) end++;
      // Only a name needs its text as a string: a keyword is known by its characters.
      const keyword = keywordAt(text, at, end);
      if (keyword) kind = keyword;
      else {
        kind = "Identifier";
        value = text.slice(at, end);
      }
    } else {
      // As chevrotain tries them: `!=`, `<=`, `>=`; then other languages' `==`, `<>`, `!`, `&&`,
      // `||`, which the recovering parser reports; then one character.
      // Looked up by character, not by a slice of the text: a slice is a new string to hash.
      const char = text[at]!;
      const pair = pairByFirst.get(char);
      const single = symbolBySpelling.get(char);
      if (pair && text.charCodeAt(at + 1) === pair[0]) {
        kind = pair[1];
        end = at + 2;
      } else if (single && !(foreignStarts.has(char) && matchAt(foreignOperatorPattern, text, at) >= 0)) {
        kind = single;
        end = at + 1;
      } else throw giveUp; // quotes of the wrong kind, stray characters
    }
    tokens.push({ kind, start: at, end, value });
    at = end;
    if (tokens.length > maxTokens) throw giveUp;
  }
  tokens.push({ kind: "End", start: text.length, end: text.length, value: "" });
  return tokens;
}

const clauseStarts = new Set<Kind>(clauseKeywords);
const conditionStarts = new Set<Kind>(["Not", "LParen", "In", "Identifier", "QuotedIdentifier"]);

class FastParser {
  private at = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly source: SourceText,
  ) {}

  query(comments: ast.CommentNode[]): ast.Query {
    const params: ast.ParamDeclaration[] = [];
    while (this.peek().kind === "Param") params.push(this.paramDeclaration());
    const clauses: ast.Clause[] = [];
    while (clauseStarts.has(this.peek().kind)) clauses.push(this.clause());
    let condition: ast.Condition | undefined;
    let where: Token | undefined;
    if (this.peek().kind === "Where" || conditionStarts.has(this.peek().kind)) {
      if (this.peek().kind === "Where") where = this.next();
      condition = this.orCondition();
    }
    while (clauseStarts.has(this.peek().kind)) clauses.push(this.clause());
    if (this.peek().kind !== "End") throw giveUp;
    return make.query(this.source, {
      params,
      clauses,
      condition,
      whereSpan: where && this.span(where),
      comments,
    });
  }

  private paramDeclaration(): ast.ParamDeclaration {
    const keyword = this.next();
    const name = this.next();
    // Any word names a parameter, a keyword too (`param segment = 1234`).
    const word = this.text(name);
    if (name.kind === "Param" || (name.kind !== "Identifier" && keywordOf(word) !== name.kind)) throw giveUp;
    let defaultValue: ast.ValueList | undefined;
    if (this.peek().kind === "Equals") {
      this.next();
      defaultValue = this.valueOrList();
    }
    return make.paramDeclaration(this.span(keyword), word, this.span(name), defaultValue);
  }

  // ----- clauses -----

  private clause(): ast.Clause {
    const keyword = this.next();
    switch (keyword.kind) {
      case "Title": {
        const title =
          this.peek().kind === "Parameter"
            ? this.parameter(this.next())
            : this.stringValue(this.expect("StringLiteral"));
        return make.titleClause(this.span(keyword), title);
      }
      case "During": {
        const duration =
          this.peek().kind === "Parameter"
            ? this.parameter(this.next())
            : this.durationValue(this.expect("DurationLiteral"));
        return make.duringClause(this.span(keyword), duration);
      }
      case "Between": {
        const from = this.value();
        this.expect("And");
        return make.betweenClause(this.span(keyword), from, this.value());
      }
      case "Users": {
        const word = this.next();
        if (word.kind === "Parameter") return make.usersClause(this.span(keyword), this.parameter(word));
        if (word.kind !== "Identifier" && word.kind !== "StringLiteral") throw giveUp;
        return make.usersClause(this.span(keyword), { word: word.value, span: this.span(word) });
      }
      case "Select": {
        const fields = [this.field()];
        while (this.peek().kind === "Comma") {
          this.next();
          fields.push(this.field());
        }
        return make.selectClause(this.span(keyword), fields);
      }
      case "Flags": {
        const flags: ast.RequestFlagSetting[] = [];
        do {
          if (flags.length > 0) this.next();
          const name = this.expect("Identifier");
          let value: { word: string; span: Span } | undefined;
          if (this.peek().kind === "Equals") {
            this.next();
            const word = this.expect("Identifier");
            value = { word: word.value, span: this.span(word) };
          }
          flags.push(make.requestFlagSetting(name.value, this.span(name), value));
        } while (this.peek().kind === "Comma");
        return make.flagsClause(this.span(keyword), flags);
      }
      default:
        return make.favoriteClause(this.span(keyword));
    }
  }

  // ----- conditions -----

  private orCondition(): ast.Condition {
    const operands = [this.andCondition()];
    while (this.peek().kind === "Or") {
      this.next();
      operands.push(this.andCondition());
    }
    return make.chain("Or", operands);
  }

  private andCondition(): ast.Condition {
    const operands = [this.unaryCondition()];
    while (this.peek().kind === "And") {
      this.next();
      operands.push(this.unaryCondition());
    }
    return make.chain("And", operands);
  }

  private unaryCondition(): ast.Condition {
    if (this.peek().kind !== "Not") return this.primaryCondition();
    const not = this.next();
    return make.notCondition(this.span(not), this.unaryCondition());
  }

  private primaryCondition(): ast.Condition {
    const first = this.peek();
    if (first.kind === "LParen") {
      const open = this.next();
      const inner = this.orCondition();
      const close = this.expect("RParen");
      return make.group(inner, this.spanFrom(open, close));
    }
    if (first.kind === "In") {
      this.next();
      this.expect("Segment");
      return make.segmentTest(this.span(first), this.valueOrList());
    }
    if (first.kind === "Identifier" && this.peek(1).kind === "Campaign") {
      this.next();
      this.next();
      return make.behavioralTest(first.value, this.span(first), this.valueOrList());
    }
    return this.comparison();
  }

  private comparison(): ast.Comparison {
    const field = this.field();
    const first = this.peek();
    const operatorTokens: Token[] = [];
    let operator: ast.ComparisonOperator | undefined;
    if ((operator = op.symbolOperatorOf(first.kind))) {
      operatorTokens.push(this.next());
    } else if (first.kind === "Is") {
      operatorTokens.push(this.next());
      if (this.peek().kind === "Not") operatorTokens.push(this.next());
      operatorTokens.push(this.expect("Empty"));
      operator = op.emptinessOperator(operatorTokens.length === 3);
    } else {
      if (first.kind === "Not") operatorTokens.push(this.next());
      const word = this.next();
      operator = op.wordOperatorOf(word.kind, first.kind === "Not");
      if (!operator) throw giveUp;
      operatorTokens.push(word);
      if (op.takesWith(word.kind) && this.peek().kind === "With") operatorTokens.push(this.next());
    }
    const operatorSpan = this.spanFrom(operatorTokens[0]!, operatorTokens.at(-1)!);

    let operands: ast.ValueList | undefined;
    const takes = op.operandsOf(operator);
    if (takes === "range") {
      const low = this.value();
      this.expect("And");
      operands = make.bounds(low, this.value());
    } else if (takes === "values") {
      operands = this.valueOrList();
    }
    let caseOption: { sensitive: boolean; span: Span } | undefined;
    if (this.peek().kind === "Case" && op.takesCase(operator)) {
      const keyword = this.next();
      const sensitivity = this.next();
      const sensitive = op.caseFlagOf(sensitivity.kind);
      if (sensitive === undefined) throw giveUp;
      caseOption = { sensitive, span: this.spanFrom(keyword, sensitivity) };
    }
    return make.comparison(field, operator, operatorSpan, operands, caseOption);
  }

  // ----- values and names -----

  private valueOrList(): ast.ValueList {
    if (this.peek().kind !== "LBracket") return make.single(this.value());
    const open = this.next();
    const values = [this.value()];
    while (this.peek().kind === "Comma") {
      this.next();
      values.push(this.value());
    }
    const close = this.expect("RBracket");
    return make.list(values, this.spanFrom(open, close));
  }

  private value(): ast.Value {
    const token = this.next();
    switch (token.kind) {
      case "StringLiteral":
        return this.stringValue(token);
      case "NumberLiteral":
        return make.numberValue(this.text(token), this.span(token));
      case "DateLiteral":
        return make.dateValue(this.text(token), this.span(token));
      case "DayWord":
        return make.dayWordValue(this.text(token), this.span(token));
      case "Parameter":
        return this.parameter(token);
      case "DurationLiteral": {
        const duration = this.durationValue(token);
        if (this.peek().kind !== "Ago") return duration;
        return make.relativeDate(duration, this.span(this.next()));
      }
      default:
        throw giveUp;
    }
  }

  private parameter(token: Token): ast.ParameterValue {
    return make.parameterValue(this.text(token), this.span(token));
  }

  private stringValue(token: Token): ast.StringValue {
    return make.stringValue(token.value, this.span(token));
  }

  private durationValue(token: Token): ast.DurationValue {
    return make.durationValue(this.text(token), this.span(token));
  }

  private field(): ast.FieldRef {
    const token = this.next();
    if (token.kind !== "Identifier" && token.kind !== "QuotedIdentifier") throw giveUp;
    return make.fieldRef(token.value, token.kind === "QuotedIdentifier", this.span(token));
  }

  // ----- helpers -----

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.at + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind === "End") throw giveUp;
    this.at++;
    return token;
  }

  private expect(kind: Kind): Token {
    const token = this.next();
    if (token.kind !== kind) throw giveUp;
    return token;
  }

  private text(token: Token): string {
    return this.source.text.slice(token.start, token.end);
  }

  private span(token: Token): Span {
    return this.source.spanOf(token.start, token.end);
  }

  private spanFrom(first: Token, last: Token): Span {
    return this.source.spanOf(first.start, last.end);
  }
}

/**
 * The AST of a query without mistakes, or undefined when the query has (or may have) any:
 * then the recovering parser must read it, to report them.
 */
export function fastParse(source: SourceText, limits: Limits): ast.Query | undefined {
  return fastRead(source, limits).query;
}

/**
 * The fast path: the AST of a query without mistakes; for a query it gives up on, its tokens
 * when it scanned all of the text as the lexer does, so that the recovering parser does not read
 * it again (scanner.test.ts holds the two to the same tokens).
 */
export function fastRead(source: SourceText, limits: Limits): FastReading {
  if (source.text.length > limits.maxSourceLength) return {};
  const comments: ast.CommentNode[] = [];
  let tokens: Token[];
  try {
    tokens = scan(source.text, comments, source, limits.maxTokens);
  } catch (error) {
    if (error === giveUp) return {};
    throw error;
  }
  try {
    // Nesting past the limit is the recovering parser's to report (OQ009), counted the same way.
    if (firstTooDeep(tokens, kindOf, limits.maxDepth) < 0)
      return { query: new FastParser(tokens, source).query(comments) };
  } catch (error) {
    if (error !== giveUp) throw error;
  }
  return scannedAsLexed(source.text, tokens) ? { scanned: { tokens, comments } } : {};
}

/**
 * Whether the lexer reads `text` into the same tokens as the scanner above did. It does, token
 * for token, except where the lexer reads as one token what this scanner reads as several: a
 * date as people write it (`2026-10`, `1 Nov 2026`, `11/01/2026`: ForeignDate) or a number in
 * exponent notation (`1e-5`: ExponentNumber, read here as the duration `1e` and the number
 * `-5`), token types the lexer tries first. Every other token type the lexer tries before the one
 * this scanner chose cannot match where it chose it, or this scanner gave up there
 * (scanner.test.ts). Asked only of a query with a mistake.
 */
function scannedAsLexed(text: string, tokens: readonly Token[]): boolean {
  for (const { start } of tokens) {
    // The patterns are long, and compiling ForeignDate's cost a start ~1 ms: only where one may match.
    if (mayStartForeignDate(text, start)) {
      foreignDatePattern ??= new RegExp(p.foreignDateSource, "iy");
      if (matchAt(foreignDatePattern, text, start) >= 0) return false;
    }
    if (mayStartExponentNumber(text, start)) {
      exponentNumberPattern ??= new RegExp(p.exponentNumberSource, "y");
      if (matchAt(exponentNumberPattern, text, start) >= 0) return false;
    }
  }
  return true;
}

/**
 * Whether exponentNumberSource can match at `at`, told from a few characters (it must hold
 * wherever the pattern matches: scanner.test.ts): digits, after a `-` or not, and then `e` or
 * `E`, after a fraction or not.
 */
function mayStartExponentNumber(text: string, at: number): boolean {
  let end = text.charCodeAt(at) === 45 /* - */ ? at + 1 : at;
  if (!isDigit(text.charCodeAt(end))) return false;
  while (isDigit(text.charCodeAt(end)) || text.charCodeAt(end) === 46 /* . */) end++;
  return (text.charCodeAt(end) | 0x20) === 101; /* e, E */
}

const monthStarts: ReadonlySet<string> = new Set(monthAbbreviations);
/** Whether the three letters at `at` start a month's name (any case). */
const monthAt = (text: string, at: number) => monthStarts.has(text.slice(at, at + 3).toLowerCase());

/**
 * Whether foreignDateSource can match at `at`, told from a few characters (it must hold wherever
 * the pattern matches; scanner.test.ts holds them together): a month's name; or digits and then
 * `/`, `.` or `-`; or one or two digits, an ordinal's letters, spaces, and a month's name.
 */
function mayStartForeignDate(text: string, at: number): boolean {
  if (isLetter(text.charCodeAt(at))) return monthAt(text, at);
  let end = at;
  while (isDigit(text.charCodeAt(end))) end++;
  if (end === at) return false;
  const after = text.charCodeAt(end);
  if (after === 47 /* / */ || after === 46 /* . */ || after === 45 /* - */) return true;
  if (end - at > 2) return false;
  while (isLetter(text.charCodeAt(end))) end++;
  if (!isSpaceOrTab(text.charCodeAt(end))) return false;
  while (isSpaceOrTab(text.charCodeAt(end))) end++;
  return monthAt(text, end);
}

const isSpaceOrTab = (code: number) => code === 32 || code === 9;
