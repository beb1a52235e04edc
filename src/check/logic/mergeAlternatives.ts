import type { Criterion } from "../checkedQuery.js";
import { isFieldless } from "../../language/vocabulary.js";

/** Whether `or`-ed copies of this criterion with other values can be one criterion. */
export function mergeable(criterion: Criterion): boolean {
  if (criterion.operator === "><" || criterion.alone) return false;
  return !(criterion.operator === "!=" && isFieldless(criterion.type));
}

/**
 * `f = a or f = b` becomes `f = [a, b]`: Ongage ORs the values of one criterion. Not for `!=`
 * on segments and campaigns: what Ongage makes of several ids there is not documented, which is
 * why `not opened campaign [1, 2]` is sent as one criterion per id; these stay separate too.
 *
 * `alternatives` are `or`-ed; those with a criterion (`criterionOf`) merge into the first with
 * the same field, type, operator and case, which takes its place in the order, its values in
 * the order first seen (each once), and where each came from (`parameterOf`). The first is
 * copied (`withCriterion`), never changed in place.
 */
export function mergeAlternatives<T>(
  alternatives: readonly T[],
  criterionOf: (alternative: T) => Criterion | undefined,
  withCriterion: (alternative: T, merged: Criterion) => T,
): T[] {
  const out: T[] = [];
  const byKey = new Map<string, { merged: Criterion; values: Set<string | number> }>();
  for (const alternative of alternatives) {
    const criterion = criterionOf(alternative);
    if (!criterion || !mergeable(criterion)) {
      out.push(alternative);
      continue;
    }
    const { fieldName, type, operator, caseSensitive } = criterion;
    // The field name last: the words before it have no spaces, so the key is unambiguous.
    const key = `${type} ${operator} ${caseSensitive} ${fieldName}`;
    const existing = byKey.get(key);
    if (!existing) {
      const merged = { ...criterion, values: [...criterion.values] };
      byKey.set(key, { merged, values: new Set(merged.values) });
      out.push(withCriterion(alternative, merged));
      continue;
    }
    if (criterion.parameterOf) {
      existing.merged.parameterOf = new Map([
        ...(existing.merged.parameterOf ?? []),
        ...criterion.parameterOf,
      ]);
    }
    // A set, not values.includes(): a million-term `or` stays linear.
    for (const value of criterion.values) {
      if (!existing.values.has(value)) {
        existing.values.add(value);
        existing.merged.values.push(value);
      }
    }
  }
  return out;
}

/** mergeAlternatives over plain criteria. */
export function mergeCriteria(criteria: readonly Criterion[]): Criterion[] {
  return mergeAlternatives(
    criteria,
    (criterion) => criterion,
    (_, merged) => merged,
  );
}
