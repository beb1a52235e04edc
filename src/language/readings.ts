/*
 * Readings of Ongage's criteria that no public page or client settles (docs/semantics.md,
 * "Readings oq cannot confirm"): each is an alternative to the documented reading oq assumes, by
 * the name `oq sandbox --reading` takes. The sandbox can play each one; the planner takes a
 * shortcut that depends on one only once it is known not to hold (a finding, as `oq doctor`
 * makes them).
 */

export const readingNames = [
  "forced-and",
  "forced-and-false",
  "forced-and-absent",
  "null-text",
  "sent-not-opened",
  "empty-as-zero",
  "none-of-list",
  "users-or",
  "header-bom",
  "header-labels",
] as const;

/**
 * - `forced-and`: a request with `combined_as_and: true` joins every criterion by AND, whatever
 *   each criterion's `condition` says (documented reading: each `condition` is in force);
 * - `forced-and-false`, `forced-and-absent`: the same for a request with `combined_as_and: false`,
 *   and for one without `combined_as_and` (`flags none`, `flags include_behavior`);
 * - `null-text`: an empty text field is unknown to every comparison, as NULL is (documented
 *   reading: it is the text "", which `!=` and `NOT LIKE` match);
 * - `sent-not-opened`: `opened != M` and `clicked != M` hold only for contacts that were sent M
 *   (documented reading: for every contact that did not open or click M). `sent != M` keeps its
 *   meaning: a contact sent M cannot be "not sent" it;
 * - `empty-as-zero`: an empty number is 0 and an empty date the epoch (1970-01-01) to every
 *   comparison (documented reading: unknown, as NULL: it matches no comparison);
 * - `none-of-list`: a negative operator (`!=`, `NOT LIKE`) with several values holds when it holds
 *   for every value, "none of them" (documented reading: for any one value, as `=` does);
 * - `users-or`: `user_type` is one more alternative of an `or` list (`users active` with `a or b`
 *   selects every active contact and every contact of `a` or `b`) (documented reading: it applies
 *   to the whole report, `and` and `or` lists alike);
 * - `header-bom`: each export starts with a UTF-8 byte order mark (documented reading: none);
 * - `header-labels`: the header of each export names the columns by their labels, `First Name`
 *   for `first_name` (documented reading: by the names the request selected).
 */
export type ReadingName = (typeof readingNames)[number];

/** What is known of one reading on an account: it holds there, or it does not. */
export const findingWords = ["holds", "fails"] as const;
type Finding = (typeof findingWords)[number];

/** What is known of each reading on an account; a reading left out is not known. */
export type Findings = Readonly<Partial<Record<ReadingName, Finding>>>;

/**
 * The reading under which a request with this `combined_as_and` (undefined: left out) joins every
 * criterion by AND: each value of the flag is a reading of its own.
 */
export function andForcingReading(combinedAsAnd: boolean | undefined): ReadingName {
  return combinedAsAnd === true
    ? "forced-and"
    : combinedAsAnd === false
      ? "forced-and-false"
      : "forced-and-absent";
}

export function isReadingName(name: string): name is ReadingName {
  return (readingNames as readonly string[]).includes(name);
}
