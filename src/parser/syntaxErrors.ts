import type { IRecognitionException, IToken } from "chevrotain";
import { EOF } from "../lexer/tokenType.js";
import type { DiagnosticCollector, Suggestion } from "../diagnostics/diagnostic.js";
import type { SourceText, Span } from "../diagnostics/source.js";
import { closestMatch } from "../diagnostics/suggest.js";
import { isCountField, queryDefaults } from "../language/vocabulary.js";
import { keywordSpellings, type KeywordName } from "../language/keywords.js";
import { durationUnitsHelp } from "../language/calendarWords.js";
import * as t from "../lexer/tokens.js";
import type { SyntaxErrorInfo } from "./recognizer.js";
import { clauseKeywords, operatorWords } from "./keywordRoles.js";
import * as op from "./operators.js";
import { compareOperatorTokens, explainForeignHabit, type Explanation } from "./foreignHabits.js";

const valueHelp =
  'a value is text in double quotes ("gmail.com"), a number (3), a date (2024-01-31), ' +
  "a relative date (30d ago) or a list of them ([1, 2])";
const operatorHelp =
  "the operators are = != < <= > >=, contains, not contains, starts, ends, is empty, is not empty, " +
  "between A and B, in [A, B] and not in [A, B]";
const conditionHelp = 'a condition compares a field with a value, e.g. opens >= 3 or email ends "gmail.com"';
/** How a clause is written, where its keyword alone would not say (a clause missing here shows its keyword). */
const clauseExamples: Partial<Record<KeywordName, string>> = {
  Title: 'title "TEXT"',
  During: "during 30d",
  Between: "between DATE and DATE",
  Users: "users active",
  Select: "select FIELDS",
  Flags: "flags FLAGS",
};
const clauseHelp = `after the condition come the clauses: ${clauseKeywords
  .map((name) => clauseExamples[name] ?? keywordSpellings[name][0])
  .join(", ")}`;

/** Words from other query languages, and what oq calls them. */
const operatorSynonyms: Record<string, string> = {
  like: "contains",
  equals: "=",
  eq: "=",
  ne: "!=",
  neq: "!=",
  lt: "<",
  le: "<=",
  lte: "<=",
  gt: ">",
  ge: ">=",
  gte: ">=",
  startswith: "starts",
  endswith: "ends",
  has: "contains",
  include: "contains",
  includes: "contains",
};

const labelByName = new Map(t.allTokens.map((type) => [type.name, type.LABEL ?? type.name.toLowerCase()]));

/** Tokens that start a clause, and `where`, which also comes before a condition rather than in one. */
const clauseTokenNames = new Set<string>(["Where", ...clauseKeywords]);
const isClauseWord = (token: IToken) => clauseTokenNames.has(token.tokenType.name);

/** How a token is named in a message: quoted as written, or "the end of the query". */
function describeToken(token: IToken): string {
  if (token.tokenType === EOF) return "the end of the query";
  switch (token.tokenType) {
    case t.StringLiteral:
      return `the text ${truncate(token.image)}`;
    case t.NumberLiteral:
      return `the number ${token.image}`;
    case t.DateLiteral:
      return `the date ${token.image}`;
    case t.DurationLiteral:
      return `the duration ${token.image}`;
    default:
      return `'${truncate(token.image)}'`;
  }
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function isKeyword(token: IToken): boolean {
  return t.keywordTokens.includes(token.tokenType);
}

function isRealToken(token: IToken | undefined): token is IToken {
  return (
    token !== undefined &&
    token.tokenType !== EOF &&
    !token.isInsertedInRecovery &&
    Number.isFinite(token.startOffset)
  );
}

interface SyntaxErrorContext {
  source: SourceText;
  /** The tokens parsed, for looking one past the failing token. */
  tokens: readonly IToken[];
  /** Where errors about the end of input point: just after the last token. */
  endOfInput: Span;
}

/** Turns the recognizer's syntax errors (chevrotain's recognition exceptions) into diagnostics worded for people. */
export function reportSyntaxErrors(
  errors: readonly { error: IRecognitionException; info: SyntaxErrorInfo }[],
  context: SyntaxErrorContext,
  diagnostics: DiagnosticCollector,
): void {
  let lastReportedOffset = -Infinity;
  for (const { error, info: raised } of errors) {
    let token = error.token;
    let previous = (error as IRecognitionException & { previousToken?: IToken }).previousToken;
    let info = raised;
    let ruleStack = error.context.ruleStack;
    // `b like 3`: the lookahead fails at the field, but the mistake is the word after it.
    if (conditionRules.has(ruleStack.at(-1) ?? "") && isFieldToken(token)) {
      const next = context.tokens[context.tokens.indexOf(token) + 1];
      if (!next || !startsOperator(next)) {
        previous = token;
        token = next ?? eofAfter(token);
        info = { kind: "noViableAlt", rule: "comparisonTail", expected: [] };
        ruleStack = [...ruleStack, "comparison", "comparisonTail"];
      }
    }
    const span = isRealToken(token)
      ? context.source.spanOf(token.startOffset, token.startOffset + token.image.length)
      : context.endOfInput;
    // After an error, recovery often stumbles again on the very next token; the first report
    // is the one that explains the mistake.
    const before = tokenBefore(context.tokens, span.start.offset);
    if (span.start.offset <= lastReportedOffset || (before && before.startOffset <= lastReportedOffset))
      continue;
    lastReportedOffset = span.start.offset;
    if (isRealToken(token)) previous = tokenBefore(context.tokens, token.startOffset);
    const rule = ruleStack.at(-1) ?? info.rule;
    const explained =
      explainKnownMistake(token, isRealToken(previous) ? previous : undefined, span, context) ??
      (rule === "query" && isFieldToken(token) && inSelectList(context.tokens, token)
        ? explainMissingComma(token, span)
        : token.tokenType === t.Segment
          ? explainSegmentAsField(token, context)
          : explain(
              info,
              rule,
              ruleStack,
              token,
              isRealToken(previous) ? previous : undefined,
              span,
              context.source,
            ));
    // An explanation of several words (`in the last week`) accounts for the errors among them.
    if (explained.covers !== undefined) lastReportedOffset = Math.max(lastReportedOffset, explained.covers);
    const shown = explained.at ? context.source.spanOf(explained.at.start, explained.at.end) : span;
    diagnostics.error(explained.code, explained.message, shown, {
      label: explained.label,
      hints: explained.hints,
      suggestions: explained.suggestions ?? [],
    });
  }
}

/** Where `token` is in `tokens` (sorted by offset), found by halving: a broken file can have many errors. */
function indexOfToken(tokens: readonly IToken[], token: IToken): number {
  let low = 0;
  let high = tokens.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const offset = tokens[mid]!.startOffset;
    if (offset === token.startOffset) return mid;
    if (offset < token.startOffset) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}

/** The last token that starts before `offset`. */
function tokenBefore(tokens: readonly IToken[], offset: number): IToken | undefined {
  let low = 0;
  let high = tokens.length - 1;
  let found: IToken | undefined;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (tokens[mid]!.startOffset < offset) {
      found = tokens[mid];
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

const conditionRules = new Set(["orCondition", "andCondition", "unaryCondition", "primaryCondition"]);

function isFieldToken(token: IToken): boolean {
  return token.tokenType === t.Identifier || token.tokenType === t.QuotedIdentifier;
}

/** `Campaign` too: `foo campaign 5` fails at the field, but the mistake is the action word. */
function startsOperator(token: IToken): boolean {
  return token.tokenType === t.Campaign || op.startsOperator(token.tokenType.name);
}

/** A stand-in for the end of input right after `token`. */
function eofAfter(token: IToken): IToken {
  return { ...token, image: "", tokenType: EOF, tokenTypeIdx: EOF.tokenTypeIdx!, startOffset: NaN };
}

function after(previous: IToken | undefined): string {
  return previous ? ` after '${truncate(previous.image)}'` : "";
}

function explain(
  info: SyntaxErrorInfo,
  rule: string,
  ruleStack: string[],
  token: IToken,
  previous: IToken | undefined,
  span: Span,
  sourceText: SourceText,
): Explanation {
  const found = describeToken(token);
  const atEnd = token.tokenType === EOF;
  const replaceWith = (message: string, replacement: string): Suggestion[] =>
    atEnd ? [] : [{ message, span, replacement }];

  // Tokens left over after a complete query.
  if (info.kind === "notAllInputParsed" || (rule === "query" && info.expected.includes("EOF"))) {
    return explainLeftover(token, previous, span);
  }

  switch (rule) {
    case "value":
    case "valueOrList": {
      const idOf = ruleStack.includes("segmentTest")
        ? "segment"
        : ruleStack.includes("behavioralTest")
          ? "campaign"
          : undefined;
      if (idOf) {
        return {
          code: "OQ107",
          message: `expected a ${idOf} id${after(previous)}, but found ${found}`,
          hints: [
            idOf === "segment"
              ? "write: in segment 1234567890, or in segment [1, 2]"
              : "write: opened campaign 123, or clicked campaign [1, 2]",
          ],
        };
      }
      if (token.tokenType === t.RBracket && previous?.tokenType === t.Comma) {
        return {
          code: "OQ105",
          message: "expected a value after ',', but the list ends",
          label: "the list ends here",
          hints: ["remove the trailing ',' or add the value that was meant to follow it"],
        };
      }
      const hints = [valueHelp];
      let suggestions: Suggestion[] | undefined;
      if (token.tokenType === t.Identifier) {
        // `email ends gmail.com`: the text runs past the word, to the next space or bracket.
        const run = unquotedRun(sourceText, token.startOffset);
        suggestions = atEnd
          ? []
          : [
              {
                message: `if '${truncate(run)}' is text, put it in double quotes: ${truncate(JSON.stringify(run))}`,
                span: sourceText.spanOf(token.startOffset, token.startOffset + run.length),
                replacement: JSON.stringify(run),
              },
            ];
        if (looksLikeField(token.image))
          hints.unshift(`a field is compared with a value, not with another field ('${token.image}')`);
      }
      if (info.kind === "mismatch" && info.expected.includes("RBracket")) {
        return {
          code: "OQ105",
          message: `expected ',' or ']' in the list, but found ${found}`,
          hints: ['separate the values of a list with commas and close it with \']\', e.g. ["a", "b"]'],
        };
      }
      return {
        code: "OQ101",
        message: `expected a value${after(previous)}, but found ${found}`,
        hints,
        suggestions,
      };
    }
    case "comparisonTail":
    case "compareOperator": {
      const hints = [operatorHelp];
      let suggestions: Suggestion[] | undefined;
      const word = token.image.toLowerCase();
      const synonym = operatorSynonyms[word] ?? closestMatch(word, operatorWords);
      if (!atEnd && synonym) suggestions = replaceWith(`did you mean '${synonym}'?`, synonym);
      const isValue = [
        t.StringLiteral,
        t.NumberLiteral,
        t.DateLiteral,
        t.DurationLiteral,
        t.LBracket,
      ].includes(token.tokenType);
      if (isValue && previous)
        hints.unshift(
          `put an operator between the field and the value, e.g. ${previous.image} = ${token.image}`,
        );
      if (token.tokenType === t.Campaign && previous) {
        hints.unshift(
          `'${previous.image}' is not an action: campaign tests are 'sent campaign', 'opened campaign' and 'clicked campaign'`,
        );
      }
      if (
        ruleStack.includes("comparisonTail") &&
        info.kind === "mismatch" &&
        info.expected.includes("Empty")
      ) {
        return {
          code: "OQ102",
          message: `expected 'empty' or 'not empty' after 'is', but found ${found}`,
          hints: [
            "write 'is empty' or 'is not empty'; to compare with a value use '=', e.g. ocx_status = \"active\"",
          ],
        };
      }
      if (info.kind === "mismatch" && info.expected.includes("And")) {
        return explainMissingAnd(found);
      }
      return {
        code: "OQ102",
        message: `expected an operator${previous ? ` after the field '${previous.image}'` : ""}, but found ${found}`,
        hints,
        suggestions,
      };
    }
    case "betweenClause":
      if (info.expected.includes("And")) return explainMissingAnd(found);
      break;
    case "caseOption":
      return {
        code: "OQ106",
        message: `expected 'sensitive' or 'insensitive' after 'case', but found ${found}`,
        hints: ['write: email = "Bob" case sensitive'],
      };
    case "primaryCondition":
      if (info.expected.includes("RParen")) {
        return {
          code: "OQ103",
          message: `expected ')' to close a '(', but found ${found}`,
          hints: ["every '(' needs a matching ')'"],
        };
      }
      return explainMissingCondition(token, previous, found);
    case "orCondition":
    case "andCondition":
    case "unaryCondition":
      return explainMissingCondition(token, previous, found);
    case "segmentTest":
      return {
        code: "OQ107",
        message: info.expected.includes("Segment")
          ? `expected 'segment' after 'in', but found ${found}`
          : `expected a segment id${after(previous)}, but found ${found}`,
        hints: ["write: in segment 1234567890, or in segment [1, 2]"],
      };
    case "behavioralTest":
      return {
        code: "OQ107",
        message: `expected a campaign id${after(previous)}, but found ${found}`,
        hints: ["write: opened campaign 123, or clicked campaign [1, 2]"],
      };
    case "field":
    case "selectClause": {
      const keywordHint = isKeyword(token)
        ? [
            `'${token.image}' is an oq keyword; a field with that name is written in backquotes: \`${token.image}\``,
          ]
        : [];
      const suggestions = isKeyword(token)
        ? replaceWith(`write \`${token.image}\``, `\`${token.image}\``)
        : undefined;
      return {
        code: "OQ104",
        message: `expected a field name${after(previous)}, but found ${found}`,
        hints:
          keywordHint.length > 0
            ? keywordHint
            : [
                rule === "selectClause"
                  ? "write: select email, opens, clicks"
                  : "field names are words like email or last_open_date",
              ],
        suggestions,
      };
    }
    case "titleClause":
      return {
        code: "OQ108",
        message: `expected the title in double quotes after 'title', but found ${found}`,
        hints: ['write: title "Active gmail contacts"'],
        suggestions:
          token.tokenType === t.Identifier
            ? replaceWith(`write "${token.image}"`, JSON.stringify(token.image))
            : undefined,
      };
    case "duringClause": {
      // Only a whole number from 1 up is a duration's amount: `during 1.5` or `during -3` gets no fix.
      const suggestions =
        token.tokenType === t.NumberLiteral && /^[1-9]\d*$/.test(token.image)
          ? replaceWith(`write ${token.image}d for ${token.image} days`, `${token.image}d`)
          : undefined;
      return {
        code: "OQ109",
        message: `expected a duration after '${previous?.image ?? "during"}', but found ${found}`,
        hints: [durationUnitsHelp],
        suggestions,
      };
    }
    case "usersClause":
      return {
        code: "OQ110",
        message: `expected the kind of contacts after 'users', but found ${found}`,
        hints: ["write: users all, or users active"],
      };
    case "flagsClause":
      return {
        code: "OQ262",
        message: `expected ${previous?.tokenType === t.Equals ? "true or false" : "a request flag"}${after(previous)}, but found ${found}`,
        hints: ["write: flags include_behavior, combined_as_and = false; or flags none to send neither"],
      };
    case "paramDeclaration":
      return {
        code: "OQ125",
        message: `expected ${previous?.tokenType === t.Equals ? "a value" : "a parameter name"}${after(previous)}, but found ${found}`,
        hints: [
          'declare a parameter with a default, param domain = "gmail.com", or without one, param domain',
        ],
      };
    case "clause":
      return {
        code: "OQ111",
        message: `expected a clause, but found ${found}`,
        hints: [clauseHelp],
      };
  }
  const expected = [...new Set(info.expected.map((name) => labelByName.get(name) ?? "something else"))];
  const wanted = expected.length > 0 ? expected.join(" or ") : "something else";
  return {
    code: "OQ100",
    message: `expected ${wanted}${after(previous)}, but found ${found}`,
    hints: [clauseHelp],
  };
}

/** Tokens after which a value comes. */
const valueOpeners = new Set([...compareOperatorTokens, t.Between, t.And, t.LBracket, t.Comma]);
/** Tokens after which text comes: `contains`, `starts`, `ends`, and `with` after them. */
const textOperators = new Set(t.allTokens.filter((type) => op.takesWith(type.name) || type === t.With));
/** Tokens after which a condition starts. */
const conditionOpeners = new Set([t.And, t.Or, t.Not, t.LParen, t.Where]);

/**
 * Mistakes recognised by their words rather than by where the grammar failed: other languages'
 * habits (`limit 100`, `select *`, `now - 7d`, `is not "x"`) and keywords used as field names.
 */
function explainKnownMistake(
  token: IToken,
  previous: IToken | undefined,
  span: Span,
  context: SyntaxErrorContext,
): Explanation | undefined {
  if (!isRealToken(token)) return undefined;
  const at = indexOfToken(context.tokens, token);
  const habit = at >= 0 ? explainForeignHabit(at, context) : undefined;
  if (habit) return habit;
  const next = context.tokens[at + 1];
  const word = token.image.toLowerCase();

  if (token.tokenType === t.Identifier && word === "limit" && (!next || next.tokenType === t.NumberLiteral)) {
    return {
      code: "OQ124",
      message: "oq has no 'limit': an Ongage contact-activity report has every contact that matches",
      hints: [
        "remove it, and keep the rows you want from the CSV (e.g. the first 100: head -n 101 report.csv)",
      ],
    };
  }

  if (token.tokenType === t.Star && previous?.tokenType === t.Select) {
    return {
      code: "OQ104",
      message: "'select' takes the names of fields, not '*'",
      hints: [
        `without 'select' the report has the default columns: ${queryDefaults.selectedFields.join(", ")}`,
        "to choose the columns, name them: select email, opens, clicks",
      ],
    };
  }

  if (
    token.tokenType === t.Star &&
    previous &&
    (valueOpeners.has(previous.tokenType) || textOperators.has(previous.tokenType))
  ) {
    return {
      code: "OQ101",
      message: "oq has no wildcards: '*' is not a value",
      hints: [
        'contains, starts and ends match part of the text: email contains "gmail", email starts "info@", email ends ".com"',
      ],
    };
  }

  if (
    token.tokenType === t.Identifier &&
    word === "now" &&
    previous &&
    valueOpeners.has(previous.tokenType)
  ) {
    const minus = /^\s*-\s*(\d+\s*[A-Za-z]+)/.exec(
      context.source.text.slice(token.startOffset + token.image.length),
    );
    const explanation: Explanation = {
      code: "OQ123",
      message: "oq has no 'now': a time before now is written as a duration and 'ago'",
      hints: [
        "e.g. last_open_date > 7d ago; the start of today is written today",
        'if "now" is text, put it in double quotes: "now"',
      ],
    };
    if (minus) {
      const end = token.startOffset + token.image.length + minus[0].length;
      const rewrite = `${minus[1]} ago`;
      explanation.hints = [];
      explanation.suggestions = [
        {
          message: `write ${rewrite}`,
          span: context.source.spanOf(token.startOffset, end),
          replacement: rewrite,
        },
      ];
    }
    return explanation;
  }

  // `ocx_status is not "active"`: 'is' only tests emptiness; a value wants '=' or '!='.
  if (
    isValueToken(token) &&
    previous &&
    (previous.tokenType === t.Is ||
      (previous.tokenType === t.Not && context.tokens[at - 2]?.tokenType === t.Is))
  ) {
    const is = previous.tokenType === t.Is ? previous : context.tokens[at - 2]!;
    const operator = previous.tokenType === t.Not ? "!=" : "=";
    const rewrite = `${operator} ${token.image}`;
    return {
      code: "OQ102",
      message: `'${context.source.text.slice(is.startOffset, previous.startOffset + previous.image.length)}' only tests whether a field is empty; to compare with a value write '${operator}'`,
      hints: [],
      suggestions: [
        {
          message: `write ${rewrite}`,
          span: context.source.spanOf(is.startOffset, token.startOffset + token.image.length),
          replacement: rewrite,
        },
      ],
    };
  }

  // `and = "x"`: a field named like a keyword, at the start of a condition.
  if (
    isKeyword(token) &&
    token.tokenType !== t.Segment &&
    next &&
    compareOperatorTokens.has(next.tokenType) &&
    (!previous || conditionOpeners.has(previous.tokenType))
  ) {
    const quoted = `\`${token.image}\``;
    return {
      code: "OQ104",
      message: `'${token.image}' is an oq keyword; a field with that name is written in backquotes: ${quoted}`,
      hints: [],
      suggestions: [{ message: `write ${quoted}`, span, replacement: quoted }],
    };
  }

  // `during 3 minutes`: a number and a word that is not a unit.
  if (
    token.tokenType === t.NumberLiteral &&
    previous?.tokenType === t.During &&
    next &&
    next.tokenType === t.Identifier &&
    /^[ \t]+$/.test(context.source.text.slice(token.startOffset + token.image.length, next.startOffset))
  ) {
    return {
      code: "OQ109",
      message: `'${next.image}' is not a unit of time oq knows`,
      hints: [durationUnitsHelp],
    };
  }
  return undefined;
}

/** The text from `offset` to the next space, bracket, comma or end of line: `gmail.com` from `gmail`. */
function unquotedRun(source: SourceText, offset: number): string {
  return /^[^\s()[\],"]+/.exec(source.text.slice(offset, offset + 256))?.[0] ?? "";
}

/**
 * Whether a word in a value's place is likely a field (`clicks > opens`): a count, a date field, a
 * built-in name. The parser does not know the list's fields, so this only chooses a hint.
 */
function looksLikeField(word: string): boolean {
  return isCountField(word) || /^(?:email|id|ocx_\w+|\w+_date)$/.test(word);
}

function isValueToken(token: IToken): boolean {
  return [t.StringLiteral, t.NumberLiteral, t.DateLiteral, t.DayWord, t.DurationLiteral].includes(
    token.tokenType,
  );
}

/** Whether `token` directly follows a `select a, b` list, as in `select email opens`. */
function inSelectList(tokens: readonly IToken[], token: IToken): boolean {
  for (let i = tokens.indexOf(token) - 1; i >= 0; i--) {
    const type = tokens[i]!.tokenType;
    if (type === t.Select) return true;
    if (type !== t.Identifier && type !== t.QuotedIdentifier && type !== t.Comma) return false;
  }
  return false;
}

/** `segment = 5` (or `!=`): offer the segment test it means, `in segment 5`. */
function explainSegmentAsField(token: IToken, context: SyntaxErrorContext): Explanation {
  const at = context.tokens.indexOf(token);
  const [operator, value] = [context.tokens[at + 1], context.tokens[at + 2]];
  const explanation: Explanation = {
    code: "OQ118",
    message: "a segment test is written 'in segment ID'",
    hints: ["write: in segment 1234567890, or not in segment 1234567890"],
  };
  const isId =
    value &&
    (value.tokenType === t.NumberLiteral ||
      value.tokenType === t.StringLiteral ||
      value.tokenType === t.LBracket);
  if (
    operator &&
    isId &&
    (operator.tokenType === t.Equals || operator.tokenType === t.NotEquals || operator.tokenType === t.In)
  ) {
    // A list: take the whole of it, up to its ']'.
    const close =
      value.tokenType === t.LBracket
        ? context.tokens.slice(at + 2).find((next) => next.tokenType === t.RBracket)
        : value;
    if (close) {
      const ids = context.source.text.slice(value.startOffset, close.startOffset + close.image.length);
      const rewrite = `${operator.tokenType === t.NotEquals ? "not " : ""}in segment ${ids}`;
      explanation.hints = [];
      explanation.suggestions = [
        {
          message: `write: ${rewrite}`,
          span: context.source.spanOf(token.startOffset, close.startOffset + close.image.length),
          replacement: rewrite,
        },
      ];
    }
  }
  return explanation;
}

function explainMissingComma(token: IToken, span: Span): Explanation {
  return {
    code: "OQ117",
    message: `expected ',' before '${token.image}' in the select list`,
    hints: ["separate selected fields with commas: select email, opens"],
    suggestions: [{ message: `write ', ${token.image}'`, span, replacement: `, ${token.image}` }],
  };
}

function explainMissingAnd(found: string): Explanation {
  return {
    code: "OQ112",
    message: `expected 'and' between the two ends of the range, but found ${found}`,
    hints: ["write: opens between 1 and 5, or between 2024-01-01 and 2024-01-31"],
  };
}

function explainMissingCondition(token: IToken, previous: IToken | undefined, found: string): Explanation {
  const hints = [conditionHelp];
  if (previous && (previous.tokenType === t.And || previous.tokenType === t.Or) && isClauseWord(token)) {
    hints.unshift(
      `remove the '${previous.image}' before '${token.image}': clauses are not joined with and/or`,
    );
  }
  if (token.tokenType === t.And || token.tokenType === t.Or) {
    hints.unshift(`'and' and 'or' join two conditions; remove the extra '${token.image}'`);
  } else if (isKeyword(token) && !isClauseWord(token) && token.tokenType !== t.Not) {
    hints.unshift(
      `'${token.image}' is an oq keyword; a field with that name is written in backquotes: \`${token.image}\``,
    );
  }
  return { code: "OQ113", message: `expected a condition${after(previous)}, but found ${found}`, hints };
}

function explainLeftover(token: IToken, previous: IToken | undefined, span: Span): Explanation {
  const found = describeToken(token);
  const startsCondition =
    token.tokenType === t.Identifier ||
    token.tokenType === t.QuotedIdentifier ||
    token.tokenType === t.Not ||
    token.tokenType === t.LParen ||
    token.tokenType === t.In;
  if (startsCondition && previous) {
    return {
      code: "OQ114",
      message: `expected 'and' or 'or' before ${found}`,
      label: "a new condition starts here",
      hints: ["join conditions with 'and' or 'or'"],
      suggestions: [{ message: `write 'and ${token.image}'`, span, replacement: `and ${token.image}` }],
    };
  }
  if (token.tokenType === t.Param) {
    return {
      code: "OQ125",
      message: "a parameter is declared at the top of the query, before any clause or condition",
      hints: ["move this 'param' line to the top of the query"],
    };
  }
  const isValue = [t.StringLiteral, t.NumberLiteral, t.DateLiteral, t.DurationLiteral, t.Parameter].includes(
    token.tokenType,
  );
  if (isValue && previous) {
    return {
      code: "OQ115",
      message: `expected 'and', 'or', a clause or the end of the query${after(previous)}, but found ${found}`,
      hints: ['to compare with several values, write them as a list: email ends ["gmail.com", "yahoo.com"]'],
    };
  }
  if (token.tokenType === t.Where) {
    return {
      code: "OQ116",
      message: "'where' can only come before the condition",
      hints: ["a query has one condition; join its parts with 'and' or 'or'"],
      suggestions: [{ message: "write 'and'", span, replacement: "and" }],
    };
  }
  if (token.tokenType === t.Ago) {
    return {
      code: "OQ119",
      message: "'ago' only follows a duration in a condition or in 'between'",
      hints: [
        "'during 30d' already means the last 30 days; for a date in a condition write e.g. last_open_date > 30d ago",
      ],
      suggestions: [{ message: "remove 'ago'", span, replacement: "" }],
    };
  }
  if (token.tokenType === t.RParen) {
    return {
      code: "OQ103",
      message: "this ')' has no matching '('",
      hints: ["remove it, or add the '(' it closes"],
    };
  }
  return {
    code: "OQ100",
    message: `expected 'and', 'or', a clause or the end of the query${after(previous)}, but found ${found}`,
    hints: [clauseHelp],
  };
}
