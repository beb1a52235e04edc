import type { DiagnosticCollector } from "../diagnostics/diagnostic.js";
import { secondsPerDay } from "../language/vocabulary.js";
import type { Criterion } from "./checkedQuery.js";
import { criterionKey } from "./logic/criterionKey.js";
import {
  flattened,
  flattenTerm,
  oppositeCriteria,
  type NegationNormalForm,
  type Term,
} from "./logic/negationNormalForm.js";
import { printCriterion } from "./printCriterion.js";

/*
 * Comparisons joined by `and` that no contact can satisfy together (OQ236): a criterion with its
 * own `not` (`email ends "a" and not email ends "a"`, `city = "x" and city != "x"`), or numbers
 * or dates on one field that no value satisfies at once (`opens > 5 and opens < 3`, `opens =
 * [1, 2] and opens > 4`; dates by UTC day, as Ongage compares them). Such an `and` is false for
 * every contact, whatever the value, an empty one included (unknown is not true), and under
 * every reading of docs/semantics.md, so saying so is never wrong. When the whole condition
 * selects no one it is an error: no report is made for an answer known in advance (as OQ214 for
 * an empty `between`). When only an alternative of an `or` does, a warning, and the alternative
 * is left out of what runs: no report is paid for it.
 * Only comparisons joined directly (after `not` is pushed in and nested `and`s lifted) are
 * compared; a contradiction that needs `and` spread over `or` to be seen is not looked for.
 */

type Leaf = Extract<Term, { kind: "atom" | "negated" }>;

interface Contradiction {
  leaves: Leaf[];
}

/**
 * The condition without the alternatives that select no one, each reported (OQ236); undefined
 * when the whole condition selects no one (each then an error, and the query stops there).
 */
export function withoutContradictions(
  condition: NegationNormalForm,
  diagnostics: DiagnosticCollector,
): NegationNormalForm | undefined {
  const found: Contradiction[] = [];
  const dead = new Set<Term>();
  const term = flattenTerm(condition.term);
  const never = selectsNoOne(term, found, dead);
  report(found, never, diagnostics);
  if (never) return undefined;
  if (dead.size === 0) return condition;
  const alive = withoutDead(term, dead);
  return { ...condition, term: alive, withoutOpposite: negatedIn(alive) };
}

function report(found: Contradiction[], never: boolean, diagnostics: DiagnosticCollector): void {
  for (const contradiction of found) {
    // In the order written; the caret goes under the last, where the parts stop fitting together.
    const leaves = [...contradiction.leaves].sort((a, b) => a.span.start.offset - b.span.start.offset);
    const written = leaves.map(describe);
    const span = leaves.at(-1)!.span;
    const together = `${written.slice(0, -1).join(", ")} and ${written.at(-1)!}`;
    const message = `${together} cannot ${leaves.length === 2 ? "both" : "all"} hold: ${never ? "the condition selects no one" : "this part of the condition selects no one, and is left out"}`;
    const hints = [
      "a contact matches an 'and' only when every part of it holds, and no value holds for all of these",
      never
        ? "oq makes no report for a query whose answer is known to be empty: check the values, or join the parts with 'or'"
        : "the other alternatives of the 'or' around it still select contacts, and oq runs only those; check the values, or drop this part",
    ];
    const details = { label: `never true together with ${written.slice(0, -1).join(", ")}`, hints };
    if (never) diagnostics.error("OQ236", message, span, details);
    else diagnostics.warning("OQ236", message, span, details);
  }
}

/** The term without its dead alternatives (an `and` left alive has no dead operand). */
function withoutDead(term: Term, dead: ReadonlySet<Term>): Term {
  if (term.kind !== "and" && term.kind !== "or") return term;
  const operands = term.operands.filter((operand) => !dead.has(operand));
  return flattened(
    term.kind,
    operands.map((operand) => withoutDead(operand, dead)),
    term.span,
  );
}

function negatedIn(term: Term): NegationNormalForm["withoutOpposite"] {
  if (term.kind === "negated") return [term];
  if (term.kind === "atom") return [];
  return term.operands.flatMap(negatedIn);
}

function describe(leaf: Leaf): string {
  const text = printCriterion(leaf.criterion);
  return `'${leaf.kind === "negated" ? `not ${text}` : text}'`;
}

/**
 * Whether `term` is false for every contact; each `and` found so is added to `found`, and each
 * part that selects no one to `dead`.
 */
function selectsNoOne(term: Term, found: Contradiction[], dead: Set<Term>): boolean {
  if (term.kind === "atom" || term.kind === "negated") return false;
  // Every operand is looked at, so that each contradiction is said.
  let someNever = false;
  let everyNever = true;
  for (const operand of term.operands) {
    const operandNever = selectsNoOne(operand, found, dead);
    someNever ||= operandNever;
    everyNever &&= operandNever;
  }
  let never: boolean;
  if (term.kind === "or") never = everyNever;
  else {
    const leaves = term.operands.filter(
      (operand): operand is Leaf => operand.kind !== "and" && operand.kind !== "or",
    );
    const contradiction = contradictionAmong(leaves);
    if (contradiction) found.push(contradiction);
    never = contradiction !== undefined || someNever;
  }
  if (never) dead.add(term);
  return never;
}

/** The first contradiction among criteria joined by `and`, if any. */
function contradictionAmong(leaves: Leaf[]): Contradiction | undefined {
  // Each contradiction below is among criteria of one field: there is none when no field is
  // tested twice, as in most queries, and this is on every compile's path.
  if (!someFieldTestedTwice(leaves)) return undefined;
  const atoms = new Map<string, Leaf>();
  for (const leaf of leaves) if (leaf.kind === "atom") atoms.set(criterionKey(leaf.criterion), leaf);
  for (const leaf of leaves) {
    // `not c` beside `c`: a negated `starts`/`ends`, whose criterion is `c` itself.
    if (leaf.kind === "negated") {
      const same = atoms.get(criterionKey(leaf.criterion));
      if (same) return { leaves: [same, leaf] };
      continue;
    }
    // `c` beside every criterion of its opposite (`city != "x"` for `city = "x"`).
    const opposite = oppositeCriteria(leaf.criterion)?.map((criterion) => atoms.get(criterionKey(criterion)));
    if (opposite?.every((each) => each !== undefined)) return { leaves: [leaf, ...opposite] };
  }
  const ordered = new Map<string, Leaf[]>();
  for (const leaf of leaves) {
    if (leaf.kind !== "atom" || !isOrdered(leaf.criterion)) continue;
    const key = `${leaf.criterion.type} ${leaf.criterion.fieldName}`;
    const group = ordered.get(key);
    if (group) group.push(leaf);
    else ordered.set(key, [leaf]);
  }
  for (const group of ordered.values())
    if (group.length > 1 && !anyValueFits(group.map((leaf) => leaf.criterion))) return { leaves: group };
  return undefined;
}

function someFieldTestedTwice(leaves: Leaf[]): boolean {
  // A few leaves, as most queries have, are compared pairwise: no Set.
  if (leaves.length <= 8) {
    for (let i = 1; i < leaves.length; i++)
      for (let j = 0; j < i; j++)
        if (leaves[j]!.criterion.fieldName === leaves[i]!.criterion.fieldName) return true;
    return false;
  }
  const fields = new Set<string>();
  for (const leaf of leaves) {
    if (fields.has(leaf.criterion.fieldName)) return true;
    fields.add(leaf.criterion.fieldName);
  }
  return false;
}

/** A comparison of numbers, or of dates (by day), whose values are all numbers. */
function isOrdered(criterion: Criterion): boolean {
  if (criterion.type !== "numeric" && criterion.type !== "date") return false;
  if (!["=", "!=", "<", "<=", ">", ">=", "><"].includes(criterion.operator)) return false;
  // `!=` with several values holds when any one differs (OQ230): it bounds nothing.
  if (criterion.operator === "!=" && criterion.values.length !== 1) return false;
  return criterion.values.length > 0 && criterion.values.every((value) => typeof value === "number");
}

/**
 * Whether one value satisfies every comparison (all on one field). Dates compare by UTC day, so
 * they are whole days, and `< d` is `<= d - 1`; numbers are real.
 */
function anyValueFits(criteria: Criterion[]): boolean {
  const days = criteria[0]!.type === "date";
  const point = (value: string | number) =>
    days ? Math.floor(Number(value) / secondsPerDay) : Number(value);
  let low = -Infinity;
  let lowOpen = false;
  let high = Infinity;
  let highOpen = false;
  // Sets, not arrays: a list of thousands of values stays linear.
  let equals: Set<number> | undefined;
  const excluded = new Set<number>();
  const above = (value: number, open: boolean) => {
    if (days && open) [value, open] = [value + 1, false];
    if (value > low || (value === low && open)) [low, lowOpen] = [value, open];
  };
  const below = (value: number, open: boolean) => {
    if (days && open) [value, open] = [value - 1, false];
    if (value < high || (value === high && open)) [high, highOpen] = [value, open];
  };
  for (const { operator, values } of criteria) {
    const points = values.map(point);
    const [first] = points as [number];
    if (operator === "=") {
      const written = new Set(points);
      equals = equals ? new Set([...equals].filter((value) => written.has(value))) : written;
    } else if (operator === "!=") excluded.add(first);
    else if (operator === ">") above(first, true);
    else if (operator === ">=") above(first, false);
    else if (operator === "<") below(first, true);
    else if (operator === "<=") below(first, false);
    else if (operator === "><") {
      above(first, false);
      below(points[1]!, false);
    }
  }
  const fits = (value: number) =>
    !excluded.has(value) &&
    (value > low || (value === low && !lowOpen)) &&
    (value < high || (value === high && !highOpen));
  if (equals) return [...equals].some(fits);
  if (low < high) return true;
  return low === high && fits(low);
}
