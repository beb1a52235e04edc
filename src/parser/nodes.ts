import { joinSpans, type SourceText, type Span } from "../diagnostics/source.js";
import { durationUnitOf } from "../language/calendarWords.js";
import type * as ast from "./ast.js";

/*
 * Every node of the syntax tree is made here, and only here: the fast parser (fastParser.ts)
 * and the recovering parser (buildAst.ts, from chevrotain's tree) hand over the pieces they
 * read (words, values, spans) and get the same node for the same pieces. What a node's span
 * covers, which optional properties it has and how a spelling is normalised (`Today`, `3
 * months`, `$name`) is decided once, so the two parsers cannot build a node differently.
 * test/nodes.test.ts fails on a node literal anywhere else in src/parser/.
 */

// ----- the query -----

export function query(
  source: SourceText,
  parts: {
    params: ast.ParamDeclaration[];
    clauses: ast.Clause[];
    condition: ast.Condition | undefined;
    whereSpan: Span | undefined;
    comments: ast.CommentNode[];
  },
): ast.Query {
  const node: ast.Query = {
    kind: "Query",
    clauses: parts.clauses,
    comments: parts.comments,
    span: source.spanOf(0, source.text.length),
  };
  if (parts.params.length > 0) node.params = parts.params;
  if (parts.condition) node.condition = parts.condition;
  if (parts.whereSpan) node.whereSpan = parts.whereSpan;
  return node;
}

/** `param name` or `param name = default`: the span runs from the keyword to the last piece. */
export function paramDeclaration(
  keywordSpan: Span,
  name: string,
  nameSpan: Span,
  defaultValue: ast.ValueList | undefined,
): ast.ParamDeclaration {
  const node: ast.ParamDeclaration = {
    kind: "Param",
    name,
    nameSpan,
    span: joinSpans(keywordSpan, defaultValue?.span ?? nameSpan),
  };
  if (defaultValue) node.default = defaultValue;
  return node;
}

/** `# ...`, the text with its `#`. */
export function comment(text: string, span: Span): ast.CommentNode {
  return { kind: "Comment", text, span };
}

// ----- clauses -----

export function titleClause(keywordSpan: Span, title: ast.StringValue | ast.ParameterValue): ast.TitleClause {
  return { kind: "Title", title, span: joinSpans(keywordSpan, title.span) };
}

export function duringClause(
  keywordSpan: Span,
  duration: ast.DurationValue | ast.ParameterValue,
): ast.DuringClause {
  return { kind: "During", duration, span: joinSpans(keywordSpan, duration.span) };
}

export function betweenClause(keywordSpan: Span, from: ast.Value, to: ast.Value): ast.BetweenClause {
  return { kind: "Between", from, to, span: joinSpans(keywordSpan, to.span) };
}

/** `users active` (a word or "text"), or `users $kind`, whose word is bound later. */
export function usersClause(
  keywordSpan: Span,
  userType: ast.ParameterValue | { word: string; span: Span },
): ast.UsersClause {
  if ("kind" in userType) {
    return {
      kind: "Users",
      userType: "",
      userTypeSpan: userType.span,
      parameter: userType,
      span: joinSpans(keywordSpan, userType.span),
    };
  }
  return {
    kind: "Users",
    userType: userType.word,
    userTypeSpan: userType.span,
    span: joinSpans(keywordSpan, userType.span),
  };
}

/** `select a, b`: at least one field. */
export function selectClause(keywordSpan: Span, fields: ast.FieldRef[]): ast.SelectClause {
  return { kind: "Select", fields, span: joinSpans(keywordSpan, fields.at(-1)!.span) };
}

export function favoriteClause(span: Span): ast.FavoriteClause {
  return { kind: "Favorite", span };
}

/** `flags a, b = false`: at least one setting. */
export function flagsClause(keywordSpan: Span, flags: ast.RequestFlagSetting[]): ast.FlagsClause {
  return { kind: "Flags", flags, span: joinSpans(keywordSpan, flags.at(-1)!.span) };
}

/** One setting of a `flags` clause: a name, and the word after its `=` when written. */
export function requestFlagSetting(
  name: string,
  nameSpan: Span,
  value: { word: string; span: Span } | undefined,
): ast.RequestFlagSetting {
  if (!value) return { name, nameSpan, span: nameSpan };
  return {
    name,
    nameSpan,
    value: value.word,
    valueSpan: value.span,
    span: joinSpans(nameSpan, value.span),
  };
}

// ----- conditions -----

/** Operands joined by `and` (or `or`); one operand is itself, not a chain of one. */
export function chain(kind: "And" | "Or", operands: ast.Condition[]): ast.Condition {
  if (operands.length === 1) return operands[0]!;
  return { kind, operands, span: joinSpans(operands[0]!.span, operands.at(-1)!.span) };
}

export function notCondition(keywordSpan: Span, operand: ast.Condition): ast.NotCondition {
  return { kind: "Not", operand, keywordSpan, span: joinSpans(keywordSpan, operand.span) };
}

/**
 * `( ... )`: no node of its own. The group's condition takes in the parentheses' span, so that
 * carets and rewrites cover them, and an and/or is marked `parenthesized`.
 */
export function group(inner: ast.Condition, span: Span): ast.Condition {
  // An and/or remembers its parentheses: they may be there to make precedence plain.
  return inner.kind === "And" || inner.kind === "Or"
    ? { ...inner, span, parenthesized: true }
    : { ...inner, span };
}

/** `in segment 5`, `in segments [1, 2]`. */
export function segmentTest(keywordSpan: Span, ids: ast.ValueList): ast.SegmentTest {
  return { kind: "SegmentTest", ids: ids.values, isList: ids.isList, span: joinSpans(keywordSpan, ids.span) };
}

/** `opened campaign 5`: the action as written (the checker says if it is none). */
export function behavioralTest(action: string, actionSpan: Span, ids: ast.ValueList): ast.BehavioralTest {
  return {
    kind: "BehavioralTest",
    action,
    actionSpan,
    ids: ids.values,
    isList: ids.isList,
    span: joinSpans(actionSpan, ids.span),
  };
}

/**
 * `field operator operands [case ...]`. `operands`: the value or list, the two bounds of a
 * range (`bounds`), or undefined for an operator that takes none (`is empty`).
 */
export function comparison(
  field: ast.FieldRef,
  operator: ast.ComparisonOperator,
  operatorSpan: Span,
  operands: ast.ValueList | undefined,
  caseOption: { sensitive: boolean; span: Span } | undefined,
): ast.Comparison {
  const node: ast.Comparison = {
    kind: "Comparison",
    field,
    operator,
    operatorSpan,
    values: operands?.values ?? [],
    isList: operands?.isList ?? false,
    span: joinSpans(field.span, operands?.span ?? operatorSpan),
  };
  if (caseOption) {
    node.caseSensitive = caseOption.sensitive;
    node.caseSpan = caseOption.span;
    node.span = joinSpans(node.span, caseOption.span);
  }
  return node;
}

/** A part of the condition that did not parse (already reported). */
export function invalidCondition(span: Span): ast.InvalidCondition {
  return { kind: "InvalidCondition", span };
}

export function fieldRef(name: string, quoted: boolean, span: Span): ast.FieldRef {
  return { kind: "FieldRef", name, quoted, span };
}

// ----- values -----

/** One value, as a list of one that was not written in brackets. */
export function single(value: ast.Value): ast.ValueList {
  return { values: [value], isList: false, span: value.span };
}

/** `[a, b]`: the span takes in the brackets. */
export function list(values: ast.Value[], span: Span): ast.ValueList {
  return { values, isList: true, span };
}

/** `low and high`, the operands of `between`. */
export function bounds(low: ast.Value, high: ast.Value): ast.ValueList {
  return { values: [low, high], isList: false, span: joinSpans(low.span, high.span) };
}

/** `value`: the text without its quotes, escapes decoded. */
export function stringValue(value: string, span: Span): ast.StringValue {
  return { kind: "String", value, span };
}

/** `reported`: the lexer already reported the spelling (`1e3`), and the checker refuses it quietly. */
export function numberValue(raw: string, span: Span, reported = false): ast.NumberValue {
  const node: ast.NumberValue = { kind: "Number", value: Number(raw), raw, span };
  if (reported) node.reported = true;
  return node;
}

/**
 * `2024-01-31` or `2024-01-31T10:00:00Z`, as written (the checker validates it); `reported`
 * when the lexer has reported its spelling (`11/01/2026`, OQ129).
 */
export function dateValue(raw: string, span: Span, reported = false): ast.DateValue {
  const node: ast.DateValue = { kind: "Date", raw, span };
  if (reported) node.reported = true;
  return node;
}

/** `today`, `Yesterday`: a date written as a word, kept in lower case. */
export function dayWordValue(written: string, span: Span): ast.DateValue {
  return { kind: "Date", raw: written.toLowerCase(), span };
}

/** `$domain` as written: the node keeps the name without its `$`. */
export function parameterValue(written: string, span: Span): ast.ParameterValue {
  return { kind: "Parameter", name: written.slice(1), span };
}

/**
 * `30d` or `3 months`, its unit in the spelling `oq fmt` writes (`mo`) when it is a unit, else
 * as written (the checker reports it). `reported` as for numbers (`1.5d`).
 */
export function durationValue(raw: string, span: Span, reported = false): ast.DurationValue {
  const [amount = "0", written = ""] =
    gluedDuration(raw) ?? /^(\d+)\s*([A-Za-z]+)$/.exec(raw)?.slice(1) ?? [];
  const node: ast.DurationValue = {
    kind: "Duration",
    amount: Number(amount),
    unit: durationUnitOf(written) ?? written,
    raw,
    span,
  };
  if (reported) node.reported = true;
  return node;
}

/**
 * `30d`, the commonest way a duration is written, split into digits and unit without a regular
 * expression (in every compile); undefined for anything else (`3 months`), left to the pattern.
 */
function gluedDuration(raw: string): [string, string] | undefined {
  let digits = 0;
  while (digits < raw.length && raw.charCodeAt(digits) >= 48 && raw.charCodeAt(digits) <= 57) digits++;
  if (digits === 0 || digits === raw.length) return undefined;
  for (let i = digits; i < raw.length; i++) {
    const code = raw.charCodeAt(i) | 0x20; // A-Z -> a-z
    if (code < 97 || code > 122) return undefined;
  }
  return [raw.slice(0, digits), raw.slice(digits)];
}

/** `30d ago`: the span runs from the duration to `ago`. */
export function relativeDate(duration: ast.DurationValue, agoSpan: Span): ast.RelativeDateValue {
  return { kind: "RelativeDate", duration, span: joinSpans(duration.span, agoSpan) };
}
