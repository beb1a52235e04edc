import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Criterion, Logic } from "../src/check/checkedQuery.js";
import { operatorsByType } from "../src/check/operators.js";
import type { SourceText } from "../src/diagnostics/source.js";
import { emitCriteria } from "../src/emit/emit.js";
import type { ContactSet } from "../src/emit/planSchema.js";
import { matchesCriteria } from "../src/evaluate/evaluateCriteria.js";
import type { EvaluationContact } from "../src/evaluate/contact.js";
import { negationNormalForm } from "../src/check/logic/negationNormalForm.js";
import { planCondition, type LogicalPlan } from "../src/plan/planner.js";
import { contactArb, fieldsByType, typeOf } from "./support/arbitraries.js";

/*
 * The planner is exact: for random conditions mixing and, or, not, lists, empty tests, segments
 * and campaigns, the contacts its reports and set operations select are exactly those for which
 * the condition is true, in the three-valued logic of docs/semantics.md. The truth of a
 * condition is computed here from the criteria alone, without the planner's rewrites.
 */

const runs = Number(process.env["OQ_PROPERTY_RUNS"] ?? 300);
const span = { start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } } as never;
void (null as unknown as SourceText);

const days = [10, 15, 19, 20].map((day) => Date.parse(`2024-01-${day}T00:00:00Z`) / 1000);
const words = ["a", "ab", "b", "x"];
const ids = ["1", "2", "3", "9007199254740993"];

const fieldCriterionArb: fc.Arbitrary<Criterion> = fc
  .constantFrom(...Object.values(fieldsByType).flat())
  .chain((fieldName) => {
    const type = typeOf(fieldName);
    const value: fc.Arbitrary<string | number> =
      type === "date"
        ? fc.constantFrom(...days)
        : type === "numeric"
          ? fc.integer({ min: 0, max: 6 })
          : type === "id"
            ? fc.constantFrom(...ids)
            : fc.constantFrom(...words);
    return fc
      .record({
        operator: fc.constantFrom(...operatorsByType[type]),
        values: fc.array(value, { minLength: 1, maxLength: 2 }),
        caseSensitive: type === "email" || type === "string" ? fc.boolean() : fc.constant(false),
      })
      .map(({ operator, values, caseSensitive }) => {
        const ordered = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const operands =
          operator === "empty" || operator === "notempty"
            ? []
            : operator === "><"
              ? [ordered[0]!, ordered.at(-1)!]
              : ["<", "<=", ">", ">="].includes(operator)
                ? [values[0]!]
                : values;
        return { fieldName, type, operator, values: operands, caseSensitive };
      });
  });

const membershipArb: fc.Arbitrary<Criterion> = fc
  .record({
    kind: fc.constantFrom("segment", "sent", "opened", "clicked"),
    operator: fc.constantFrom("=" as const, "!=" as const),
    value: fc.constantFrom("1", "2", "3"),
  })
  .map(({ kind, operator, value }) => ({
    fieldName: kind,
    type: kind === "segment" ? "segment" : "behavioral",
    operator,
    values: [value],
    caseSensitive: false,
  }));

const atomArb: fc.Arbitrary<Logic> = fc
  .oneof({ weight: 4, arbitrary: fieldCriterionArb }, { weight: 1, arbitrary: membershipArb })
  .map((criterion) => ({ kind: "atom", criterion, span }));

const { logic: logicArb } = fc.letrec<{ logic: Logic }>((tie) => ({
  logic: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 3, arbitrary: atomArb },
    fc
      .record({ operand: tie("logic") })
      .map(({ operand }) => ({ kind: "not" as const, operand, keywordSpan: span, span })),
    fc
      .record({
        kind: fc.constantFrom("and" as const, "or" as const),
        operands: fc.array(tie("logic"), { minLength: 2, maxLength: 3 }),
      })
      .map(({ kind, operands }) => ({ kind, operands, span })),
  ),
}));

type Truth = boolean | "unknown";

function holds(criterion: Criterion, contact: EvaluationContact): boolean {
  return matchesCriteria(emitCriteria({ combinator: "and", criteria: [criterion] }), contact);
}

const countFields = new Set(["sent", "opens", "clicks"]);

/** A comparison on an empty number, id or date is unknown: neither it nor its opposite holds. */
function truthOfCriterion(criterion: Criterion, contact: EvaluationContact): Truth {
  if (holds(criterion, contact)) return true;
  const ordered = criterion.type === "numeric" || criterion.type === "id" || criterion.type === "date";
  if (!ordered || countFields.has(criterion.fieldName)) return false;
  if (criterion.operator === "empty" || criterion.operator === "notempty") return false;
  const probe = criterion.values[0]!;
  const [a, b] =
    criterion.operator === "=" || criterion.operator === "!="
      ? (["=", "!="] as const)
      : (["<", ">="] as const);
  const either =
    holds({ ...criterion, operator: a, values: [probe] }, contact) ||
    holds({ ...criterion, operator: b, values: [probe] }, contact);
  return either ? false : "unknown";
}

function truthOf(logic: Logic, contact: EvaluationContact): Truth {
  switch (logic.kind) {
    case "atom":
      return truthOfCriterion(logic.criterion, contact);
    case "not": {
      const inner = truthOf(logic.operand, contact);
      return inner === "unknown" ? inner : !inner;
    }
    case "and": {
      const truths = logic.operands.map((operand) => truthOf(operand, contact));
      return truths.includes(false) ? false : truths.includes("unknown") ? "unknown" : true;
    }
    case "or": {
      const truths = logic.operands.map((operand) => truthOf(operand, contact));
      return truths.includes(true) ? true : truths.includes("unknown") ? "unknown" : false;
    }
  }
}

function selectedBy(plan: LogicalPlan, contact: EvaluationContact): boolean {
  const inReport = plan.reports.map((report) => matchesCriteria(emitCriteria(report), contact));
  const member = (set: ContactSet): boolean => {
    switch (set.kind) {
      case "report":
        return inReport[set.report]!;
      case "union":
        return set.of.some(member);
      case "intersection":
        return set.of.every(member);
      case "difference":
        return member(set.from) && !member(set.minus);
    }
  };
  return member(plan.combine);
}

describe("the planner", () => {
  it("selects exactly the contacts for which the condition is true", () => {
    let planned = 0;
    fc.assert(
      fc.property(logicArb, fc.array(contactArb, { minLength: 12, maxLength: 12 }), (logic, contacts) => {
        const result = planCondition(negationNormalForm(logic), 1000);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        planned++;
        for (const report of result.plan.reports) {
          expect(report.criteria.length).toBeGreaterThan(0);
        }
        for (const contact of contacts)
          expect(selectedBy(result.plan, contact)).toBe(truthOf(logic, contact) === true);
      }),
      { numRuns: runs },
    );
    expect(planned).toBe(runs);
  });
});
