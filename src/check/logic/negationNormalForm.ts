import type { Span } from "../../diagnostics/source.js";
import type { Criterion, Logic } from "../checkedQuery.js";
import { inverseOperator } from "../operators.js";

/*
 * The one negation normal form of a checked condition, which both normalise (one flat list) and
 * the planner (several reports) start from: every `not` pushed down to the criteria. A negated
 * criterion becomes its opposite where Ongage has one. Two operators have none:
 * - `between` is rewritten exactly as `< low or > high` (a contact without a value is unknown
 *   to both forms, docs/semantics.md);
 * - `starts` and `ends` stay a negated criterion, which normalise refuses (OQ240) and the
 *   planner turns into a set difference: every contact the test does not select, which uses
 *   only the test itself and so means the same under every reading of empty text
 *   (docs/semantics.md, "What plans assume").
 * The nesting stays as written: normalise flattens and simplifies it level by level, and the
 * planner flattens it first (flattenTerm).
 */

export type Term =
  | { kind: "atom"; criterion: Criterion; span: Span }
  | NegatedTerm
  | { kind: "and" | "or"; operands: Term[]; span: Span };

/** A criterion under a `not` that has no opposite criterion. */
interface NegatedTerm {
  kind: "negated";
  criterion: Criterion;
  span: Span;
  /** The `not` that applies to it. */
  negatedBy: Span;
}

/** A criterion a `not` applies to, and that `not`. */
export interface Negation {
  criterion: Criterion;
  negatedBy: Span;
}

export interface NegationNormalForm {
  term: Term;
  /** Every criterion a `not` applies to, in the order written (normalise warns about some, OQ231). */
  negations: Negation[];
  /** The negated terms (`not starts`, `not ends`), in the order written. */
  withoutOpposite: NegatedTerm[];
}

export function negationNormalForm(logic: Logic): NegationNormalForm {
  const found: Found = { negations: [], withoutOpposite: [] };
  const term = pushNotInward(logic, undefined, found);
  return { term, negations: found.negations, withoutOpposite: found.withoutOpposite };
}

/** What pushing `not` in notes on the way. */
type Found = Omit<NegationNormalForm, "term">;

/** `negatedBy`: the `not` that applies here, if any (two cancel out). */
function pushNotInward(logic: Logic, negatedBy: Span | undefined, found: Found): Term {
  switch (logic.kind) {
    case "not":
      return pushNotInward(logic.operand, negatedBy ? undefined : logic.keywordSpan, found);
    case "and":
    case "or": {
      const kind = negatedBy ? (logic.kind === "and" ? "or" : "and") : logic.kind;
      const operands = logic.operands.map((operand) => pushNotInward(operand, negatedBy, found));
      return { kind, operands, span: logic.span };
    }
    case "atom": {
      // A checked atom is a term's atom as it is (neither is changed once made): not copied.
      if (!negatedBy) return logic;
      const { criterion, span } = logic;
      found.negations.push({ criterion, negatedBy });
      if (criterion.operator === "><") {
        const [below, above] = outsideRange(criterion);
        return { kind: "or", operands: [atomTerm(below, span), atomTerm(above, span)], span };
      }
      const opposite = oppositeCriteria(criterion);
      if (!opposite) {
        const negated: NegatedTerm = { kind: "negated", criterion, span, negatedBy };
        found.withoutOpposite.push(negated);
        return negated;
      }
      if (opposite.length === 1) return atomTerm(opposite[0]!, span);
      return { kind: "and", operands: opposite.map((each) => atomTerm(each, span)), span };
    }
  }
}

function atomTerm(criterion: Criterion, span: Span): Term {
  return { kind: "atom", criterion, span };
}

/**
 * The criteria that together (joined by `and`) hold exactly when `criterion` fails, for a
 * contact that has a value: its inverse operator, once per value (`not (f = [a, b])` is
 * `f != a and f != b`). Undefined where Ongage has no inverse (starts, ends, between).
 */
export function oppositeCriteria(criterion: Criterion): Criterion[] | undefined {
  const inverse = inverseOperator[criterion.operator];
  if (!inverse) return undefined;
  if (criterion.values.length <= 1) return [{ ...criterion, operator: inverse }];
  return criterion.values.map((value) => ({ ...criterion, operator: inverse, values: [value] }));
}

/** `f between low and high` negated: `f < low` and `f > high`, to be joined by `or`. */
export function outsideRange(criterion: Criterion): [Criterion, Criterion] {
  const [low, high] = criterion.values;
  return [
    { ...criterion, operator: "<", values: [low!] },
    { ...criterion, operator: ">", values: [high!] },
  ];
}

/** The term with the operands of each and/or that are of its own kind lifted into it. */
export function flattenTerm(term: Term): Term {
  if (term.kind !== "and" && term.kind !== "or") return term;
  // Most conditions are flat already (every compile looks): returned as they are, not copied.
  if (isFlat(term)) return term;
  return flattened(term.kind, term.operands.map(flattenTerm), term.span);
}

/** Whether flattenTerm would make the same term: no and/or of two or more operands has an operand of its own kind. */
function isFlat(term: Term): boolean {
  if (term.kind !== "and" && term.kind !== "or") return true;
  if (term.operands.length < 2) return false;
  for (const operand of term.operands) if (operand.kind === term.kind || !isFlat(operand)) return false;
  return true;
}

/** An and/or whose operands of the same kind are lifted into it; one operand stands alone. */
export function flattened(kind: "and" | "or", operands: readonly Term[], span: Span): Term {
  const flat: Term[] = [];
  for (const operand of operands) {
    // A loop, not push(...operands): a spread of a million operands overflows the stack.
    if (operand.kind === kind) for (const inner of operand.operands) flat.push(inner);
    else flat.push(operand);
  }
  return flat.length === 1 ? flat[0]! : { kind, operands: flat, span };
}
