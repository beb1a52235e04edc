import fc from "fast-check";
import type { FieldType } from "../../src/language/vocabulary.js";
import type { EvaluationContact } from "../../src/evaluate/contact.js";

/*
 * Generators of valid oq queries (as text) and of contacts to evaluate them on. Values come
 * from small pools so that comparisons are true for some contacts and false for others.
 */

export const propertyNow = "2024-01-20T12:00:00Z";
export const propertyNowSeconds = Date.parse(propertyNow) / 1000;

export const customFields = {
  first_name: "string",
  city: "string",
  age: "numeric",
  birthday: "date",
  customer_id: "id",
} as const;

export const fieldsByType: Record<FieldType, string[]> = {
  email: ["email"],
  string: ["ocx_status", "first_name", "city"],
  numeric: ["opens", "clicks", "sent", "age"],
  id: ["id", "customer_id"],
  date: ["last_open_date", "ocx_created_date", "birthday"],
};

export function typeOf(field: string): FieldType {
  for (const [type, names] of Object.entries(fieldsByType))
    if (names.includes(field)) return type as FieldType;
  throw new Error(`no type for ${field}`);
}

const words = ["a", "A", "ab", "b", "Ba", "abc", "x"];
const ids = ["1", "2", "3", "4"];
/**
 * Ids as contacts hold them: small numbers, numbers past a double's precision (2^53 and 2^53+1,
 * which a float would merge), a 20-digit one, an ObjectId-like text and a text with leading zeros.
 */
const contactIds = [
  "1",
  "2",
  "3",
  "9007199254740992",
  "9007199254740993",
  "12345678901234567890",
  "5aae312578464ae01f8b4567",
  "007",
];
/** The same ids as a query writes them: bare whole numbers, or text in quotes. */
const writtenIds = [
  "1",
  "2",
  '"3"',
  "9007199254740992",
  "9007199254740993",
  '"9007199254740993"',
  "12345678901234567890",
  '"5aae312578464ae01f8b4567"',
  '"007"',
];
/**
 * Numbers past the usual pool: exact ones (2^53, 10^20 as a JSON number writes them) and ones
 * no JSON number carries exactly (which must be refused with OQ216, never rounded or nulled).
 */
const hugeNumbers = [
  "9007199254740992",
  "100000000000000000000",
  "9007199254740993",
  "99999999999999999999",
  "9".repeat(400),
];
const days = ["2024-01-10", "2024-01-15", "2024-01-19", "2024-01-20"];

/** Relative dates in units other than days, and day words, with how far back they reach (at most). */
const calendarDates = [
  { text: "today", daysAgo: 0 },
  { text: "Yesterday", daysAgo: 1 },
  { text: "36h ago", daysAgo: 2 },
  { text: "1 hour ago", daysAgo: 1 },
  { text: "1w ago", daysAgo: 7 },
  { text: "1 week ago", daysAgo: 7 },
  { text: "1mo ago", daysAgo: 31 },
  { text: "2 months ago", daysAgo: 62 },
  { text: "2 mo ago", daysAgo: 62 },
  { text: "1y ago", daysAgo: 366 },
];

/** The values queries draw on: chosen to fall on both sides of the contacts' values. */
export interface ValuePools {
  words: string[];
  numbers: { min: number; max: number };
  days: string[];
  segmentIds: string[];
  mailingIds: string[];
  /** Relative dates up to this many days ago. */
  maxDaysAgo: number;
  /** Ids as written in queries for id fields; whole numbers from `numbers` when absent. */
  writtenIds?: string[];
  /** Numbers written now and then in place of `numbers`. */
  hugeNumbers?: string[];
}

export const defaultPools: ValuePools = {
  words,
  numbers: { min: 0, max: 6 },
  days,
  segmentIds: [...ids, '"3"', "9007199254740993"],
  mailingIds: [...ids, '"2"', "12345678901234567890"],
  maxDaysAgo: 13,
  writtenIds,
  hugeNumbers,
};

/** Refusals a generated (well-formed) query may meet: values out of range, what Ongage cannot express, and a condition that selects no one. */
export const expectedRefusals = ["OQ216", "OQ217", "OQ218", "OQ236", "OQ240", "OQ241"];

function listOf(value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    value,
    fc.array(value, { minLength: 1, maxLength: 3 }).map((vs) => `[${vs.join(", ")}]`),
  );
}

const caseFlag = fc.constantFrom("", "", " case sensitive", " case insensitive");

interface GeneratedCondition {
  text: string;
  grouped: string;
  bare: boolean;
}

export function makeQueryPairArb(
  pools: ValuePools,
  windows: string[] = [
    "between 2024-01-01 and 2024-01-31",
    "between 30d ago and 1d ago",
    "between 2023-12-01T10:00:00Z and 2024-01-02",
  ],
): fc.Arbitrary<{ text: string; grouped: string }> {
  const quoted = fc.constantFrom(...pools.words).map((w) => JSON.stringify(w));
  const smallNumber = fc.integer(pools.numbers);
  const numberText = pools.hugeNumbers
    ? fc.oneof(
        { arbitrary: smallNumber.map(String), weight: 30 },
        { arbitrary: fc.constantFrom(...pools.hugeNumbers), weight: 1 },
      )
    : smallNumber.map(String);
  const idText = pools.writtenIds ? fc.constantFrom(...pools.writtenIds) : smallNumber.map(String);
  // `<` and `between` on ids take whole numbers in their one spelling (quoted or not); text ids
  // (and "007") only match.
  const wholeIdText = idText.filter((id) => /^"?(0|[1-9]\d*)"?$/.test(id));
  const dateValue = fc.oneof(
    fc.constantFrom(...pools.days),
    fc.constantFrom(...pools.days).map((d) => `${d}T08:30:00Z`),
    fc
      .tuple(fc.integer({ min: 1, max: pools.maxDaysAgo }), fc.constantFrom("d", "D", " days", " Days"))
      .map(([n, unit]) => `${n}${unit} ago`),
    // Other units and day words, within the same reach.
    fc.constantFrom(
      ...calendarDates.filter((date) => date.daysAgo <= pools.maxDaysAgo).map((date) => date.text),
    ),
    // Far enough back to fall before the year 0000 (refused, OQ217), or to 0000-0099, which
    // Date.UTC would move by 1900 years.
    ...(pools.hugeNumbers
      ? [fc.constantFrom("1000000d ago", "99999999mo ago", "0050-06-01", "0000-02-29")]
      : []),
  );

  const textComparison = fc
    .tuple(
      fc.constantFrom(...fieldsByType.email, ...fieldsByType.string),
      fc.constantFrom(
        "=",
        "!=",
        "contains",
        "not contains",
        "starts",
        "ends",
        "in",
        "not in",
        "is empty",
        "is not empty",
      ),
      listOf(quoted),
      caseFlag,
    )
    .map(([field, op, value, flag]) =>
      op.startsWith("is")
        ? `${field} ${op}`
        : `${field} ${op} ${op.endsWith("in") && !value.startsWith("[") ? `[${value}]` : value}${flag}`,
    );

  const numericComparison = fc
    .tuple(
      fc.constantFrom(...fieldsByType.numeric),
      fc.constantFrom("=", "!=", "<", "<=", ">", ">=", "between", "in", "not in", "is empty", "is not empty"),
      listOf(numberText),
      smallNumber,
      smallNumber,
    )
    .map(([field, op, value, low, high]) => {
      if (op.startsWith("is")) return `${field} ${op}`;
      if (op === "between") return `${field} between ${Math.min(low, high)} and ${Math.max(low, high)}`;
      return `${field} ${op} ${op.endsWith("in") && !value.startsWith("[") ? `[${value}]` : value}`;
    });

  const idComparison = fc
    .tuple(
      fc.constantFrom(...fieldsByType.id),
      fc.constantFrom("=", "!=", "in", "not in", "is empty", "is not empty"),
      listOf(idText),
      fc.constantFrom("<", "<=", ">", ">=", "between"),
      wholeIdText,
      wholeIdText,
      fc.boolean(),
    )
    .map(([field, op, value, order, a, b, ordering]) => {
      if (ordering) {
        if (order !== "between") return `${field} ${order} ${a}`;
        const [low, high] = BigInt(a.replaceAll('"', "")) <= BigInt(b.replaceAll('"', "")) ? [a, b] : [b, a];
        return `${field} between ${low} and ${high}`;
      }
      if (op.startsWith("is")) return `${field} ${op}`;
      return `${field} ${op} ${op.endsWith("in") && !value.startsWith("[") ? `[${value}]` : value}`;
    });

  const dateComparison = fc
    .tuple(
      fc.constantFrom(...fieldsByType.date),
      fc.constantFrom("=", "!=", "<", "<=", ">", ">=", "is empty", "is not empty"),
      listOf(dateValue),
    )
    .map(([field, op, value]) => (op.startsWith("is") ? `${field} ${op}` : `${field} ${op} ${value}`));

  const segmentTest = listOf(fc.constantFrom(...pools.segmentIds)).map((v) => `in segment ${v}`);
  const behavioralTest = fc
    .tuple(fc.constantFrom("sent", "opened", "clicked"), listOf(fc.constantFrom(...pools.mailingIds)))
    .map(([a, v]) => `${a} campaign ${v}`);

  const atomArb = fc.oneof(
    textComparison,
    numericComparison,
    idComparison,
    dateComparison,
    segmentTest,
    behavioralTest,
  );

  // Each condition comes with the same condition fully parenthesised (`grouped`), as grammar.md's
  // precedence reads it: `not` before `and` before `or`. A parser that groups otherwise reads the
  // two differently. `bare` marks an unparenthesised chain, which needs parentheses inside another.
  const primary = (c: GeneratedCondition) => (c.bare ? `(${c.text})` : c.text);
  const primaryGrouped = (c: GeneratedCondition) => (c.bare ? `(${c.grouped})` : c.grouped);
  const atomCondition = atomArb.map((text): GeneratedCondition => ({ text, grouped: text, bare: false }));
  const joined = (cs: GeneratedCondition[], word: "and" | "or"): GeneratedCondition => ({
    text: `(${cs.map(primary).join(` ${word} `)})`,
    grouped: `(${cs.map(primaryGrouped).join(` ${word} `)})`,
    bare: false,
  });
  const chain = (
    links: { negated: boolean; operand: GeneratedCondition }[],
    words: ("and" | "or")[],
  ): GeneratedCondition => {
    const text = links
      .map(
        ({ negated, operand }, i) =>
          `${i === 0 ? "" : ` ${words[i - 1]} `}${negated ? "not " : ""}${primary(operand)}`,
      )
      .join("");
    const andRuns: string[][] = [[]];
    links.forEach(({ negated, operand }, i) => {
      if (i > 0 && words[i - 1] === "or") andRuns.push([]);
      andRuns.at(-1)!.push(negated ? `(not ${primaryGrouped(operand)})` : primaryGrouped(operand));
    });
    const grouped = andRuns
      .map((run) => (run.length === 1 ? run[0]! : `(${run.join(" and ")})`))
      .join(" or ");
    return { text, grouped, bare: true };
  };

  const conditionArb: fc.Arbitrary<GeneratedCondition> = fc.letrec<{ condition: GeneratedCondition }>(
    (tie) => ({
      condition: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        { arbitrary: atomCondition, weight: 2 },
        {
          arbitrary: fc
            .array(tie("condition"), { minLength: 2, maxLength: 3 })
            .map((cs) => joined(cs, "and")),
          weight: 2,
        },
        {
          arbitrary: fc.array(tie("condition"), { minLength: 2, maxLength: 3 }).map((cs) => joined(cs, "or")),
          weight: 2,
        },
        {
          arbitrary: tie("condition").map((c): GeneratedCondition => {
            const operand =
              c.text.startsWith("(") && !c.bare
                ? c
                : { text: `(${c.text})`, grouped: `(${c.grouped})`, bare: false };
            return { text: `not ${operand.text}`, grouped: `not ${operand.grouped}`, bare: false };
          }),
          weight: 2,
        },
        // Unparenthesised chains of and, or and not: precedence decides what they mean. A chain
        // that mixes and with or is mostly refused (OQ240), so half of them keep to one word.
        {
          arbitrary: fc
            .array(fc.record({ negated: fc.boolean(), operand: tie("condition") }), {
              minLength: 2,
              maxLength: 4,
            })
            .chain((links) => {
              const count = { minLength: links.length - 1, maxLength: links.length - 1 };
              const oneWord = fc
                .constantFrom("and" as const, "or" as const)
                .map((word) => Array.from({ length: links.length - 1 }, () => word));
              return fc
                .oneof(oneWord, fc.array(fc.constantFrom("and" as const, "or" as const), count))
                .map((words) => chain(links, words));
            }),
          weight: 1,
        },
      ),
    }),
  ).condition;

  const clauseArb = fc.record(
    {
      title: fc
        .string({ minLength: 1, maxLength: 12 })
        .filter((s) => s.trim() !== "")
        .map((s) => `title ${JSON.stringify(s)}`),
      window: fc.oneof(
        {
          arbitrary: fc
            .tuple(
              fc.integer({ min: 1, max: 90 }),
              fc.constantFrom("h", "d", "w", " hours", " days", " weeks", " Weeks"),
            )
            .map(([n, u]) => `during ${n}${u}`),
          weight: 10,
        },
        {
          arbitrary: fc
            .tuple(
              fc.integer({ min: 1, max: 24 }),
              fc.constantFrom("mo", "MO", " months", " month", "y", " years"),
            )
            .map(([n, u]) => `during ${n}${u}`),
          weight: 5,
        },
        { arbitrary: fc.constantFrom(...windows), weight: 10 },
        // Windows that start before 1970 (OQ218) or reach past the year 0000 (OQ217), and leading zeros.
        ...(pools.hugeNumbers
          ? [
              {
                arbitrary: fc.constantFrom(
                  "during 30000d",
                  `during ${"9".repeat(30)}d`,
                  "during 007d",
                  "during 700mo",
                  "between 1969-12-31 and 1970-01-02",
                ),
                weight: 1,
              },
            ]
          : []),
      ),
      users: fc.constantFrom("users all", "users active"),
      select: fc
        .subarray(["email", "opens", "clicks", "first_name", "last_open_date", "age"], { minLength: 1 })
        .map((fs) => `select ${fs.join(", ")}`),
      favorite: fc.constant("favorite"),
      flags: fc.constantFrom(
        "flags none",
        "flags include_behavior",
        "flags combined_as_and = false, include_behavior",
        "FLAGS include_behavior = TRUE, combined_as_and",
      ),
    },
    { requiredKeys: [] },
  );

  return fc.tuple(conditionArb, clauseArb, fc.boolean()).chain(([condition, clauses, where]) => {
    const { title, ...rest } = clauses;
    const query = (conditionText: string, ordered: string[]) =>
      [title ?? "", `${where ? "where " : ""}${conditionText}`, ...ordered]
        .filter((part) => part !== "")
        .join("\n");
    return fc
      .shuffledSubarray(Object.values(rest), { minLength: Object.values(rest).length })
      .map((ordered) => ({
        text: query(condition.text, ordered),
        grouped: query(condition.grouped, ordered),
      }));
  });
}

/**
 * Whole queries (optional title, a condition, clauses in a random order), each with the same
 * query written with every and/or/not grouped in parentheses.
 */
export const queryPairArb: fc.Arbitrary<{ text: string; grouped: string }> = makeQueryPairArb(defaultPools);
export const queryArb: fc.Arbitrary<string> = queryPairArb.map((pair) => pair.text);

const smallInt = fc.integer({ min: 0, max: 6 });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 4 });

export const contactArb: fc.Arbitrary<EvaluationContact> = fc
  .record({
    email: fc.constantFrom("ab@x.com", "Ba@y.org", "abc", ""),
    ocx_status: maybe(fc.constantFrom(...words, "")),
    first_name: maybe(fc.constantFrom(...words, "")),
    city: maybe(fc.constantFrom(...words)),
    opens: smallInt,
    clicks: smallInt,
    sent: smallInt,
    // Empty numbers and dates exercise the three-valued logic of comparisons with nothing.
    age: maybe(smallInt),
    id: fc.constantFrom(...contactIds),
    customer_id: maybe(fc.constantFrom(...contactIds)),
    last_open_date: fc
      .integer({ min: 0, max: 25 })
      .map((d) => Date.parse("2024-01-01T00:00:00Z") / 1000 + d * 86_400 + 3600),
    ocx_created_date: fc
      .integer({ min: 0, max: 25 })
      .map((d) => Date.parse("2024-01-01T00:00:00Z") / 1000 + d * 86_400),
    birthday: maybe(
      fc
        .integer({ min: 0, max: 25 })
        .map((d) => Date.parse("2024-01-01T00:00:00Z") / 1000 + d * 86_400 + 80_000),
    ),
    segments: fc.subarray([...ids, "9007199254740993", "9007199254740992"]),
    sentTo: fc.subarray([...ids, "12345678901234567890"]),
    opened: fc.subarray([...ids, "12345678901234567890"]),
    clicked: fc.subarray(ids),
  })
  .map(({ segments, sentTo, opened, clicked, ...fields }) => ({
    fields,
    segments: new Set(segments),
    mailings: { sent: new Set(sentTo), opened: new Set(opened), clicked: new Set(clicked) },
  }));

/**
 * Queries a few edits away from valid ones: words deleted, repeated, swapped, inserted, or the
 * text cut short. Many stay valid, many do not, and the errors are the kind people make.
 * `seeds`: the valid queries, as a list (the goldens) or generated (`queryArb`).
 */
export function mutatedQueryArb(
  seeds: string[] | fc.Arbitrary<string>,
  words: string[],
): fc.Arbitrary<string> {
  const tokenize = (text: string) => text.match(/"(?:[^"\\]|\\.)*"|[A-Za-z_0-9.:+-]+|\s+|./g) ?? [];
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("swap" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), word: fc.constantFrom(...words) }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  );
  return fc
    .tuple(
      Array.isArray(seeds) ? fc.constantFrom(...seeds) : seeds,
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
    )
    .map(([seed, mutations]) => {
      let tokens = tokenize(seed);
      let text = seed;
      for (const m of mutations) {
        const i = tokens.length === 0 ? 0 : m.at % tokens.length;
        if (m.kind === "delete") tokens.splice(i, 1);
        else if (m.kind === "duplicate") tokens.splice(i, 0, tokens[i] ?? "");
        else if (m.kind === "swap") [tokens[i], tokens[i + 1]] = [tokens[i + 1] ?? "", tokens[i] ?? ""];
        else if (m.kind === "insert") tokens.splice(i, 0, ` ${m.word} `);
        text = tokens.join("");
        if (m.kind === "truncate") {
          text = text.slice(0, m.at % (text.length + 1));
          tokens = tokenize(text);
        }
      }
      return text;
    });
}
