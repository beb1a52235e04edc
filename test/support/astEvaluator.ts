import type * as ast from "../../src/parser/ast.js";
import type { FieldType } from "../../src/language/vocabulary.js";
import type { EvaluationContact } from "../../src/evaluate/contact.js";
import type { ReadingName } from "../../src/language/readings.js";
import { referenceDateSeconds, referenceInstantBefore } from "./referenceDates.js";

/*
 * A direct reading of an oq condition, written from the language's definition (grammar.md) and
 * not from the compiler: the reference the and/or normalisation is checked against. It follows
 * the same value rules as src/evaluate (any value of a list; text without case; dates by day),
 * with SQL's three-valued logic: comparing an empty number or date is unknown, `not unknown`
 * is unknown, and a contact matches only when the condition is true.
 *
 * Under the readings of language/readings.ts that change what a test means (docs/semantics.md,
 * "Readings oq cannot confirm"), as oq defines the language then:
 * - null-text: comparing an empty text is unknown too, except `starts` and `ends`, which are
 *   false on it: oq has no opposite for them, and `not` before them is every contact they do
 *   not select, under every reading;
 * - sent-not-opened: whether a contact opened or clicked a mailing it was not sent is unknown.
 */

type Truth = boolean | "unknown";

function not(value: Truth): Truth {
  return value === "unknown" ? value : !value;
}

function all(values: Truth[]): Truth {
  if (values.includes(false)) return false;
  return values.includes("unknown") ? "unknown" : true;
}

function any(values: Truth[]): Truth {
  if (values.includes(true)) return true;
  return values.includes("unknown") ? "unknown" : false;
}

const secondsPerDay = 86_400;
const isEmpty = (value: unknown) => value === null || value === undefined || value === "";

function literal(value: ast.Value, nowSeconds: number): string | number {
  switch (value.kind) {
    case "String":
      return value.value;
    case "Number":
      return value.value;
    case "Date": {
      const midnight = Math.floor(nowSeconds / secondsPerDay) * secondsPerDay;
      if (value.raw === "today") return midnight;
      if (value.raw === "yesterday") return midnight - secondsPerDay;
      return referenceDateSeconds(value.raw);
    }
    case "RelativeDate":
      return referenceInstantBefore(nowSeconds, value.duration.amount, value.duration.unit);
    case "Duration":
      throw new Error("a bare duration is not a value");
    case "Parameter":
      throw new Error("a parameter is bound before evaluation");
  }
}

/** An id as grammar.md defines it: the text as written, digits included. */
function idLiteral(value: ast.Value): string {
  if (value.kind === "Number") return value.raw;
  if (value.kind === "String") return value.value;
  throw new Error(`not an id: ${value.kind}`);
}

/**
 * Ids match as text; `<` and the like order whole-number ids exactly, and a contact's text id
 * has no place in that order: unknown, as an empty value.
 */
function compareIds(operator: string, subject: string, operand: string): Truth {
  if (operator === "=" || operator === "in") return subject === operand;
  if (operator === "!=") return subject !== operand;
  if (!/^\d+$/.test(operand)) throw new Error(`a generated query orders by the text id ${operand}`);
  if (!/^\d+$/.test(subject)) return "unknown";
  return order(operator, BigInt(subject), BigInt(operand), "ids");
}

/** `=`, `!=` and the orderings, for numbers, days and whole-number ids alike. */
function order<T extends number | bigint>(operator: string, a: T, b: T, what: string): Truth {
  switch (operator) {
    case "=":
    case "in":
      return a === b;
    case "!=":
      return a !== b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
  }
  throw new Error(`operator ${operator} on ${what}`);
}

/** The readings of language/readings.ts the condition is read under; none: the documented one. */
type Readings = ReadonlySet<ReadingName>;

function compare(
  type: FieldType,
  operator: string,
  subject: unknown,
  operand: string | number,
  caseSensitive: boolean,
  readings: Readings,
): Truth {
  if (type === "string" || type === "email") {
    if (readings.has("null-text") && isEmpty(subject))
      return operator === "starts" || operator === "ends" ? false : "unknown";
    const fold = (s: string) => (caseSensitive ? s : s.toLowerCase());
    const a = fold(isEmpty(subject) ? "" : String(subject));
    const b = fold(String(operand));
    switch (operator) {
      case "=":
      case "in":
        return a === b;
      case "!=":
        return a !== b;
      case "contains":
        return a.includes(b);
      case "not contains":
        return !a.includes(b);
      case "starts":
        return a.startsWith(b);
      case "ends":
        return a.endsWith(b);
    }
    throw new Error(`operator ${operator} on text`);
  }
  if (isEmpty(subject)) return "unknown";
  if (type === "id") return compareIds(operator, String(subject), String(operand));
  const scale = (n: number) => (type === "date" ? Math.floor(n / secondsPerDay) : n);
  return order(operator, scale(Number(subject)), scale(Number(operand)), type);
}

export function evaluateCondition(
  condition: ast.Condition,
  contact: EvaluationContact,
  typeOf: (field: string) => FieldType,
  nowSeconds: number,
  readings: Readings = new Set(),
): boolean {
  return truthOf(condition, contact, typeOf, nowSeconds, readings) === true;
}

function truthOf(
  condition: ast.Condition,
  contact: EvaluationContact,
  typeOf: (field: string) => FieldType,
  nowSeconds: number,
  readings: Readings,
): Truth {
  const recurse = (c: ast.Condition) => truthOf(c, contact, typeOf, nowSeconds, readings);
  switch (condition.kind) {
    case "And":
      return all(condition.operands.map(recurse));
    case "Or":
      return any(condition.operands.map(recurse));
    case "Not":
      return not(recurse(condition.operand));
    case "SegmentTest":
      return condition.ids.some((id) => contact.segments.has(idLiteral(id)));
    case "BehavioralTest": {
      const action = condition.action.toLowerCase() as keyof EvaluationContact["mailings"];
      const done = contact.mailings[action];
      const unknownUnlessSent = readings.has("sent-not-opened") && action !== "sent";
      return any(
        condition.ids.map(idLiteral).map((id): Truth => {
          if (done.has(id)) return true;
          return unknownUnlessSent && !contact.mailings.sent.has(id) ? "unknown" : false;
        }),
      );
    }
    case "InvalidCondition":
      throw new Error("invalid condition");
    case "Comparison": {
      const type = typeOf(condition.field.name);
      const subject = contact.fields[condition.field.name];
      const values = condition.values.map((value) =>
        type === "id" ? idLiteral(value) : literal(value, nowSeconds),
      );
      const caseSensitive = condition.caseSensitive === true;
      const anyValue = (operator: string) =>
        any(values.map((v) => compare(type, operator, subject, v, caseSensitive, readings)));
      switch (condition.operator) {
        case "is empty":
          return isEmpty(subject);
        case "is not empty":
          return !isEmpty(subject);
        case "between":
        case "not between": {
          const inside = all([
            compare(type, ">=", subject, values[0]!, false, readings),
            compare(type, "<=", subject, values[1]!, false, readings),
          ]);
          return condition.operator === "between" ? inside : not(inside);
        }
        case "not in":
          return not(anyValue("="));
        case "not starts":
          return not(anyValue("starts"));
        case "not ends":
          return not(anyValue("ends"));
        default:
          return anyValue(condition.operator);
      }
    }
  }
}
