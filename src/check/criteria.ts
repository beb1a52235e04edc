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

/** A query whose every part is known to be valid, ready to be written as a payload. */
export interface CheckedQuery {
  title: string;
  filter: FlatCriteria;
  window: TimeWindow;
  userType: string;
  selectedFields: string[];
  favorite: boolean;
  /**
   * The request flags a `flags` clause names (true or false; a flag it does not name is left
   * out of the request). Absent without the clause: then the compile settings decide.
   */
  requestFlags?: Partial<Record<RequestFlagName, boolean>>;
}

/** Ongage's request flags whose meaning is undocumented; see emit.ts. */
export const requestFlagNames = ["include_behavior", "combined_as_and"] as const;
export type RequestFlagName = (typeof requestFlagNames)[number];
