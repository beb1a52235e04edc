import type { Span } from "../diagnostics/source.js";
import type { Criterion, FlatCriteria } from "../check/checkedQuery.js";
import { criterionKey } from "../check/logic/criterionKey.js";
import { mergeCriteria } from "../check/logic/mergeAlternatives.js";
import {
  flattened,
  flattenTerm,
  oppositeCriteria,
  type NegationNormalForm,
  type Term,
} from "../check/logic/negationNormalForm.js";
import type { ContactSet } from "../emit/planSchema.js";

/*
 * The planner: a condition that no single flat criteria list can say exactly becomes a few
 * reports, each a plain `and` chain or a plain `or` chain, and set operations on the contacts
 * they return. Selected means "the condition is true" (docs/semantics.md), and in that
 * three-valued logic true(a and b) is true(a) ∩ true(b) and true(a or b) is true(a) ∪ true(b);
 * it starts from the negation normal form that normalise starts from too
 * (check/logic/negationNormalForm.ts), so the only complement left is that of `starts`/`ends`
 * on text, which is never unknown: a difference.
 *
 * For each part of the condition the planner tries the few shapes that can be cheapest (push
 * the surrounding `and` criteria into each alternative, or intersect with them; one `or`
 * chain for the plain alternatives) and keeps the one with the fewest distinct reports.
 */

/** A report of the plan: its criteria, all joined by one combinator. */
interface PlannedReport extends FlatCriteria {
  key: string;
}

type PlanNode =
  | { kind: "report"; report: PlannedReport }
  | { kind: "union" | "intersection"; of: PlanNode[] }
  | { kind: "difference"; from: PlanNode; minus: PlanNode };

export interface LogicalPlan {
  reports: FlatCriteria[];
  combine: ContactSet;
}

type PlanResult =
  | { ok: true; plan: LogicalPlan }
  | { ok: false; reportsNeeded: number; explodes: Span; explodesNeeds: number };

/**
 * The positive part a negation is taken from when the condition has no other: every contact.
 * Text is never unknown, so `email is empty or email is not empty` holds for each of them.
 */
const everyone: readonly Criterion[] = (["empty", "notempty"] as const).map((operator) => ({
  fieldName: "email",
  type: "email" as const,
  operator,
  values: [],
  caseSensitive: false,
}));

/** Whether a report of a plan is the one that selects every contact (the positive part of a lone `not`). */
export function selectsEveryone(report: FlatCriteria): boolean {
  return (
    report.combinator === "or" &&
    report.criteria.length === everyone.length &&
    report.criteria.every(
      (criterion, index) =>
        criterion.fieldName === everyone[index]!.fieldName &&
        criterion.operator === everyone[index]!.operator,
    )
  );
}

/** A plan for a condition (in negation normal form), or, beyond `maxReports`, the part to blame. */
export function planCondition(condition: NegationNormalForm, maxReports: number): PlanResult {
  const term = flattenTerm(condition.term);
  const memo: Memo = new Map();
  const best = planTerm(term, [], memo);
  const needed = reportCount(best);
  if (needed <= maxReports) return { ok: true, plan: toLogicalPlan(best) };
  // The part to blame: the smallest part of the condition that alone needs too many reports.
  let explodes = term;
  let explodesNeeds = needed;
  for (;;) {
    if (explodes.kind !== "and" && explodes.kind !== "or") break;
    const worse = explodes.operands
      .map((operand) => ({ operand, count: reportCount(planTerm(operand, [], memo)) }))
      .find(({ count }) => count > maxReports);
    if (!worse) break;
    [explodes, explodesNeeds] = [worse.operand, worse.count];
  }
  return { ok: false, reportsNeeded: needed, explodes: explodes.span, explodesNeeds };
}

/**
 * The plan of `context and term`, where context is a list of criteria. Memoised per term and
 * context: the shapes tried at one level plan the same parts again, and nesting would make
 * that exponential.
 */
function planTerm(term: Term, context: readonly Criterion[], memo: Memo): PlanNode {
  const contextKey = context.map(criterionKey).join("\u0000");
  let forTerm = memo.get(term);
  if (!forTerm) memo.set(term, (forTerm = new Map()));
  let planned = forTerm.get(contextKey);
  if (!planned) forTerm.set(contextKey, (planned = planTermOnce(term, context, memo)));
  return planned;
}

type Memo = Map<Term, Map<string, PlanNode>>;

function planTermOnce(term: Term, context: readonly Criterion[], memo: Memo): PlanNode {
  switch (term.kind) {
    case "atom":
      return report("and", [...context, term.criterion]);
    case "negated":
      return difference(positivePart(context), report("and", [...context, term.criterion]));
    case "or":
      return cheapest(alternativesOfOr(term, context, memo));
    case "and":
      return cheapest(alternativesOfAnd(term.operands, context, memo));
  }
}

function alternativesOfOr(
  term: Extract<Term, { operands: Term[] }>,
  context: readonly Criterion[],
  memo: Memo,
): PlanNode[] {
  const { operands, span } = term;
  const criteria = mergeCriteria(operands.flatMap((o) => (o.kind === "atom" ? [o.criterion] : [])));
  const others = operands.filter((operand) => operand.kind !== "atom");
  const candidates: PlanNode[] = [];
  // Each alternative under the context: with no context the criteria are one `or` chain.
  const criteriaParts =
    context.length === 0
      ? criteria.length > 0
        ? [report("or", criteria)]
        : []
      : criteria.map((criterion) => report("and", [...context, criterion]));
  candidates.push(union([...criteriaParts, ...others.map((operand) => planTerm(operand, context, memo))]));
  if (context.length > 0) {
    // The context once, intersected with the alternatives planned without it.
    candidates.push(intersection([report("and", context), planTerm(term, [], memo)]));
    // The plain criteria as one `or` chain beside the context; the rest under the context.
    if (criteria.length > 1 && others.length > 0)
      candidates.push(
        union([
          intersection([report("and", context), report("or", criteria)]),
          ...others.map((operand) => planTerm(operand, context, memo)),
        ]),
      );
  }
  // `not a or not b` is everyone but those with `a and b`: one difference, not one per alternative.
  const complements = operands.map(complementOf);
  if (complements.filter((complement) => complement !== undefined).length >= 2) {
    const rest = operands.filter((_, index) => complements[index] === undefined);
    candidates.push(
      union([
        difference(
          positivePart(context),
          report("and", [...context, ...complements.flatMap((complement) => complement ?? [])]),
        ),
        ...rest.map((operand) => planTerm(operand, context, memo)),
      ]),
    );
  }
  const factored = commonFactor(operands, span);
  if (factored) candidates.push(planTerm(factored, context, memo));
  return candidates;
}

function alternativesOfAnd(operands: Term[], context: readonly Criterion[], memo: Memo): PlanNode[] {
  const inner = [...context, ...operands.flatMap((o) => (o.kind === "atom" ? [o.criterion] : []))];
  const negated = operands.flatMap((o) => (o.kind === "negated" ? [o.criterion] : []));
  const compounds = operands.filter((operand) => operand.kind === "and" || operand.kind === "or");
  const positives: PlanNode[] = [];
  if (compounds.length === 0) positives.push(positivePart(inner));
  else {
    compounds.forEach((chosen, index) => {
      const rest = compounds
        .filter((_, other) => other !== index)
        .map((operand) => planTerm(operand, [], memo));
      positives.push(intersection([planTerm(chosen, inner, memo), ...rest]));
    });
    if (inner.length > 0)
      positives.push(
        intersection([report("and", inner), ...compounds.map((operand) => planTerm(operand, [], memo))]),
      );
  }
  if (negated.length === 0) return positives;
  // What the negations take away: each under the context (smaller exports), or all in one `or` chain.
  const removals = [union(negated.map((criterion) => report("and", [...inner, criterion])))];
  if (negated.length > 1) removals.push(report("or", mergeCriteria(negated)));
  return positives.flatMap((positive) => removals.map((removal) => difference(positive, removal)));
}

/** Types whose comparisons are never unknown (empty text is ""; membership is yes or no). */
const twoValued: ReadonlySet<string> = new Set(["email", "string", "segment", "behavioral"]);

/**
 * The criteria that hold exactly when `term` does not, all of them together: a negated
 * `starts`/`ends` is its criterion; a comparison that is never unknown and has an opposite is
 * its opposite, one criterion per value (`city != [a, b]` fails exactly when city = a and
 * city = b). Undefined for the rest.
 */
function complementOf(term: Term): Criterion[] | undefined {
  if (term.kind === "negated") return [term.criterion];
  if (term.kind !== "atom" || !twoValued.has(term.criterion.type)) return undefined;
  return oppositeCriteria(term.criterion);
}

/** `(a and b) or (a and c)` as `a and (b or c)`, when every alternative shares criteria. */
function commonFactor(operands: Term[], span: Span): Term | undefined {
  const criteriaOf = (operand: Term) =>
    operand.kind === "atom" ? [operand] : operand.kind === "and" ? operand.operands : [];
  const keysOf = (operand: Term) =>
    new Set(criteriaOf(operand).flatMap((o) => (o.kind === "atom" ? [criterionKey(o.criterion)] : [])));
  const shared = operands.map(keysOf).reduce((a, b) => new Set([...a].filter((key) => b.has(key))));
  if (shared.size === 0) return undefined;
  const factor = criteriaOf(operands[0]!).filter(
    (o) => o.kind === "atom" && shared.has(criterionKey(o.criterion)),
  );
  const remainders = operands.map((operand) => {
    const rest = criteriaOf(operand).filter(
      (o) => !(o.kind === "atom" && shared.has(criterionKey(o.criterion))),
    );
    return rest.length === 0 ? undefined : flattened("and", rest, operand.span);
  });
  // `a or (a and b)` is `a`: an alternative that is only the factor absorbs the others.
  if (remainders.some((rest) => rest === undefined)) return flattened("and", factor, span);
  return flattened("and", [...factor, flattened("or", remainders as Term[], span)], span);
}

function positivePart(context: readonly Criterion[]): PlanNode {
  return context.length > 0 ? report("and", context) : report("or", everyone);
}

function report(combinator: "and" | "or", criteria: readonly Criterion[]): PlanNode {
  const byKey = new Map<string, Criterion>();
  for (const criterion of combinator === "or" ? mergeCriteria(criteria) : criteria)
    byKey.set(criterionKey(criterion), criterion);
  const kept = [...byKey.values()];
  const joined = kept.length === 1 ? "and" : combinator;
  const key = `${joined}(${[...byKey.keys()].sort().join(",")})`;
  return { kind: "report", report: { combinator: joined, criteria: kept, key } };
}

function union(of: PlanNode[]): PlanNode {
  return of.length === 1 ? of[0]! : { kind: "union", of };
}

function intersection(of: PlanNode[]): PlanNode {
  return of.length === 1 ? of[0]! : { kind: "intersection", of };
}

function difference(from: PlanNode, minus: PlanNode): PlanNode {
  return { kind: "difference", from, minus };
}

function reportsOf(node: PlanNode, into = new Map<string, PlannedReport>()): Map<string, PlannedReport> {
  if (node.kind === "report") into.set(node.report.key, node.report);
  else if (node.kind === "difference") {
    reportsOf(node.from, into);
    reportsOf(node.minus, into);
  } else for (const operand of node.of) reportsOf(operand, into);
  return into;
}

function reportCount(node: PlanNode): number {
  return reportsOf(node).size;
}

/** Fewest distinct reports; on a tie, the first (the shapes are tried most selective first). */
function cheapest(candidates: PlanNode[]): PlanNode {
  let best = candidates[0]!;
  let bestCount = reportCount(best);
  for (const candidate of candidates.slice(1)) {
    const count = reportCount(candidate);
    if (count < bestCount) [best, bestCount] = [candidate, count];
  }
  return best;
}

function toLogicalPlan(node: PlanNode): LogicalPlan {
  const reports = [...reportsOf(node).values()];
  const index = new Map(reports.map((planned, position) => [planned.key, position]));
  const toSet = (part: PlanNode): ContactSet => {
    switch (part.kind) {
      case "report":
        return { kind: "report", report: index.get(part.report.key)! };
      case "difference":
        return { kind: "difference", from: toSet(part.from), minus: toSet(part.minus) };
      default:
        return { kind: part.kind, of: part.of.map(toSet) };
    }
  };
  return {
    reports: reports.map(({ combinator, criteria }) => ({ combinator, criteria })),
    combine: toSet(node),
  };
}
