import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile, parse, plan } from "../src/index.js";
import { evaluateCondition } from "./support/astEvaluator.js";
import {
  contactArb,
  customFields,
  propertyNow,
  propertyNowSeconds,
  queryArb,
  typeOf,
} from "./support/arbitraries.js";

/*
 * A condition that selects no one is said at compile time (OQ236), not paid for with a report:
 * the whole condition, an error, and nothing runs; a part (an alternative of an `or`), a
 * warning, and what runs leaves it out. What OQ236 says must be true: checked against the
 * three-valued reading of the syntax tree on random contacts.
 */

const runs = Number(process.env["OQ_PROPERTY_RUNS"] ?? 300);
const options = { now: propertyNow, fields: customFields };
const codes = (text: string) =>
  plan(text, options)
    .diagnostics.filter((d) => d.code === "OQ236")
    .map((d) => `${d.severity} ${d.code}`);

describe("a condition that selects no one (OQ236)", () => {
  const never: [string, string][] = [
    ["opens > 5 and opens < 3", "'opens > 5' and 'opens < 3' cannot both hold: the condition selects no one"],
    [
      'email ends "a" and not email ends "a"',
      `'email ends "a"' and 'not email ends "a"' cannot both hold: the condition selects no one`,
    ],
    // Queries that would need a plan: no report is made for any part.
    [
      "opens > 5 and opens < 3 and (clicks > 1 or sent > 1)",
      "'opens > 5' and 'opens < 3' cannot both hold: the condition selects no one",
    ],
    [
      'email ends "a" and (opens > 1 or clicks > 1) and not email ends "a"',
      `'email ends "a"' and 'not email ends "a"' cannot both hold: the condition selects no one`,
    ],
    [
      "last_open_date > 2024-01-10 and last_open_date < 2024-01-11",
      "'last_open_date > 2024-01-10' and 'last_open_date < 2024-01-11' cannot both hold: the condition selects no one",
    ],
    [
      'city = "x" and city != "x"',
      `'city = "x"' and 'city != "x"' cannot both hold: the condition selects no one`,
    ],
    [
      "opens = [1, 2] and opens > 4",
      "'opens = [1, 2]' and 'opens > 4' cannot both hold: the condition selects no one",
    ],
    [
      "not (opens <= 5 or opens >= 3)",
      "'opens > 5' and 'opens < 3' cannot both hold: the condition selects no one",
    ],
    [
      "in segment 1 and not in segment 1",
      "'in segment 1' and 'not in segment 1' cannot both hold: the condition selects no one",
    ],
    [
      "opens > 2 and opens < 5 and opens = [1, 6]",
      "'opens > 2', 'opens < 5' and 'opens = [1, 6]' cannot all hold: the condition selects no one",
    ],
  ];
  for (const [text, message] of never) {
    it(`the whole condition: an error, and nothing to run: ${text}`, () => {
      for (const result of [compile(text, options), plan(text, options)]) {
        expect(result.ok).toBe(false);
        expect(result.diagnostics.map((d) => [d.severity, d.code, d.message])).toEqual([
          ["error", "OQ236", message],
        ]);
      }
      const planned = plan(text, options);
      expect(planned.payload ?? planned.plan).toBeUndefined();
    });
  }

  it("a part: a warning, and the part is left out of what runs", () => {
    // One report: the alternative that is left is one list.
    const single = compile("(opens > 5 and opens < 3) or clicks > 1", options);
    expect(single.diagnostics.map((d) => [d.severity, d.code, d.message])).toEqual([
      [
        "warning",
        "OQ236",
        "'opens > 5' and 'opens < 3' cannot both hold: this part of the condition selects no one, and is left out",
      ],
    ]);
    expect(single.payload!.filters.criteria).toEqual(
      compile("clicks > 1", options).payload!.filters.criteria,
    );
    // A plan: no report for the dead part (here `email ends "a"`, the difference it would need).
    const planned = plan(
      '((email ends "a" and not email ends "a") or opens > 1) and (clicks > 1 or sent > 2)',
      options,
    );
    expect(planned.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(["warning OQ236"]);
    expect(planned.words!.reports).toEqual(["opens > 1 and clicks > 1", "opens > 1 and sent > 2"]);
    // Every alternative dead: the whole condition.
    expect(codes('(opens > 5 and opens < 3) or (email ends "a" and not email ends "a")')).toEqual([
      "error OQ236",
      "error OQ236",
    ]);
  });

  it("is not said of what some contact can satisfy", () => {
    for (const text of [
      "opens > 1 and opens < 2", // numbers are not whole: 1.5
      "last_open_date >= 2024-01-10 and last_open_date <= 2024-01-10",
      'email ends "a" and email ends "b"',
      "opens != [1, 2] and opens = 1", // `!=` with a list holds when any one value differs
      'email = "a" and email != "A" case sensitive', // "a" is both
      "(opens > 5 or clicks > 1) and (opens < 3 or sent > 1)", // opens > 5 and sent > 1
      'not (email ends "a") or email ends "a"',
    ])
      expect(codes(text), text).toEqual([]);
  });

  it("property: what OQ236 says is true; a condition it refuses holds for no contact", () => {
    const conditionOf = (text: string) => {
      const span = parse(text).ast!.condition!.span;
      return text.slice(span.start.offset, span.end.offset);
    };
    // Two generated conditions joined by `and`, on the small pools of values, meet often.
    const conjunctionArb = fc
      .tuple(queryArb, queryArb)
      .map(([a, b]) => `(${conditionOf(a)}) and (${conditionOf(b)})`);
    let refused = 0;
    let warned = 0;
    fc.assert(
      fc.property(
        fc.oneof(queryArb, conjunctionArb),
        fc.array(contactArb, { minLength: 10, maxLength: 10 }),
        (text, contacts) => {
          const result = plan(text, options);
          const said = result.diagnostics.filter((d) => d.code === "OQ236");
          if (said.length === 0) return;
          if (said.some((d) => d.severity === "warning")) warned++;
          if (!said.some((d) => d.severity === "error")) return;
          refused++;
          expect(result.payload ?? result.plan, text).toBeUndefined();
          const condition = parse(text).ast!.condition!;
          for (const contact of contacts)
            expect(evaluateCondition(condition, contact, typeOf, propertyNowSeconds), text).toBe(false);
        },
      ),
      { numRuns: runs * 2 },
    );
    expect(refused).toBeGreaterThan(runs / 50);
    expect(warned).toBeGreaterThan(0);
  });
});
