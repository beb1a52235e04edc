import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile, parse, type ReadingName } from "../src/index.js";
import { matchesCriteria } from "../src/evaluate/evaluateCriteria.js";
import { evaluateCondition } from "./support/astEvaluator.js";
import {
  contactArb,
  customFields,
  propertyNow,
  propertyNowSeconds,
  queryArb,
  queryPairArb,
  typeOf,
} from "./support/arbitraries.js";

/*
 * The and/or normalisation checked against the three-valued reading of the syntax tree: a query
 * (generated, or built to contain a redundancy for the simplifications, idempotence and
 * absorption, to remove) compiles, when it compiles, to criteria that select exactly the
 * contacts the query means; under each reading of a test the sandbox can play, too.
 */

const runs = Number(process.env["OQ_PROPERTY_RUNS"] ?? 300);
const options = { now: propertyNow, fields: customFields };

/** The condition of a generated query, as text. */
function conditionOf(text: string): string {
  const condition = parse(text).ast!.condition!;
  return `(${text.slice(condition.span.start.offset, condition.span.end.offset)})`;
}

const conditionArb = queryArb.map(conditionOf);

const redundantArb = fc
  .tuple(conditionArb, conditionArb, fc.integer({ min: 0, max: 5 }))
  .map(([a, b, shape]) => {
    switch (shape) {
      case 0:
        return `${a} or (${a} and ${b})`;
      case 1:
        return `${a} and (${a} or ${b})`;
      case 2:
        return `(${a} and ${a}) or ${b}`;
      case 3:
        return `(${a} or ${a}) and ${b}`;
      case 4:
        return `(${a} and ${b}) or (${b} and ${a})`;
      default:
        return `(${b} and ${a}) or ${a}`;
    }
  });

/**
 * Generated queries, with their grouping by precedence written out in parentheses, and queries
 * built to hold a redundancy: each with the text whose syntax tree gives its meaning.
 */
const meaningArb = fc.oneof(
  queryPairArb.map(({ text, grouped }) => ({ text, meaning: grouped, kind: "generated" as const })),
  redundantArb.map((text) => ({ text, meaning: text, kind: "redundant" as const })),
);

/** The readings of language/readings.ts the sandbox's evaluator plays (forced-and, of how a list is joined, is not one). */
const readingsOfTests: { name: string; readings: ReadonlySet<ReadingName>; runs: number }[] = [
  { name: "the documented reading", readings: new Set(), runs },
  { name: "null-text", readings: new Set(["null-text"]), runs: runs / 3 },
  { name: "sent-not-opened", readings: new Set(["sent-not-opened"]), runs: runs / 3 },
];

describe.each(readingsOfTests)("the and/or normalisation: $name", ({ readings, runs }) => {
  it("keeps the meaning, in three-valued logic, on random contacts (generated and redundant queries)", () => {
    const compared = { generated: 0, redundant: 0 };
    fc.assert(
      fc.property(
        meaningArb,
        fc.array(contactArb, { minLength: 10, maxLength: 10 }),
        ({ text, meaning, kind }, contacts) => {
          const result = compile(text, options);
          if (!result.ok) return;
          compared[kind]++;
          // The meaning as grammar.md's precedence gives it: a parser that groups and/or/not
          // otherwise, or a simplification that is not one, compiles `text` to criteria that disagree.
          const condition = parse(meaning).ast!.condition!;
          for (const contact of contacts) {
            const expected = evaluateCondition(condition, contact, typeOf, propertyNowSeconds, readings);
            expect(
              matchesCriteria(result.payload!.filters.criteria, contact, readings),
              `${text}\n${JSON.stringify(contact.fields)}`,
            ).toBe(expected);
          }
        },
      ),
      { numRuns: Math.ceil(runs * 2) },
    );
    // Not vacuous: each generator gives about `runs` queries, and most of them must compile.
    expect(compared.generated).toBeGreaterThan(runs / 3);
    expect(compared.redundant).toBeGreaterThan(runs / 5);
  });
});

describe("simplifying redundant and/or", () => {
  it("compiles 'a or (a and b)' and 'a and (a or b)' to a's criteria whenever 'a' compiles (and 'b' at most mixes and/or)", () => {
    fc.assert(
      fc.property(conditionArb, conditionArb, (a, b) => {
        const alone = compile(a, options);
        if (!alone.ok) return;
        // A 'not' Ongage cannot express is refused before any simplification.
        if (compile(b, options).diagnostics.some((d) => d.severity === "error" && d.code !== "OQ241")) return;
        for (const text of [
          `${a} or (${a} and ${b})`,
          `${a} and (${a} or ${b})`,
          `(${a} and ${a}) or (${a} or ${a})`,
        ]) {
          const result = compile(text, options);
          expect(result.ok, text).toBe(true);
          expect(result.payload!.filters.criteria, text).toEqual(alone.payload!.filters.criteria);
        }
      }),
      { numRuns: runs },
    );
  });
});

describe("negative segment and campaign tests", () => {
  it("are never merged into one '!=' with several ids", () => {
    fc.assert(
      fc.property(queryArb, (text) => {
        const result = compile(text, options);
        if (!result.ok) return;
        for (const criterion of result.payload!.filters.criteria) {
          if (criterion.operator !== "!=") continue;
          if (criterion.type === "segment") expect(criterion.operand, text).toHaveLength(1);
          if (criterion.type === "behavioral")
            expect((criterion.operand as { mailing_ids: string[] }).mailing_ids, text).toHaveLength(1);
        }
      }),
      { numRuns: runs * 3 },
    );
  });
});

describe("the OQ231 hint to keep contacts with an empty value", () => {
  it("is offered only where the query, so changed, still compiles to one flat list without the warning", () => {
    let offered = 0;
    fc.assert(
      fc.property(queryArb, (text) => {
        const result = compile(text, options);
        if (!result.ok) return;
        for (const warning of result.diagnostics.filter((d) => d.code === "OQ231")) {
          const added = warning.hints
            .map((hint) => /add(?: at the end of the condition)?: (or .* is empty)$/.exec(hint)?.[1])
            .find(Boolean);
          if (!added) continue;
          const end = parse(text).ast!.condition!.span.end.offset;
          const changed = `${text.slice(0, end)} ${added}${text.slice(end)}`;
          const again = compile(changed, options);
          expect(again.ok, `${changed}\n${again.diagnostics.map((d) => d.message).join("\n")}`).toBe(true);
          const field = added.replace(/^or (.*) is empty$/, "$1");
          expect(
            again.diagnostics.filter(
              (d) => d.code === "OQ231" && d.message.includes(`whose ${field} is empty`),
            ),
            changed,
          ).toEqual([]);
          offered++;
        }
      }),
      { numRuns: runs * 3 },
    );
    expect(offered).toBeGreaterThan(0);
  });

  it("where 'or FIELD is empty' at the end would change the grouping, shows the negated part rewritten", () => {
    const fields = { age: "numeric" as const, city: "string" as const };
    for (const [text, rewrite] of [
      ['not (age < 30 or city = "Paris")', "(age >= 30 or age is empty)"],
      ["not (age in [1, 2])", "((age != 1 and age != 2) or age is empty)"],
      ["not (age < 30) and opens > 1", "(age >= 30 or age is empty)"],
    ] as const) {
      const warning = compile(text, { now: propertyNow, fields }).diagnostics.find(
        (d) => d.code === "OQ231",
      )!;
      expect(warning.hints.join("\n"), text).not.toContain("add at the end");
      expect(warning.hints.join("\n"), text).toContain(`as ${rewrite};`);
    }
    const warning = compile('not (age < 30) or city = "x"', { now: propertyNow, fields }).diagnostics.find(
      (d) => d.code === "OQ231",
    )!;
    expect(warning.hints).toContain(
      "to keep those contacts, add at the end of the condition: or age is empty",
    );
  });
});
