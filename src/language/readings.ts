/*
 * Readings of Ongage's criteria that no public page or client settles (docs/semantics.md,
 * "Readings oq cannot confirm"): each is an alternative to the documented reading oq assumes, by
 * the name `oq sandbox --reading` takes. The sandbox can play each one.
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

export function isReadingName(name: string): name is ReadingName {
  return (readingNames as readonly string[]).includes(name);
}
