import type { BoundParameter } from "./parameters.js";
import type { Span } from "../diagnostics/source.js";
import type { CriterionType, OngageOperator } from "../language/vocabulary.js";

/** One Ongage criterion before it is written as JSON: a field, an operator and its values. */
export interface Criterion {
  fieldName: string;
  type: CriterionType;
  operator: OngageOperator;
  /**
   * The operand values, OR-ed by Ongage. Numbers for numeric, id and date fields (dates as Unix
   * seconds), strings otherwise; none for empty/notempty; [low, high] for a range.
   */
  values: (string | number)[];
  caseSensitive: boolean;
  /** The parameter each value bound from a `$name` came from, by value (for `oq explain`). */
  parameterOf?: ReadonlyMap<string | number, string>;
  /** Never merged with other values: a negative criterion on an account that reads its list as "none of them" (logic/negativeLists.ts). */
  alone?: true;
}

/** The checked condition: criteria combined with and/or/not, as the user wrote it. */
export type Logic =
  | { kind: "and" | "or"; operands: Logic[]; span: Span }
  | { kind: "not"; operand: Logic; keywordSpan: Span; span: Span }
  | { kind: "atom"; criterion: Criterion; span: Span };

/** What Ongage receives: a flat list of criteria, all joined by the same condition. */
export interface FlatCriteria {
  combinator: "and" | "or";
  criteria: Criterion[];
}

export interface TimeWindow {
  /** Unix seconds. */
  from: number;
  to: number;
}

/** The parts of a query that check works out and later stages pass on unchanged. */
interface QueryParts {
  title: string;
  window: TimeWindow;
  userType: string;
  selectedFields: string[];
  favorite: boolean;
  /**
   * The request flags a `flags` clause names (true or false; a flag it does not name is left
   * out of the request). Absent without the clause: then the compile settings decide.
   */
  requestFlags?: Partial<Record<RequestFlagName, boolean>>;
  /** The parameters the query declares or uses, with their values; absent when it has none. */
  parameters?: BoundParameter[];
}

/**
 * What check hands to normalise: every part known to be valid, the condition still the tree the
 * user wrote (each comparison checked and resolved to a Criterion, `not` and nesting kept, spans
 * kept so that normalise can point at what it refuses or warns about), and the two facts
 * normalise's window-coverage warning (OQ233) needs.
 */
export interface CheckedQuery extends QueryParts {
  condition: Logic;
  /** The "now" check resolved `during`, `ago` and the default window against, in Unix seconds. */
  nowSeconds: number;
  /** The `during` or `between` clause, when the query sets its window; absent for the default. */
  windowClauseSpan?: Span;
}

/** What normalise hands to emit: the condition as one flat and/or list, ready to be written. */
export interface NormalizedQuery extends QueryParts {
  filter: FlatCriteria;
}

/** Ongage's request flags whose meaning is undocumented; see emit.ts. */
export const requestFlagNames = ["include_behavior", "combined_as_and"] as const;
export type RequestFlagName = (typeof requestFlagNames)[number];
