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
import type { Findings } from "../language/readings.js";

/*
 * The planner: a condition that no single flat criteria list can say exactly becomes a few
 * reports, each a plain `and` chain or a plain `or` chain, and set operations on the contacts
 * they return. Selected means "the condition is true" (docs/semantics.md), and in that
 * three-valued logic true(a and b) is true(a) ∩ true(b) and true(a or b) is true(a) ∪ true(b);
 * it starts from the negation normal form that normalise starts from too
 * (check/logic/negationNormalForm.ts).
 *
 * A plan rests only on what a single report already rests on (docs/semantics.md, "What plans
 * assume"): each report's criteria are read as they would be in a report of their own, and the
 * set operations say the rest. So a set difference stands for a `not` only where it selects
 * what the test's opposite would under every reading of language/readings.ts, or under what is
 * known of the account's readings (`findings`): for a negated `starts`/`ends` (no opposite: the
 * difference is its meaning), and for a test that is never unknown (exactlyComplemented). The contacts a lone negation is taken from are
 * those with an email, the list's key: one criterion, true for every contact whatever
 * `combined_as_and` means. Where `forced-and` is found to hold, no report is an `or` chain.
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
 * Email is the list's key, which every contact has (plans already tell contacts apart by it), so
 * `email is not empty` holds for each of them, under every reading: one criterion, which no
 * reading of `combined_as_and` can change, and an emptiness test, which is never unknown.
 */
const everyone: Criterion = {
  fieldName: "email",
  type: "email",
  operator: "notempty",
  values: [],
  caseSensitive: false,
};

/** Whether a report of a plan is the one that selects every contact (the positive part of a lone `not`). */
export function selectsEveryone(report: FlatCriteria): boolean {
  const [only, ...rest] = report.criteria;
  return rest.length === 0 && only?.fieldName === everyone.fieldName && only.operator === everyone.operator;
}

/**
 * A plan for a condition (in negation normal form), or, beyond `maxReports`, the part to blame.
 * `findings`: what is known of the readings on the account the reports run on (default: nothing,
 * so the plan holds under every reading).
 */
export function planCondition(
  condition: NegationNormalForm,
  maxReports: number,
  findings: Findings = {},
): PlanResult {
  const planner = new Planner(findings);
  const term = flattenTerm(condition.term);
  const best = planner.plan(term, []);
  const needed = reportCount(best);
  if (needed <= maxReports) return { ok: true, plan: toLogicalPlan(best) };
  // The part to blame: the smallest part of the condition that alone needs too many reports.
  let explodes = term;
  let explodesNeeds = needed;
  for (;;) {
    if (explodes.kind !== "and" && explodes.kind !== "or") break;
    const worse = explodes.operands
      .map((operand) => ({ operand, count: reportCount(planner.plan(operand, [])) }))
      .find(({ count }) => count > maxReports);
    if (!worse) break;
    [explodes, explodesNeeds] = [worse.operand, worse.count];
  }
  return { ok: false, reportsNeeded: needed, explodes: explodes.span, explodesNeeds };
}

type Memo = Map<Term, Map<string, PlanNode>>;

/** Plans the parts of one condition, under what is known of the account's readings. */
class Planner {
  /** The plans made, per term and context: the shapes tried at one level plan the same parts again. */
  private readonly memo: Memo = new Map();
  /** Whether a report may be an `or` chain: not where `combined_as_and` is found to force AND. */
  private readonly orChains: boolean;

  constructor(private readonly findings: Findings) {
    this.orChains = findings["forced-and"] !== "holds";
  }

  /** The plan of `context and term`, where context is a list of criteria. Memoised: nesting would make it exponential. */
  plan(term: Term, context: readonly Criterion[]): PlanNode {
    const contextKey = context.map(criterionKey).join("\u0000");
    let forTerm = this.memo.get(term);
    if (!forTerm) this.memo.set(term, (forTerm = new Map()));
    let planned = forTerm.get(contextKey);
    if (!planned) forTerm.set(contextKey, (planned = this.planOnce(term, context)));
    return planned;
  }

  private planOnce(term: Term, context: readonly Criterion[]): PlanNode {
    switch (term.kind) {
      case "atom":
        return this.report("and", [...context, term.criterion]);
      case "negated":
        return difference(this.positivePart(context), this.report("and", [...context, term.criterion]));
      case "or":
        return cheapest(this.alternativesOfOr(term, context));
      case "and":
        return cheapest(this.alternativesOfAnd(term.operands, context));
    }
  }

  private alternativesOfOr(
    term: Extract<Term, { operands: Term[] }>,
    context: readonly Criterion[],
  ): PlanNode[] {
    const { operands, span } = term;
    const criteria = mergeCriteria(operands.flatMap((o) => (o.kind === "atom" ? [o.criterion] : [])));
    const others = operands.filter((operand) => operand.kind !== "atom");
    const candidates: PlanNode[] = [];
    // Each alternative under the context: with no context the criteria are one `or` chain.
    const criteriaParts =
      context.length === 0
        ? criteria.length > 0
          ? [this.report("or", criteria)]
          : []
        : criteria.map((criterion) => this.report("and", [...context, criterion]));
    candidates.push(union([...criteriaParts, ...others.map((operand) => this.plan(operand, context))]));
    if (context.length > 0) {
      // The context once, intersected with the alternatives planned without it.
      candidates.push(intersection([this.report("and", context), this.plan(term, [])]));
      // The plain criteria as one `or` chain beside the context; the rest under the context.
      if (criteria.length > 1 && others.length > 0)
        candidates.push(
          union([
            intersection([this.report("and", context), this.report("or", criteria)]),
            ...others.map((operand) => this.plan(operand, context)),
          ]),
        );
    }
    // `not a or not b` is everyone but those with `a and b`: one difference, not one per alternative.
    const complements = operands.map((operand) => this.complementOf(operand));
    if (complements.filter((complement) => complement !== undefined).length >= 2) {
      const rest = operands.filter((_, index) => complements[index] === undefined);
      candidates.push(
        union([
          difference(
            this.positivePart(context),
            this.report("and", [...context, ...complements.flatMap((complement) => complement ?? [])]),
          ),
          ...rest.map((operand) => this.plan(operand, context)),
        ]),
      );
    }
    const factored = commonFactor(operands, span);
    if (factored) candidates.push(this.plan(factored, context));
    return candidates;
  }

  private alternativesOfAnd(operands: Term[], context: readonly Criterion[]): PlanNode[] {
    const inner = [...context, ...operands.flatMap((o) => (o.kind === "atom" ? [o.criterion] : []))];
    const negated = operands.flatMap((o) => (o.kind === "negated" ? [o.criterion] : []));
    const compounds = operands.filter((operand) => operand.kind === "and" || operand.kind === "or");
    const positives: PlanNode[] = [];
    if (compounds.length === 0) positives.push(this.positivePart(inner));
    else {
      compounds.forEach((chosen, index) => {
        const rest = compounds.filter((_, other) => other !== index).map((operand) => this.plan(operand, []));
        positives.push(intersection([this.plan(chosen, inner), ...rest]));
      });
      if (inner.length > 0)
        positives.push(
          intersection([this.report("and", inner), ...compounds.map((operand) => this.plan(operand, []))]),
        );
    }
    if (negated.length === 0) return positives;
    // What the negations take away: each under the context (smaller exports), or all in one `or` chain.
    const removals = [union(negated.map((criterion) => this.report("and", [...inner, criterion])))];
    if (negated.length > 1 && this.orChains) removals.push(this.report("or", mergeCriteria(negated)));
    return positives.flatMap((positive) => removals.map((removal) => difference(positive, removal)));
  }

  /**
   * The criteria that hold exactly when `term` does not, all of them together: a negated
   * `starts`/`ends` is its criterion; a test that is never unknown (exactlyComplemented) is its
   * opposite, one criterion per value (`city != [a, b]` fails exactly when city = a and
   * city = b). Undefined for the rest.
   */
  private complementOf(term: Term): Criterion[] | undefined {
    if (term.kind === "negated") return [term.criterion];
    if (term.kind !== "atom" || !exactlyComplemented(term.criterion, this.findings)) return undefined;
    return oppositeCriteria(term.criterion);
  }

  private positivePart(context: readonly Criterion[]): PlanNode {
    return this.report("and", context.length > 0 ? context : [everyone]);
  }

  /** A report of `criteria` joined by `combinator`; an `or` chain as a union of reports where none may be one. */
  private report(combinator: "and" | "or", criteria: readonly Criterion[]): PlanNode {
    const byKey = new Map<string, Criterion>();
    for (const criterion of combinator === "or" ? mergeCriteria(criteria) : criteria)
      byKey.set(criterionKey(criterion), criterion);
    const kept = [...byKey.values()];
    if (combinator === "or" && kept.length > 1 && !this.orChains)
      return union(kept.map((criterion) => this.report("and", [criterion])));
    const joined = kept.length === 1 ? "and" : combinator;
    const key = `${joined}(${[...byKey.keys()].sort().join(",")})`;
    return { kind: "report", report: { combinator: joined, criteria: kept, key } };
  }
}

/**
 * Whether the opposite of `criterion` selects exactly the contacts for which it is false: for a
 * test that is never unknown on the account. Under every reading: an emptiness test, the list's
 * key `email` (never empty), a segment (membership is yes or no), `sent` a mailing. Custom text
 * only where null-text is found not to hold (empty text is "" then); `opened`/`clicked` only
 * where sent-not-opened is found not to hold. A number, id or date can be empty: never.
 */
function exactlyComplemented(criterion: Criterion, findings: Findings): boolean {
  if (criterion.operator === "empty" || criterion.operator === "notempty") return true;
  switch (criterion.type) {
    case "segment":
      return true;
    case "behavioral":
      return criterion.fieldName === "sent" || findings["sent-not-opened"] === "fails";
    case "email":
    case "string":
      return criterion.fieldName === everyone.fieldName || findings["null-text"] === "fails";
    default:
      return false;
  }
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
