import type { Term } from "./negationNormalForm.js";

/*
 * oq reads a criterion's values as OR-ed for every operator, `!=` and `NOT LIKE` included
 * (`city != ["a", "b"]` is `city != "a" or city != "b"`), and merges `or`-ed criteria into one
 * list on that reading (mergeAlternatives.ts). On an account where `oq doctor` found
 * `none-of-list` to hold, Ongage reads such a list as "none of them": there each value of a
 * negative criterion is sent as a criterion of its own, `or`-ed as oq means them, and marked to
 * stay alone so that nothing merges them back.
 */

const negativeOperators = new Set(["!=", "NOT LIKE"]);

/** `term` with each negative criterion apart: one criterion per value, `or`-ed, each alone. */
export function negativeListsApart(term: Term): Term {
  switch (term.kind) {
    case "negated":
      return term;
    case "and":
    case "or":
      return { ...term, operands: term.operands.map(negativeListsApart) };
    case "atom": {
      const { criterion, span } = term;
      if (!negativeOperators.has(criterion.operator)) return term;
      const apart = criterion.values.map((value): Term => ({
        kind: "atom",
        criterion: { ...criterion, values: [value], alone: true },
        span,
      }));
      return apart.length === 1 ? apart[0]! : { kind: "or", operands: apart, span };
    }
  }
}
