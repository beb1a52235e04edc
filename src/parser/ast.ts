import type { Span } from "../diagnostics/source.js";

/*
 * The syntax tree of one query. Every node has a `kind` and the span of source it came from.
 * The tree says what was written; meaning (field types, operators Ongage accepts, the flat
 * criteria list) is worked out by the checker.
 */

export interface Query {
  kind: "Query";
  /** Clauses in the order written (title, during, between, users, select, favorite). */
  clauses: Clause[];
  condition?: Condition;
  /** The `where` keyword, when written. */
  whereSpan?: Span;
  /** `param name = value` declarations at the top, when written. */
  params?: ParamDeclaration[];
  /** `# ...` comments, kept so the formatter can put them back. */
  comments: CommentNode[];
  span: Span;
}

/** `param domain = "gmail.com"` (with a default) or `param domain` (none: it must be bound). */
export interface ParamDeclaration {
  kind: "Param";
  name: string;
  nameSpan: Span;
  /** The default, a literal value or `[...]` list. */
  default?: ValueList;
  span: Span;
}

export interface CommentNode {
  kind: "Comment";
  text: string;
  span: Span;
}

// ----- conditions -----

export type Condition =
  AndCondition | OrCondition | NotCondition | Comparison | SegmentTest | BehavioralTest | InvalidCondition;

export interface AndCondition {
  kind: "And";
  operands: Condition[];
  span: Span;
  /** Written in parentheses: `oq fmt` keeps them where they show how and/or group. */
  parenthesized?: true;
}

export interface OrCondition {
  kind: "Or";
  operands: Condition[];
  span: Span;
  /** Written in parentheses: `oq fmt` keeps them where they show how and/or group. */
  parenthesized?: true;
}

export interface NotCondition {
  kind: "Not";
  operand: Condition;
  /** The `not` keyword itself. */
  keywordSpan: Span;
  span: Span;
}

/** What the comparison operator was written as, e.g. "contains" or "is not empty". */
export type ComparisonOperator =
  | "="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "contains"
  | "not contains"
  | "starts"
  | "not starts"
  | "ends"
  | "not ends"
  | "is empty"
  | "is not empty"
  | "between"
  | "not between"
  | "in"
  | "not in";

export interface Comparison {
  kind: "Comparison";
  field: FieldRef;
  operator: ComparisonOperator;
  operatorSpan: Span;
  /** No values for `is empty`, two for `between`, one or more otherwise. */
  values: Value[];
  /** The values were written as a `[...]` list. */
  isList: boolean;
  /** `case sensitive` (true), `case insensitive` (false), or not written. */
  caseSensitive?: boolean;
  caseSpan?: Span;
  span: Span;
}

/** `in segment 123` (negated through a surrounding `not`). */
export interface SegmentTest {
  kind: "SegmentTest";
  ids: Value[];
  isList: boolean;
  span: Span;
}

/** `opened campaign 123`. */
export interface BehavioralTest {
  kind: "BehavioralTest";
  /** The word as written: the checker narrows it to one of campaignActions (or reports OQ211). */
  action: string;
  actionSpan: Span;
  ids: Value[];
  isList: boolean;
  span: Span;
}

/** A part of the condition that did not parse; already reported, skipped by later stages. */
export interface InvalidCondition {
  kind: "InvalidCondition";
  span: Span;
}

export interface FieldRef {
  kind: "FieldRef";
  name: string;
  /** Written in backquotes. */
  quoted: boolean;
  span: Span;
}

// ----- values -----

/** A value, or a `[...]` list of them (`isList`), as written after an operator, `segment`, `campaign` or `=`. */
export interface ValueList {
  values: Value[];
  isList: boolean;
  /** The value's span, or the list's with its brackets. */
  span: Span;
}

export type Value =
  StringValue | NumberValue | DateValue | DurationValue | RelativeDateValue | ParameterValue;

/**
 * `$domain`: a placeholder for a value bound after parsing (never substituted as text). The
 * checker replaces it by the literal its bound value stands for (check/parameters.ts).
 */
export interface ParameterValue {
  kind: "Parameter";
  /** Without the `$`. */
  name: string;
  span: Span;
}

/** A literal the checker made from a parameter's value (check/parameters.ts) says which. */
interface BoundLiteral {
  fromParameter?: string;
}

export interface StringValue extends BoundLiteral {
  kind: "String";
  value: string;
  span: Span;
}

export interface NumberValue extends BoundLiteral {
  kind: "Number";
  value: number;
  raw: string;
  span: Span;
  /** The lexer reported this value's spelling already (`1e3`): the checker refuses it quietly. */
  reported?: true;
}

/**
 * `2024-01-31` or `2024-01-31T10:00:00Z`, as written, or `today` / `yesterday` (in lower case);
 * validated by the checker.
 */
export interface DateValue extends BoundLiteral {
  kind: "Date";
  raw: string;
  span: Span;
  /** The lexer reported this date's spelling already (`11/01/2026`): the checker refuses it quietly. */
  reported?: true;
}

/** `30d`, `3 months`: an amount of time. The unit is validated by the checker. */
export interface DurationValue extends BoundLiteral {
  kind: "Duration";
  amount: number;
  /** `h`, `d`, `w`, `mo` or `y` for any spelling of those units (calendarWords.ts); else as written. */
  unit: string;
  raw: string;
  span: Span;
  /** The lexer reported this duration's spelling already (`1.5d`): the checker refuses it quietly. */
  reported?: true;
}

/** `30d ago`. */
export interface RelativeDateValue extends BoundLiteral {
  kind: "RelativeDate";
  duration: DurationValue;
  span: Span;
}

// ----- clauses -----

export type Clause =
  TitleClause | DuringClause | BetweenClause | UsersClause | SelectClause | FavoriteClause | FlagsClause;

export interface TitleClause {
  kind: "Title";
  title: StringValue | ParameterValue;
  span: Span;
}

export interface DuringClause {
  kind: "During";
  duration: DurationValue | ParameterValue;
  span: Span;
}

export interface BetweenClause {
  kind: "Between";
  from: Value;
  to: Value;
  span: Span;
}

export interface UsersClause {
  kind: "Users";
  /** As written; empty when a parameter stands for it. */
  userType: string;
  userTypeSpan: Span;
  /** `users $kind`: bound to the user type's word before checking (check/parameters.ts). */
  parameter?: ParameterValue;
  span: Span;
}

export interface SelectClause {
  kind: "Select";
  fields: FieldRef[];
  span: Span;
}

export interface FavoriteClause {
  kind: "Favorite";
  span: Span;
}

/** `flags include_behavior, combined_as_and = false` or `flags none`: the request flags sent. */
export interface FlagsClause {
  kind: "Flags";
  flags: RequestFlagSetting[];
  span: Span;
}

export interface RequestFlagSetting {
  name: string;
  nameSpan: Span;
  /** The word after `=`, when written. */
  value?: string;
  valueSpan?: Span;
  span: Span;
}

export type ClauseKind = Clause["kind"];
