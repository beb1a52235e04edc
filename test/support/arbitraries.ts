import fc from "fast-check";
import type { FieldType } from "../../src/check/fieldCatalog.js";
import type { EvaluationContact } from "../../src/evaluate/contact.js";

/*
 * Generators of valid oq queries (as text) and of contacts to evaluate them on. Values come
 * from small pools so that comparisons are true for some contacts and false for others.
 */

export const propertyNow = "2024-01-20T12:00:00Z";
export const propertyNowSeconds = Date.parse(propertyNow) / 1000;

export const customFields = { first_name: "string", city: "string", age: "numeric", birthday: "date", customer_id: "id" } as const;

export const fieldsByType: Record<FieldType, string[]> = {
  email: ["email"],
  string: ["ocx_status", "first_name", "city"],
  numeric: ["opens", "clicks", "sent", "age"],
  id: ["id", "customer_id"],
  date: ["last_open_date", "ocx_created_date", "birthday"],
};

export function typeOf(field: string): FieldType {
  for (const [type, names] of Object.entries(fieldsByType)) if (names.includes(field)) return type as FieldType;
  throw new Error(`no type for ${field}`);
}

const words = ["a", "A", "ab", "b", "Ba", "abc", "x"];
const ids = ["1", "2", "3", "4"];
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
}

export const defaultPools: ValuePools = { words, numbers: { min: 0, max: 6 }, days, segmentIds: ids, mailingIds: ids, maxDaysAgo: 13 };

function listOf(value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 }).map((vs) => `[${vs.join(", ")}]`));
}

const caseFlag = fc.constantFrom("", "", " case sensitive", " case insensitive");

export function makeQueryArb(pools: ValuePools, windows: string[] = ["between 2024-01-01 and 2024-01-31", "between 30d ago and 1d ago", "between 2023-12-01T10:00:00Z and 2024-01-02"]): fc.Arbitrary<string> {
  const quoted = fc.constantFrom(...pools.words).map((w) => JSON.stringify(w));
  const number = fc.integer(pools.numbers);
  const dateValue = fc.oneof(
    fc.constantFrom(...pools.days),
    fc.constantFrom(...pools.days).map((d) => `${d}T08:30:00Z`),
    fc.tuple(fc.integer({ min: 1, max: pools.maxDaysAgo }), fc.constantFrom("d", "D", " days", " Days")).map(([n, unit]) => `${n}${unit} ago`),
    // Other units and day words, within the same reach.
    fc.constantFrom(...calendarDates.filter((date) => date.daysAgo <= pools.maxDaysAgo).map((date) => date.text)),
  );

  const textComparison = fc
    .tuple(
      fc.constantFrom(...fieldsByType.email, ...fieldsByType.string),
      fc.constantFrom("=", "!=", "contains", "not contains", "starts", "ends", "in", "not in", "is empty", "is not empty"),
      listOf(quoted),
      caseFlag,
    )
    .map(([field, op, value, flag]) => (op.startsWith("is") ? `${field} ${op}` : `${field} ${op} ${op.endsWith("in") && !value.startsWith("[") ? `[${value}]` : value}${flag}`));

  const numericComparison = fc
    .tuple(
      fc.constantFrom(...fieldsByType.numeric, ...fieldsByType.id),
      fc.constantFrom("=", "!=", "<", "<=", ">", ">=", "between", "in", "not in", "is empty", "is not empty"),
      listOf(number.map(String)),
      number,
      number,
    )
    .map(([field, op, value, low, high]) => {
      if (op.startsWith("is")) return `${field} ${op}`;
      if (op === "between") return `${field} between ${Math.min(low, high)} and ${Math.max(low, high)}`;
      return `${field} ${op} ${op.endsWith("in") && !value.startsWith("[") ? `[${value}]` : value}`;
    });

  const dateComparison = fc
    .tuple(fc.constantFrom(...fieldsByType.date), fc.constantFrom("=", "!=", "<", "<=", ">", ">=", "is empty", "is not empty"), listOf(dateValue))
    .map(([field, op, value]) => (op.startsWith("is") ? `${field} ${op}` : `${field} ${op} ${value}`));

  const segmentTest = listOf(fc.constantFrom(...pools.segmentIds)).map((v) => `in segment ${v}`);
  const behavioralTest = fc
    .tuple(fc.constantFrom("sent", "opened", "clicked"), listOf(fc.constantFrom(...pools.mailingIds)))
    .map(([a, v]) => `${a} campaign ${v}`);

  const atomArb = fc.oneof(textComparison, numericComparison, dateComparison, segmentTest, behavioralTest);

  const conditionArb: fc.Arbitrary<string> = fc.letrec<{ condition: string }>((tie) => ({
    condition: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      atomArb,
      fc.array(tie("condition"), { minLength: 2, maxLength: 3 }).map((cs) => `(${cs.join(" and ")})`),
      fc.array(tie("condition"), { minLength: 2, maxLength: 3 }).map((cs) => `(${cs.join(" or ")})`),
      tie("condition").map((c) => `not ${c.startsWith("(") ? c : `(${c})`}`),
    ),
  })).condition;

  const clauseArb = fc.record(
    {
      title: fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== "").map((s) => `title ${JSON.stringify(s)}`),
      window: fc.oneof(
        fc.tuple(fc.integer({ min: 1, max: 90 }), fc.constantFrom("h", "d", "w", " hours", " days", " weeks", " Weeks")).map(([n, u]) => `during ${n}${u}`),
        fc.tuple(fc.integer({ min: 1, max: 24 }), fc.constantFrom("mo", "MO", " months", " month", "y", " years")).map(([n, u]) => `during ${n}${u}`),
        fc.constantFrom(...windows),
      ),
      users: fc.constantFrom("users all", "users active"),
      select: fc.subarray(["email", "opens", "clicks", "first_name", "last_open_date", "age"], { minLength: 1 }).map((fs) => `select ${fs.join(", ")}`),
      favorite: fc.constant("favorite"),
    },
    { requiredKeys: [] },
  );

  return fc.tuple(conditionArb, clauseArb, fc.boolean()).chain(([condition, clauses, where]) => {
    const { title, ...rest } = clauses;
    return fc.shuffledSubarray(Object.values(rest), { minLength: Object.values(rest).length }).map((ordered) =>
      [title ?? "", `${where ? "where " : ""}${condition}`, ...ordered].filter((part) => part !== "").join("\n"),
    );
  });
}

/** A whole query: optional title, a condition, and clauses in a random order. */
export const queryArb: fc.Arbitrary<string> = makeQueryArb(defaultPools);

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
    id: smallInt,
    customer_id: maybe(smallInt),
    last_open_date: fc.integer({ min: 0, max: 25 }).map((d) => Date.parse("2024-01-01T00:00:00Z") / 1000 + d * 86_400 + 3600),
    ocx_created_date: fc.integer({ min: 0, max: 25 }).map((d) => Date.parse("2024-01-01T00:00:00Z") / 1000 + d * 86_400),
    birthday: maybe(fc.integer({ min: 0, max: 25 }).map((d) => Date.parse("2024-01-01T00:00:00Z") / 1000 + d * 86_400 + 80_000)),
    segments: fc.subarray(ids),
    sentTo: fc.subarray(ids),
    opened: fc.subarray(ids),
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
 */
export function mutatedQueryArb(seeds: string[], words: string[]): fc.Arbitrary<string> {
  const tokenize = (text: string) => text.match(/"(?:[^"\\]|\\.)*"|[A-Za-z_0-9.:+-]+|\s+|./g) ?? [];
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("swap" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), word: fc.constantFrom(...words) }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  );
  return fc.tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([seed, mutations]) => {
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
