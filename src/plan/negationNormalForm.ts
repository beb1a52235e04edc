import type { Span } from "../diagnostics/source.js";
import type { Criterion, Logic } from "../check/checkedQuery.js";
import { inverseOperator } from "../check/operators.js";

/*
 * A condition with every `not` pushed down to the criteria, as the planner needs it. A negated
 * criterion becomes its opposite where Ongage has one (as in normalisation). Two have none:
 * - `between` is rewritten exactly as `< low or > high` (a contact without a value is unknown
 *   to both forms, docs/semantics.md);
 * - `starts` and `ends` stay a negated literal, which the plan turns into a set difference.
 *   That is exact because they apply only to text, which is never unknown (empty text is "").
 */

export type Term =
  | { kind: "criterion"; criterion: Criterion; span: Span }
  | { kind: "negated"; criterion: Criterion; span: Span }
  | { kind: "and" | "or"; operands: Term[]; span: Span };

export function negationNormalForm(logic: Logic, negated = false): Term {
  switch (logic.kind) {
    case "not":
      return negationNormalForm(logic.operand, !negated);
    case "and":
    case "or": {
      const kind = negated ? (logic.kind === "and" ? "or" : "and") : logic.kind;
      return flattened(
        kind,
        logic.operands.map((operand) => negationNormalForm(operand, negated)),
        logic.span,
      );
    }
    case "atom":
      return negated
        ? negatedCriterion(logic.criterion, logic.span)
        : criterionTerm(logic.criterion, logic.span);
  }
}

function criterionTerm(criterion: Criterion, span: Span): Term {
  return { kind: "criterion", criterion, span };
}

function negatedCriterion(criterion: Criterion, span: Span): Term {
  if (criterion.operator === "><") {
    const [low, high] = criterion.values;
    return flattened(
      "or",
      [
        criterionTerm({ ...criterion, operator: "<", values: [low!] }, span),
        criterionTerm({ ...criterion, operator: ">", values: [high!] }, span),
      ],
      span,
    );
  }
  const inverse = inverseOperator[criterion.operator];
  if (!inverse) return { kind: "negated", criterion, span };
  // not (f = [a, b]) is f != a and f != b: each value becomes its own criterion.
  if (criterion.values.length <= 1) return criterionTerm({ ...criterion, operator: inverse }, span);
  return flattened(
    "and",
    criterion.values.map((value) =>
      criterionTerm({ ...criterion, operator: inverse, values: [value] }, span),
    ),
    span,
  );
}

/** An and/or whose operands of the same kind are lifted into it; one operand stands alone. */
export function flattened(kind: "and" | "or", operands: Term[], span: Span): Term {
  const flat: Term[] = [];
  for (const operand of operands) {
    if (operand.kind === kind) for (const inner of operand.operands) flat.push(inner);
    else flat.push(operand);
  }
  return flat.length === 1 ? flat[0]! : { kind, operands: flat, span };
}
