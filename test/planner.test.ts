import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Criterion, Logic } from "../src/check/checkedQuery.js";
import { operatorsByType } from "../src/check/operators.js";
import type { SourceText } from "../src/diagnostics/source.js";
import { emitCriteria } from "../src/emit/emit.js";
import type { ContactSet } from "../src/emit/planSchema.js";
import { matchesCriteria, type PlayedReadings } from "../src/evaluate/evaluateCriteria.js";
import type { Findings, ReadingName } from "../src/index.js";
import type { EvaluationContact } from "../src/evaluate/contact.js";
import { negationNormalForm } from "../src/check/logic/negationNormalForm.js";
import { planCondition, type LogicalPlan } from "../src/plan/planner.js";
import { contactArb, fieldsByType, typeOf } from "./support/arbitraries.js";

/*
 * The planner is exact: for random conditions mixing and, or, not, lists, empty tests, segments
 * and campaigns, the contacts its reports and set operations select are exactly those for which
 * the condition is true, in the three-valued logic of docs/semantics.md. The truth of a
 * condition is computed here from the criteria alone, without the planner's rewrites, each
 * criterion read as a report of its own reads it. That holds under each reading of
 * language/readings.ts the sandbox's evaluator plays, when the planner knows nothing of the
 * account's readings, and when it knows the one played.
 */

const runs = Number(process.env["OQ_PROPERTY_RUNS"] ?? 300);
const span = { start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } } as never;
void (null as unknown as SourceText);

const days = [10, 15, 19, 20].map((day) => Date.parse(`2024-01-${day}T00:00:00Z`) / 1000);
const words = ["a", "ab", "b", "x"];
const ids = ["1", "2", "3", "9007199254740993"];

/** A comparison on one of `fields`. */
const comparisonArb = (fields: string[]): fc.Arbitrary<Criterion> =>
  fc.constantFrom(...fields).chain((fieldName) => {
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

/** Conditions of and, or, not over `atoms`. */
function conditionArb(atoms: fc.Arbitrary<Criterion>): fc.Arbitrary<Logic> {
  const atomArb = atoms.map((criterion): Logic => ({ kind: "atom", criterion, span }));
  return fc.letrec<{ logic: Logic }>((tie) => ({
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
  })).logic;
}

/** `a or not b or ...`: where a complement can stand for a negation, or not, by the reading. */
function alternativesArb(atoms: fc.Arbitrary<Criterion>): fc.Arbitrary<Logic> {
  const atomArb = atoms.map((criterion): Logic => ({ kind: "atom", criterion, span }));
  const negatedArb = atomArb.map((operand): Logic => ({ kind: "not", operand, keywordSpan: span, span }));
  return fc
    .array(fc.oneof(atomArb, negatedArb), { minLength: 2, maxLength: 3 })
    .map((operands) => ({ kind: "or", operands, span }));
}

const everyField = Object.values(fieldsByType).flat();
// Mostly the tests whose meaning the readings change: text and campaigns.
const readingSensitiveArb = fc.oneof(
  { weight: 3, arbitrary: comparisonArb([...fieldsByType.string, ...fieldsByType.email]) },
  { weight: 2, arbitrary: membershipArb },
  { weight: 1, arbitrary: comparisonArb(everyField) },
);
/** Text tests a complement could stand for, and `starts`/`ends`, whose `not` only a difference says. */
const textTestArb: fc.Arbitrary<Criterion> = fc
  .record({
    fieldName: fc.constantFrom("city", "first_name", "ocx_status"),
    operator: fc.constantFrom("=", "!=", "LIKE", "NOT LIKE", "LIKE_", "_LIKE" as const),
    value: fc.constantFrom("a", "ab", "b"),
  })
  .map(({ fieldName, operator, value }) => ({
    fieldName,
    type: "string",
    operator,
    values: [value],
    caseSensitive: false,
  }));
const logicArb = fc.oneof(
  conditionArb(
    fc.oneof({ weight: 4, arbitrary: comparisonArb(everyField) }, { weight: 1, arbitrary: membershipArb }),
  ),
  conditionArb(readingSensitiveArb),
  { weight: 2, arbitrary: alternativesArb(fc.oneof(textTestArb, membershipArb)) },
);

type Truth = boolean | "unknown";

/** The reading the evaluator plays, and what the planner is told of the account. */
interface Setting {
  readings: PlayedReadings;
  findings: Findings;
}

function holds(criterion: Criterion, contact: EvaluationContact, { readings }: Setting): boolean {
  return matchesCriteria(emitCriteria({ combinator: "and", criteria: [criterion] }), contact, readings);
}

const countFields = new Set(["sent", "opens", "clicks"]);

/**
 * A comparison on an empty number, id or date is unknown: neither it nor its opposite holds. So
 * is, under null-text, a comparison on empty text that has an opposite (`starts`/`ends` have
 * none: `not` before them takes every contact they do not select, under every reading); and,
 * under sent-not-opened, whether a contact opened or clicked a mailing it was not sent.
 */
function truthOfCriterion(criterion: Criterion, contact: EvaluationContact, setting: Setting): Truth {
  if (holds(criterion, contact, setting)) return true;
  const { type, operator, fieldName } = criterion;
  if (operator === "empty" || operator === "notempty") return false;
  if (type === "string" || type === "email") {
    const unknown =
      setting.readings.has("null-text") &&
      [null, undefined, ""].includes(contact.fields[fieldName] as never) &&
      operator !== "LIKE_" &&
      operator !== "_LIKE";
    return unknown ? "unknown" : false;
  }
  if (type === "behavioral") {
    const opposite = { ...criterion, operator: operator === "=" ? ("!=" as const) : ("=" as const) };
    return holds(opposite, contact, setting) ? false : "unknown";
  }
  const ordered = type === "numeric" || type === "id" || type === "date";
  if (!ordered || countFields.has(fieldName)) return false;
  const probe = criterion.values[0]!;
  const [a, b] = operator === "=" || operator === "!=" ? (["=", "!="] as const) : (["<", ">="] as const);
  const either =
    holds({ ...criterion, operator: a, values: [probe] }, contact, setting) ||
    holds({ ...criterion, operator: b, values: [probe] }, contact, setting);
  return either ? false : "unknown";
}

function truthOf(logic: Logic, contact: EvaluationContact, setting: Setting): Truth {
  switch (logic.kind) {
    case "atom":
      return truthOfCriterion(logic.criterion, contact, setting);
    case "not": {
      const inner = truthOf(logic.operand, contact, setting);
      return inner === "unknown" ? inner : !inner;
    }
    case "and": {
      const truths = logic.operands.map((operand) => truthOf(operand, contact, setting));
      return truths.includes(false) ? false : truths.includes("unknown") ? "unknown" : true;
    }
    case "or": {
      const truths = logic.operands.map((operand) => truthOf(operand, contact, setting));
      return truths.includes(true) ? true : truths.includes("unknown") ? "unknown" : false;
    }
  }
}

/** Whether the plan's reports and set operations select `contact`, each report sent with combined_as_and: true. */
function selectedBy(plan: LogicalPlan, contact: EvaluationContact, { readings }: Setting): boolean {
  const forcedAnd = readings.has("forced-and");
  const inReport = plan.reports.map((report) =>
    matchesCriteria(emitCriteria(report), contact, readings, forcedAnd),
  );
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

/**
 * Contacts of a list: every one has an email, its key (the contacts a lone negation is taken
 * from); and often empty text, whose meaning null-text changes.
 */
const listContactArb = fc
  .tuple(
    contactArb.filter((contact) => contact.fields["email"] !== ""),
    fc.subarray(["city", "first_name", "ocx_status"]),
  )
  .map(([contact, blank]) => ({
    ...contact,
    fields: { ...contact.fields, ...Object.fromEntries(blank.map((field) => [field, ""])) },
  }));

const notHolding: Findings = { "forced-and": "fails", "null-text": "fails", "sent-not-opened": "fails" };
const settings: { name: string; played: ReadingName[]; findings: Findings; runs: number }[] = [
  { name: "the documented reading, nothing known", played: [], findings: {}, runs },
  { name: "the documented reading, found to hold", played: [], findings: notHolding, runs: runs / 2 },
  {
    name: "forced-and, found to hold",
    played: ["forced-and"],
    findings: { "forced-and": "holds" },
    runs: runs / 2,
  },
  { name: "null-text, nothing known", played: ["null-text"], findings: {}, runs: runs / 2 },
  {
    name: "null-text, found to hold",
    played: ["null-text"],
    findings: { "null-text": "holds" },
    runs: runs / 2,
  },
  { name: "sent-not-opened, nothing known", played: ["sent-not-opened"], findings: {}, runs: runs / 2 },
];

describe("the planner", () => {
  it.each(settings)("selects exactly the contacts for which the condition is true: $name", (each) => {
    const setting: Setting = { readings: new Set(each.played), findings: each.findings };
    let planned = 0;
    fc.assert(
      fc.property(logicArb, fc.array(listContactArb, { minLength: 12, maxLength: 12 }), (logic, contacts) => {
        const result = planCondition(negationNormalForm(logic), 1000, each.findings);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        planned++;
        for (const report of result.plan.reports) {
          expect(report.criteria.length).toBeGreaterThan(0);
          if (setting.readings.has("forced-and"))
            expect(report.criteria.length === 1 || report.combinator === "and").toBe(true);
        }
        for (const contact of contacts)
          expect(selectedBy(result.plan, contact, setting)).toBe(truthOf(logic, contact, setting) === true);
      }),
      { numRuns: Math.ceil(each.runs) },
    );
    expect(planned).toBe(Math.ceil(each.runs));
  });
});
