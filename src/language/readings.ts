/*
 * Readings of Ongage's criteria that no public page or client settles (docs/semantics.md,
 * "Readings oq cannot confirm"): each is an alternative to the documented reading oq assumes, by
 * the name `oq sandbox --reading` takes. The sandbox can play each one; the planner takes a
 * shortcut that depends on one only once it is known not to hold (a finding, as `oq doctor`
 * makes them).
 */

export const readingNames = ["forced-and", "null-text", "sent-not-opened"] as const;

/**
 * - `forced-and`: a request with `combined_as_and: true` joins every criterion by AND, whatever
 *   each criterion's `condition` says (documented reading: each `condition` is in force);
 * - `null-text`: an empty text field is unknown to every comparison, as NULL is (documented
 *   reading: it is the text "", which `!=` and `NOT LIKE` match);
 * - `sent-not-opened`: `opened != M` and `clicked != M` hold only for contacts that were sent M
 *   (documented reading: for every contact that did not open or click M). `sent != M` keeps its
 *   meaning: a contact sent M cannot be "not sent" it.
 */
export type ReadingName = (typeof readingNames)[number];

/** What is known of one reading on an account: it holds there, or it does not. */
export const findingWords = ["holds", "fails"] as const;
type Finding = (typeof findingWords)[number];

/** What is known of each reading on an account; a reading left out is not known. */
export type Findings = Readonly<Partial<Record<ReadingName, Finding>>>;

export function isReadingName(name: string): name is ReadingName {
  return (readingNames as readonly string[]).includes(name);
}
