import type * as ast from "../../src/parser/ast.js";
import type { FieldType } from "../../src/check/fieldCatalog.js";
import { parseDate, durationUnits } from "../../src/check/time.js";
import type { EvaluationContact } from "../../src/evaluate/contact.js";

/*
 * A direct reading of an oq condition, written from the language's definition (grammar.md) and
 * not from the compiler: the reference the and/or normalisation is checked against. It follows
 * the same value rules as src/evaluate (any value of a list; text without case; dates by day).
 */

const secondsPerDay = 86_400;
const isEmpty = (value: unknown) => value === null || value === undefined || value === "";

function literal(value: ast.Value, nowSeconds: number): string | number {
  switch (value.kind) {
    case "String":
      return value.value;
    case "Number":
      return value.value;
    case "Date": {
      const parsed = parseDate(value.raw);
      if (!parsed.ok) throw new Error(`bad date in a generated query: ${value.raw}`);
      return parsed.epochSeconds;
    }
    case "RelativeDate":
      return nowSeconds - value.duration.amount * durationUnits[value.duration.unit.toLowerCase()]!.seconds;
    case "Duration":
      throw new Error("a bare duration is not a value");
  }
}

function compare(type: FieldType, operator: string, subject: unknown, operand: string | number, caseSensitive: boolean): boolean {
  if (type === "string" || type === "email") {
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
  if (isEmpty(subject)) return operator === "!=";
  const scale = (n: number) => (type === "date" ? Math.floor(n / secondsPerDay) : n);
  const a = scale(Number(subject));
  const b = scale(Number(operand));
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
  throw new Error(`operator ${operator} on ${type}`);
}

export function evaluateCondition(
  condition: ast.Condition,
  contact: EvaluationContact,
  typeOf: (field: string) => FieldType,
  nowSeconds: number,
): boolean {
  const recurse = (c: ast.Condition) => evaluateCondition(c, contact, typeOf, nowSeconds);
  switch (condition.kind) {
    case "And":
      return condition.operands.every(recurse);
    case "Or":
      return condition.operands.some(recurse);
    case "Not":
      return !recurse(condition.operand);
    case "SegmentTest":
      return condition.ids.some((id) => contact.segments.has(String(literal(id, nowSeconds))));
    case "BehavioralTest": {
      const done = contact.mailings[condition.action.toLowerCase() as keyof EvaluationContact["mailings"]];
      return condition.ids.some((id) => done.has(String(literal(id, nowSeconds))));
    }
    case "InvalidCondition":
      throw new Error("invalid condition");
    case "Comparison": {
      const type = typeOf(condition.field.name);
      const subject = contact.fields[condition.field.name];
      const values = condition.values.map((value) => literal(value, nowSeconds));
      const caseSensitive = condition.caseSensitive === true;
      switch (condition.operator) {
        case "is empty":
          return isEmpty(subject);
        case "is not empty":
          return !isEmpty(subject);
        case "between":
        case "not between": {
          const inside = compare(type, ">=", subject, values[0]!, false) && compare(type, "<=", subject, values[1]!, false);
          return condition.operator === "between" ? inside : !inside;
        }
        case "not in":
          return !values.some((v) => compare(type, "=", subject, v, caseSensitive));
        case "not starts":
          return !values.some((v) => compare(type, "starts", subject, v, caseSensitive));
        case "not ends":
          return !values.some((v) => compare(type, "ends", subject, v, caseSensitive));
        default:
          return values.some((v) => compare(type, condition.operator, subject, v, caseSensitive));
      }
    }
  }
}
