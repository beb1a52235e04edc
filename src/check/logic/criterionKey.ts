import type { Criterion } from "../checkedQuery.js";

/**
 * A key that two criteria share exactly when they are the same criterion: the same field, type,
 * operator and case, and the same values (as a set, but a range's two ends in order).
 * Length-prefixed, so that no two different criteria share a key (cheaper than JSON.stringify).
 */
export function criterionKey(criterion: Criterion): string {
  const { fieldName, type, operator, caseSensitive, values } = criterion;
  const valueKey = values.length === 1 || operator === "><" ? values : [...values].sort();
  let key = `${fieldName.length}:${fieldName}${type}|${operator}|${caseSensitive ? 1 : 0}`;
  for (const value of valueKey)
    key += `|${typeof value === "number" ? "n" : "s"}${String(value).length}:${value}`;
  return key;
}
