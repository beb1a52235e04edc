import type { DiagnosticCollector } from "../diagnostics/diagnostic.js";
import type { Span } from "../diagnostics/source.js";
import { printCriterion } from "../format/printCriterion.js";
import type { Criterion, FlatCriteria, Logic } from "./criteria.js";
import { inverseOperator, oqSpelling } from "./operators.js";

/*
 * Ongage takes a flat list of criteria, each marked "and" or "or", and does not document how
 * a list mixing the two is read. So oq only sends lists whose meaning does not depend on it:
 * all "and" or all "or". To get there it pushes `not` down to the criteria (inverting their
 * operators), flattens nested and/or, and merges `or`-ed criteria on the same field and
 * operator into one criterion with several values. Whatever still mixes and/or is refused.
 */

type Form = { kind: "and" | "or"; operands: Form[]; span: Span } | { kind: "atom"; criterion: Criterion; span: Span };

const maxAlternativesShown = 6;

export function normalize(logic: Logic, diagnostics: DiagnosticCollector): FlatCriteria | undefined {
  const pushed = pushNotInward(logic, undefined, diagnostics);
  if (!pushed) return undefined;
  const form = simplify(pushed);
  if (form.kind === "atom") return { combinator: "and", criteria: [form.criterion] };
  const nested = form.operands.find((operand) => operand.kind !== "atom");
  if (!nested) {
    return { combinator: form.kind, criteria: form.operands.map((operand) => (operand as Extract<Form, { kind: "atom" }>).criterion) };
  }
  reportMixed(form, nested, diagnostics);
  return undefined;
}

/** `negatedBy`: the `not` that applies here, if any. */
function pushNotInward(logic: Logic, negatedBy: Span | undefined, diagnostics: DiagnosticCollector): Form | undefined {
  switch (logic.kind) {
    case "not":
      return pushNotInward(logic.operand, negatedBy ? undefined : logic.keywordSpan, diagnostics);
    case "and":
    case "or": {
      const operands = logic.operands.map((operand) => pushNotInward(operand, negatedBy, diagnostics));
      if (operands.some((operand) => operand === undefined)) return undefined;
      const kind = negatedBy ? (logic.kind === "and" ? "or" : "and") : logic.kind;
      return { kind, operands: operands as Form[], span: logic.span };
    }
    case "atom":
      return negatedBy ? negateCriterion(logic.criterion, logic.span, negatedBy, diagnostics) : { kind: "atom", criterion: logic.criterion, span: logic.span };
  }
}

function negateCriterion(criterion: Criterion, span: Span, negatedBy: Span, diagnostics: DiagnosticCollector): Form | undefined {
  const inverse = inverseOperator[criterion.operator];
  if (!inverse) {
    reportNoInverse(criterion, negatedBy, diagnostics);
    return undefined;
  }
  // not (f = [a, b]) is f != a and f != b: each value becomes its own criterion.
  if (criterion.values.length <= 1) return { kind: "atom", criterion: { ...criterion, operator: inverse }, span };
  return {
    kind: "and",
    operands: criterion.values.map((value) => ({ kind: "atom" as const, criterion: { ...criterion, operator: inverse, values: [value] }, span })),
    span,
  };
}

function reportNoInverse(criterion: Criterion, negatedBy: Span, diagnostics: DiagnosticCollector): void {
  const word = oqSpelling[criterion.operator];
  const hints = [`Ongage has no operator for 'not ${word}', and oq does not approximate one`];
  if (criterion.operator === "><") {
    const [low, high] = criterion.values.map((value) => printCriterion({ ...criterion, operator: "=", values: [value] }).replace(/^.* = /, ""));
    const field = printCriterion({ ...criterion, operator: "=", values: [0] }).replace(/ = 0$/, "");
    hints.push(`the same meaning, written with operators Ongage has: ${field} < ${low} or ${field} > ${high}`);
  } else {
    // For a list, 'not contains [a, b]' would match almost everyone (OQ230); 'not (contains [a, b])' excludes each.
    const contains =
      criterion.values.length > 1 ? `not (${printCriterion({ ...criterion, operator: "LIKE" })})` : printCriterion({ ...criterion, operator: "NOT LIKE" });
    hints.push(`if the text cannot appear elsewhere in the value, '${contains}' is close; otherwise drop the 'not' and filter the CSV`);
  }
  diagnostics.error("OQ240", `'not' cannot apply to '${word}'`, negatedBy, {
    label: `negates '${printCriterion(criterion)}'`,
    hints,
  });
}

function simplify(form: Form): Form {
  if (form.kind === "atom") return form;
  const operands: Form[] = [];
  for (const operand of form.operands.map(simplify)) {
    if (operand.kind === form.kind) operands.push(...operand.operands);
    else operands.push(operand);
  }
  const merged = form.kind === "or" ? mergeAlternatives(operands) : operands;
  if (merged.length === 1) return merged[0]!;
  return { kind: form.kind, operands: merged, span: form.span };
}

/** `f = a or f = b` becomes `f = [a, b]`: Ongage ORs the values of one criterion. */
function mergeAlternatives(operands: Form[]): Form[] {
  const out: Form[] = [];
  const byKey = new Map<string, Extract<Form, { kind: "atom" }>>();
  for (const operand of operands) {
    if (operand.kind !== "atom" || operand.criterion.operator === "><") {
      out.push(operand);
      continue;
    }
    const { fieldName, type, operator, caseSensitive } = operand.criterion;
    const key = JSON.stringify([fieldName, type, operator, caseSensitive]);
    const existing = byKey.get(key);
    if (!existing) {
      const copy = { ...operand, criterion: { ...operand.criterion, values: [...operand.criterion.values] } };
      byKey.set(key, copy);
      out.push(copy);
      continue;
    }
    for (const value of operand.criterion.values) {
      if (!existing.criterion.values.includes(value)) existing.criterion.values.push(value);
    }
  }
  return out;
}

function printForm(form: Form, parent?: "and" | "or"): string {
  if (form.kind === "atom") return printCriterion(form.criterion);
  const text = form.operands.map((operand) => printForm(operand, form.kind)).join(` ${form.kind} `);
  return parent && parent !== form.kind ? `(${text})` : text;
}

/** The condition as an `or` of `and` chains, or undefined past `limit` alternatives. */
function alternatives(form: Form, limit: number): Form[][] | undefined {
  if (form.kind === "atom") return [[form]];
  if (form.kind === "or") {
    const out: Form[][] = [];
    for (const operand of form.operands) {
      const inner = alternatives(operand, limit);
      if (!inner || out.length + inner.length > limit) return undefined;
      out.push(...inner);
    }
    return out;
  }
  let product: Form[][] = [[]];
  for (const operand of form.operands) {
    const inner = alternatives(operand, limit);
    if (!inner || product.length * inner.length > limit) return undefined;
    product = product.flatMap((prefix) => inner.map((choice) => [...prefix, ...choice]));
  }
  return product;
}

function reportMixed(form: Extract<Form, { kind: "and" | "or" }>, nested: Form, diagnostics: DiagnosticCollector): void {
  const hints = [
    "Ongage combines a flat list of criteria, all joined by 'and' or all by 'or'; how it reads a list that mixes them is not documented, so oq does not guess",
  ];
  const split = alternatives(form, maxAlternativesShown);
  if (split) {
    const lines = split.map((alternative) => `  ${alternative.map((atom) => printForm(atom, "and")).join(" and ")}`);
    hints.push(`run one query for each alternative and combine the CSVs:\n${lines.join("\n")}`);
  } else {
    hints.push("split it into several queries, each a plain 'and' chain or a plain 'or' chain, and combine the CSVs");
  }
  hints.push("'or' between conditions on the same field with the same operator is fine: they become one criterion, e.g. email ends [\"gmail.com\", \"yahoo.com\"]");
  diagnostics.error("OQ241", `this condition mixes 'and' and 'or', which cannot be sent to Ongage exactly`, nested.span, {
    label: `${nested.kind === "or" ? "an 'or'" : "an 'and'"} inside ${form.kind === "or" ? "an 'or'" : "an 'and'"}: ${printForm(nested)}`,
    hints,
  });
}
