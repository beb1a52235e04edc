import type { IToken } from "chevrotain";
import type { Suggestion } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../diagnostics/source.js";
import * as t from "../lexer/tokens.js";
import * as op from "./operators.js";
import { clauseKeywords } from "./keywordRoles.js";
import { keywordSpellings } from "../language/keywords.js";
import { closestMatch } from "../diagnostics/suggest.js";

/**
 * Mistakes that are habits of other languages: SQL (`LIKE '%x%'`, `IS NULL`, `IN ('a', 'b')`,
 * `ORDER BY`, `count(*)`) and plain English (`in the last week`, `> last 30 days`). Each is
 * answered with what oq says instead, and a rewrite where one means the same; every rewrite still
 * passes the fix gate (diagnostics/checkedFixes.ts) before anyone sees it.
 */

export interface Explanation {
  code: string;
  message: string;
  label?: string;
  hints: string[];
  suggestions?: Suggestion[];
  /**
   * The last offset of the text this explanation accounts for, when it is more than the token
   * it was raised at: later syntax errors up to there are the same mistake, not reported again.
   */
  covers?: number;
  /** Where the mistake is, as offsets, when that is more than the token it was raised at. */
  at?: { start: number; end: number };
}

/** The tokens of the comparison operators (`=`, `!=`, `<`, ...). */
export const compareOperatorTokens = new Set(t.allTokens.filter((type) => op.symbolOperatorOf(type.name)));

interface Place {
  source: SourceText;
  tokens: readonly IToken[];
}

/** SQL's pattern operators. */
const likeWords = new Set(["like", "ilike"]);
/** SQL clauses that sort or group rows: a report has neither. */
const rowClauseWords = new Set(["order", "group", "sort"]);
/** SQL's aggregate functions. */
export const functionWords = new Set(["count", "sum", "avg", "min", "max"]);
/** `in the last week`, `in the past 30 days`. */
const recentWords = new Set(["last", "past"]);
/** Units people write alone after `last`: `last week` is one week. */
const loneUnits = new Set(["day", "week", "month", "year", "hour"]);

const clauseNames: ReadonlySet<string> = new Set(clauseKeywords);
const startsClause = (token: IToken | undefined) =>
  token !== undefined && clauseNames.has(token.tokenType.name);

/** The words that may follow a whole condition: and, or, and every clause keyword's spellings. */
const afterConditionWords: readonly string[] = [
  ...keywordSpellings.And,
  ...keywordSpellings.Or,
  ...clauseKeywords.flatMap((name) => keywordSpellings[name]),
].filter((spelling) => !spelling.includes(" "));
/** What a condition can end with: a value, a closing bracket, `empty`. */
const endsCondition = new Set([
  t.StringLiteral,
  t.NumberLiteral,
  t.DateLiteral,
  t.DayWord,
  t.DurationLiteral,
  t.Ago,
  t.RParen,
  t.RBracket,
  t.Empty,
  t.Parameter,
]);

/** A comparison written value first, read field first: `3 < opens` is `opens > 3`. */
const mirroredOperators: Readonly<Record<string, string>> = {
  "<": ">",
  "<=": ">=",
  ">": "<",
  ">=": "<=",
  "=": "=",
  "!=": "!=",
};
const isValue = (token: IToken) =>
  token.tokenType === t.NumberLiteral ||
  token.tokenType === t.DateLiteral ||
  token.tokenType === t.StringLiteral;

const word = (token: IToken | undefined): string => token?.image.toLowerCase() ?? "";
const isText = (token: IToken | undefined) => token?.tokenType === t.StringLiteral;
const textOf = (token: IToken): string => (typeof token.payload === "string" ? token.payload : "");
const end = (token: IToken): number => token.startOffset + token.image.length;

/** A habit recognised at `token` (the one the parser failed at), with its fix, or undefined. */
export function explainForeignHabit(at: number, place: Place): Explanation | undefined {
  const { tokens, source } = place;
  const token = tokens[at]!;
  const previous = tokens[at - 1];
  const next = tokens[at + 1];
  const replace = (from: number, to: number, replacement: string, message = `write ${replacement}`) => [
    { message, span: source.spanOf(from, to), replacement },
  ];

  // `email LIKE '%gmail%'`, `NOT LIKE`: the wildcards say which of contains, starts, ends or = is meant.
  const negatedLike = token.tokenType === t.Not && likeWords.has(word(next));
  const like = negatedLike ? next! : token;
  const pattern = tokens[tokens.indexOf(like) + 1];
  if (like.tokenType === t.Identifier && likeWords.has(word(like)) && isText(pattern)) {
    const negated = negatedLike || previous?.tokenType === t.Not;
    const rewrites = likeRewrites(textOf(pattern!));
    const from = negatedLike ? token.startOffset : negated ? previous!.startOffset : token.startOffset;
    const not = (rewrite: string) =>
      negated ? (rewrite.startsWith("=") ? `!${rewrite}` : `not ${rewrite}`) : rewrite;
    return {
      code: "OQ102",
      message: `oq has no '${like.image}': contains, starts and ends match part of the text, without wildcards`,
      hints:
        rewrites.length === 0
          ? ['e.g. email contains "gmail", email starts "info@", email ends "@gmail.com"']
          : rewrites.length > 1
            ? ["without % the pattern matches the whole text in SQL; contains is what is usually meant"]
            : [],
      suggestions: rewrites.flatMap((rewrite) => replace(from, end(pattern!), not(rewrite))),
    };
  }

  // `opens > 3 selct email`, `adn`, `durng 30d`: a misspelt keyword where a condition has ended.
  if (token.tokenType === t.Identifier && previous && endsCondition.has(previous.tokenType)) {
    const meant = closestMatch(word(token), afterConditionWords);
    if (meant) {
      return {
        code: "OQ114",
        message: `'${token.image}' is not an oq word here: after a condition come 'and', 'or' or a clause`,
        hints: [],
        suggestions: replace(token.startOffset, end(token), meant, `did you mean '${meant}'?`),
      };
    }
  }

  // `opens > 3 select email where clicks > 1`: SQL's order; in oq the condition comes first.
  if (token.tokenType === t.Where) {
    const firstClause = tokens.findIndex((other, index) => index < at && startsClause(other));
    if (firstClause >= 0) {
      let last = at;
      while (tokens[last + 1] && !startsClause(tokens[last + 1])) last++;
      const moved = source.text.slice(end(token), end(tokens[last]!)).trim();
      const clauses = source.text.slice(tokens[firstClause]!.startOffset, token.startOffset).trim();
      return {
        code: "OQ116",
        message: "'where' can only come before the condition",
        hints: [
          "a query is its condition first, then its clauses; join the parts of the condition with 'and'",
        ],
        // With an 'or' on either side, 'and' would bind differently than meant: no rewrite.
        suggestions:
          last > at && !tokens.slice(0, last + 1).some((other) => other.tokenType === t.Or)
            ? replace(
                tokens[firstClause]!.startOffset,
                end(tokens[last]!),
                `and ${moved} ${clauses}`,
                `move it into the condition: ... and ${moved} ${clauses}`,
              )
            : [],
      };
    }
  }

  // `opens > 3 during 30d and clicks > 1`: the condition goes on after a clause, as SQL's WHERE
  // goes on to the end of a statement. In oq the condition comes before the clauses, or after
  // them behind `where` (`select email where opens > 3`).
  if (token.tokenType === t.And || token.tokenType === t.Or) {
    const firstClause = tokens.findIndex((other, index) => index < at && startsClause(other));
    if (firstClause >= 0) {
      let last = at;
      while (tokens[last + 1] && !startsClause(tokens[last + 1])) last++;
      const moved = source.text.slice(token.startOffset, end(tokens[last]!)).trim();
      const clauses = source.text.slice(tokens[firstClause]!.startOffset, token.startOffset).trim();
      // Moved to the end of a chain of the same word, the part means what it says; among 'and's
      // and 'or's mixed, it would bind differently than written: no rewrite.
      const sameWord = tokens
        .slice(0, last + 1)
        .every(
          (other) =>
            (other.tokenType !== t.And && other.tokenType !== t.Or) || other.tokenType === token.tokenType,
        );
      // `select email and opens > 3`: no condition yet, and one after clauses starts with `where`.
      const conditionBefore = tokens
        .slice(0, at)
        .some((other) => other.tokenType === t.Where || op.startsOperator(other.tokenType.name));
      if (!conditionBefore)
        return {
          code: "OQ130",
          message: `a condition after the clauses starts with 'where', not '${token.image}'`,
          hints: ["e.g. select email where opens > 3"],
          suggestions: replace(token.startOffset, end(token), "where", "write 'where'"),
        };
      return {
        code: "OQ130",
        message: `the condition cannot go on after a clause: '${token.image}' and what it joins come before the clauses`,
        hints: ["a query is its condition, then its clauses; or its clauses, then 'where' and its condition"],
        suggestions:
          firstClause > 0 && last > at && sameWord
            ? replace(
                tokens[firstClause]!.startOffset,
                end(tokens[last]!),
                `${moved} ${clauses}`,
                `move it into the condition: ... ${moved} ${clauses}`,
              )
            : [],
      };
    }
  }

  // `SELECT email FROM contacts WHERE ...`: a query runs over the one list of the connection.
  const from = word(token) === "from" ? at : word(previous) === "from" ? at - 1 : -1;
  if (from >= 0 && tokens[from]!.tokenType === t.Identifier && tokens[from + 1]?.tokenType === t.Identifier) {
    const fromToken = tokens[from]!;
    const table = tokens[from + 1]!;
    const before = tokens[from - 1];
    return {
      code: "OQ128",
      message: `oq has no '${fromToken.image}': a query runs over the contacts of the connection's list`,
      hints: ["the list is set with --list-id, ONGAGE_LIST_ID or oq.config.json's listId"],
      suggestions: replace(before ? end(before) : fromToken.startOffset, end(table), "", "remove it"),
      covers: end(table) - 1,
    };
  }

  // `during last 30 days`: `last` is a spelling of `during`; one is enough.
  if (token.tokenType === t.During && previous?.tokenType === t.During) {
    return {
      code: "OQ109",
      message: `'${previous.image} ${token.image}' says the window twice: '${token.image}' is another way to write '${previous.image}'`,
      hints: [],
      suggestions: replace(end(previous), end(token), "", `remove '${token.image}'`),
    };
  }

  // `3 < opens`: the value first; oq writes the field first, the operator turned round.
  const mirrored = next ? mirroredOperators[next.image] : undefined;
  const field = tokens[at + 2];
  if (
    isValue(token) &&
    mirrored &&
    field?.tokenType === t.Identifier &&
    (!previous ||
      previous.tokenType === t.And ||
      previous.tokenType === t.Or ||
      previous.tokenType === t.Where)
  ) {
    const rewrite = `${field.image} ${mirrored} ${token.image}`;
    return {
      code: "OQ115",
      message: "a condition starts with the field, then the operator and the value",
      hints: [],
      suggestions: replace(token.startOffset, end(field), rewrite),
      covers: end(field) - 1,
    };
  }

  // `... ORDER BY opens DESC`: rows come as Ongage sends them.
  if (token.tokenType === t.Identifier && rowClauseWords.has(word(token)) && word(next) === "by") {
    let last = at + 1;
    while (
      tokens[last + 1] &&
      (tokens[last + 1]!.tokenType === t.Identifier ||
        tokens[last + 1]!.tokenType === t.QuotedIdentifier ||
        tokens[last + 1]!.tokenType === t.Comma) &&
      (tokens[last + 1]!.tokenType !== t.Identifier || !rowClauseWords.has(word(tokens[last + 1])))
    )
      last++;
    const sorting = word(token) !== "group";
    return {
      code: "OQ128",
      message: sorting
        ? `oq has no '${token.image} ${next!.image}': a report's rows come in Ongage's order`
        : `oq has no '${token.image} ${next!.image}': a report has one row per contact`,
      hints: sorting
        ? ["sort the CSV afterwards, e.g. in a spreadsheet, or: sort -t, -k2,2n report.csv"]
        : ["count or group the CSV's rows afterwards, e.g. in a spreadsheet"],
      suggestions: replace(previous ? end(previous) : token.startOffset, end(tokens[last]!), "", "remove it"),
    };
  }

  // `count(*) > 3`, `select count(*)`: no functions; the activity fields are counts already. The
  // parser fails at the `(`, or inside the parentheses when it took them for a condition's.
  const call = functionCallAround(at, tokens);
  if (call) {
    const name = tokens[call.name]!;
    return {
      code: "OQ128",
      message: `oq has no functions such as ${name.image}(): a report has one row per contact`,
      hints: [
        "sent, opens and clicks already count each contact's events in the window: opens > 3 is the contacts who opened more than 3 times",
      ],
      // The whole call, wherever the parser tripped in it; what recovery trips on next, up to
      // the token after the `)`, is the same mistake.
      at: { start: name.startOffset, end: end(tokens[call.close ?? call.name + 1]!) },
      ...(call.close !== undefined ? { covers: end(tokens[call.close]!) - 1 } : {}),
    };
  }

  // `email IS NULL`, `email = null`: an empty field is tested with 'is empty'.
  if (token.tokenType === t.Identifier && word(token) === "null" && previous) {
    const beforeNot = tokens[at - 2];
    if (previous.tokenType === t.Is || (previous.tokenType === t.Not && beforeNot?.tokenType === t.Is)) {
      return {
        code: "OQ102",
        message: `oq writes 'is ${previous.tokenType === t.Not ? "not " : ""}empty', not 'null'`,
        hints: [],
        suggestions: replace(token.startOffset, end(token), "empty", "write 'empty'"),
      };
    }
    if (previous.tokenType === t.Equals || previous.tokenType === t.NotEquals) {
      const rewrite = previous.tokenType === t.Equals ? "is empty" : "is not empty";
      return {
        code: "OQ102",
        message: `an empty field is tested with '${rewrite}', not compared with null`,
        hints: [],
        suggestions: replace(previous.startOffset, end(token), rewrite),
      };
    }
  }

  // `email IN ('a', 'b')`, `NOT IN (1, 2)`: a list is written in square brackets.
  if (token.tokenType === t.LParen && previous?.tokenType === t.In) {
    const list = parenthesisedList(at, tokens);
    return {
      code: "OQ105",
      message: "a list is written in square brackets: [...]",
      hints: list ? [] : ['e.g. email ends ["gmail.com", "yahoo.com"], opens in [1, 2]'],
      suggestions: list ? replace(token.startOffset, end(tokens[list.close]!), list.rewrite) : [],
    };
  }

  // `opens > 3 in the last week`, `in the past 30 days`: the window clause.
  if (token.tokenType === t.In && word(next) === "the" && recentWords.has(word(tokens[at + 2]))) {
    const duration = durationAfter(at + 2, tokens);
    return {
      code: "OQ109",
      message: "the time a report covers is its window: 'during' and a duration",
      hints: ["during 30d: the activity of the last 30 days"],
      suggestions: duration
        ? replace(token.startOffset, end(tokens[duration.last]!), `during ${duration.text}`)
        : [],
      covers: (duration ? end(tokens[duration.last]!) : end(tokens[at + 2]!)) - 1,
    };
  }

  // `last week`, `during month`: a duration has an amount.
  if (
    token.tokenType === t.Identifier &&
    loneUnits.has(word(token)) &&
    (previous?.tokenType === t.During || recentWords.has(word(previous))) &&
    // `in the last week` is explained at `in`, with this unit in its rewrite.
    !(word(tokens[at - 2]) === "the" && tokens[at - 3]?.tokenType === t.In)
  ) {
    return {
      code: "OQ109",
      message: `a duration has an amount: 1 ${token.image}`,
      hints: [],
      suggestions: replace(token.startOffset, end(token), `1 ${token.image}`),
    };
  }

  // `last_open_date > last 30 days`: a date in a comparison is a point in time, `30 days ago`.
  if (
    (token.tokenType === t.During || (token.tokenType === t.Identifier && recentWords.has(word(token)))) &&
    previous &&
    compareOperatorTokens.has(previous.tokenType) &&
    next?.tokenType === t.DurationLiteral
  ) {
    const rewrite = `${next.image} ago`;
    return {
      code: "OQ101",
      message: `a date in a condition is a point in time, written ${rewrite}`,
      hints: ["a report's window is set apart from the condition: during 30d"],
      suggestions: replace(token.startOffset, end(next), rewrite),
    };
  }
  return undefined;
}

/**
 * `'%gmail%'` -> `contains "gmail"`: the operator and text a LIKE pattern means, if it is plain.
 * A pattern without wildcards is `=` in SQL, but people who write `like "gmail"` mean contains:
 * both, contains first.
 */
/**
 * The call of one of SQL's functions that the token at `at` is the `(` of, or lies inside: the
 * indexes of its name and of its `)` (when there is one). Looks a few tokens each way only, so
 * that a file of many errors costs no more per error.
 */
function functionCallAround(
  at: number,
  tokens: readonly IToken[],
): { name: number; close?: number } | undefined {
  const reach = 32;
  let open = -1;
  for (let i = at, depth = 0; i >= Math.max(1, at - reach); i--) {
    const type = tokens[i]!.tokenType;
    if (type === t.RParen && i < at) depth++;
    else if (type === t.LParen) {
      if (depth === 0) {
        open = i;
        break;
      }
      depth--;
    }
  }
  const name = tokens[open - 1];
  if (open < 0 || name?.tokenType !== t.Identifier || !functionWords.has(word(name))) return undefined;
  for (let i = open + 1, depth = 0; i < Math.min(tokens.length, open + reach); i++) {
    const type = tokens[i]!.tokenType;
    if (type === t.LParen) depth++;
    else if (type === t.RParen) {
      if (depth === 0) return { name: open - 1, close: i };
      depth--;
    }
  }
  return { name: open - 1 };
}

function likeRewrites(pattern: string): string[] {
  const leading = /^[%*]+/.exec(pattern)?.[0].length ?? 0;
  const trailing = /[%*]+$/.exec(pattern.slice(leading))?.[0].length ?? 0;
  const core = pattern.slice(leading, pattern.length - trailing);
  // Wildcards inside, or SQL's one-character '_': no plain operator says that.
  if (core === "" || /[%*_]/.test(core)) return [];
  const text = JSON.stringify(core);
  if (leading && trailing) return [`contains ${text}`];
  if (trailing) return [`starts ${text}`];
  if (leading) return [`ends ${text}`];
  return [`contains ${text}`, `= ${text}`];
}

/** `('a', 'b')` from the `(` at `open`: where it closes and the list in oq, if it holds only values. */
function parenthesisedList(
  open: number,
  tokens: readonly IToken[],
): { close: number; rewrite: string } | undefined {
  const values: string[] = [];
  for (let i = open + 1; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.tokenType === t.RParen)
      return values.length ? { close: i, rewrite: `[${values.join(", ")}]` } : undefined;
    const expectsValue = (i - open) % 2 === 1;
    if (!expectsValue) {
      if (token.tokenType !== t.Comma) return undefined;
      continue;
    }
    if (isText(token)) values.push(JSON.stringify(textOf(token)));
    else if (token.tokenType === t.NumberLiteral) values.push(token.image);
    else return undefined;
  }
  return undefined;
}

/** The duration after `last`/`past` at `at`: `30 days`, `30d`, or a lone unit (`week` is 1 week). */
function durationAfter(at: number, tokens: readonly IToken[]): { text: string; last: number } | undefined {
  const next = tokens[at + 1];
  if (next?.tokenType === t.DurationLiteral) return { text: next.image, last: at + 1 };
  if (next?.tokenType === t.Identifier && loneUnits.has(word(next)))
    return { text: `1 ${next.image}`, last: at + 1 };
  return undefined;
}
