import type { Criterion as CheckedCriterion, NormalizedQuery } from "../check/checkedQuery.js";
import { printCriterion } from "../check/printCriterion.js";
import { formatEpochSeconds } from "../check/time.js";
import { secondsPerDay } from "../language/vocabulary.js";

/*
 * What a valid query means, in a few lines: its criteria in words, its window as dates, its
 * fields. `.explain` says the same at length, criterion by criterion.
 */

function windowText(query: NormalizedQuery): string {
  const { from, to } = query.window;
  // A window to the end of a day stops at its last second (23:59:59, as `between ... and
  // 2024-01-31` does): it lasts whole days, and says so (31 days, not 744.0 hours).
  const endsAtDayEnd = (to + 1) % secondsPerDay === 0;
  const days = (to - from + (endsAtDayEnd ? 1 : 0)) / secondsPerDay;
  const length = Number.isInteger(days)
    ? `${days} day${days === 1 ? "" : "s"}`
    : `${(days * 24).toFixed(1)} hours`;
  const at = (seconds: number) => formatEpochSeconds(seconds, { alwaysTime: true }).replace("T", " ");
  return `${at(from)} → ${at(to)} (${length})`;
}

function conditionText(query: NormalizedQuery): string {
  const criteria = query.filter.criteria;
  if (criteria.length === 0) return "every contact";
  return criteria.map(printCriterion).join(` ${query.filter.combinator} `);
}

/** The compact summary printed after each valid query. */
export function summarize(query: NormalizedQuery): string {
  return [
    `✓ ${conditionText(query)}`,
    `  window  ${windowText(query)}`,
    `  users   ${query.userType}`,
    `  select  ${query.selectedFields.join(", ")}`,
  ].join("\n");
}

function explainCriterion(criterion: CheckedCriterion, index: number): string {
  const values = criterion.values.length === 0 ? "" : ` ${JSON.stringify(criterion.values)}`;
  const caseText = criterion.caseSensitive ? ", case sensitive" : "";
  return `  ${index + 1}. ${printCriterion(criterion)}\n     → ${criterion.fieldName} (${criterion.type}) ${criterion.operator}${values}${caseText}`;
}

/** `.explain`: every part of the request, and how each criterion reaches Ongage. */
export function explain(query: NormalizedQuery): string {
  const criteria = query.filter.criteria;
  const lines = [
    `title   ${JSON.stringify(query.title)}${query.favorite ? " (favourite)" : ""}`,
    `window  ${windowText(query)}`,
    `users   ${query.userType}`,
    `select  ${query.selectedFields.join(", ")}`,
  ];
  if (criteria.length === 0) lines.push("no criteria: every contact of the list in the window");
  else {
    lines.push(
      `${criteria.length} criteri${criteria.length === 1 ? "on" : "a"}, joined by ${query.filter.combinator.toUpperCase()} (Ongage's operators after →):`,
      ...criteria.map(explainCriterion),
    );
  }
  if (query.requestFlags)
    lines.push(
      `flags   ${Object.entries(query.requestFlags)
        .map(([name, value]) => `${name}=${String(value)}`)
        .join(", ")}`,
    );
  return `${lines.join("\n")}\n`;
}
