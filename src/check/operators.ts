import type { ComparisonOperator } from "../parser/ast.js";
import type { FieldType } from "../language/vocabulary.js";
import type { OngageOperator } from "../language/vocabulary.js";

/** The reference page's table of operators per field type. It is the law. */
export const operatorsByType: Readonly<Record<FieldType, readonly OngageOperator[]>> = {
  email: ["=", "!=", "LIKE", "NOT LIKE", "LIKE_", "_LIKE", "empty", "notempty"],
  string: ["=", "!=", "LIKE", "NOT LIKE", "LIKE_", "_LIKE", "empty", "notempty"],
  numeric: ["<", "<=", ">", ">=", "=", "!=", "empty", "notempty", "><"],
  id: ["<", "<=", ">", ">=", "=", "!=", "empty", "notempty", "><"],
  date: ["<", "<=", ">", ">=", "=", "!=", "empty", "notempty"],
};

/** `not` of each operator, where Ongage has one; starts, ends and between have none. */
export const inverseOperator: Readonly<Partial<Record<OngageOperator, OngageOperator>>> = {
  "=": "!=",
  "!=": "=",
  LIKE: "NOT LIKE",
  "NOT LIKE": "LIKE",
  empty: "notempty",
  notempty: "empty",
  "<": ">=",
  ">=": "<",
  ">": "<=",
  "<=": ">",
};

/** How oq spells each Ongage operator. */
export const oqSpelling: Readonly<Record<OngageOperator, string>> = {
  "=": "=",
  "!=": "!=",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
  LIKE: "contains",
  "NOT LIKE": "not contains",
  LIKE_: "starts",
  _LIKE: "ends",
  empty: "is empty",
  notempty: "is not empty",
  "><": "between",
};

/** What a written operator means: an Ongage operator, possibly under a `not`. */
export function meaningOf(operator: ComparisonOperator): { operator: OngageOperator; negated: boolean } {
  switch (operator) {
    case "contains":
      return { operator: "LIKE", negated: false };
    case "not contains":
      return { operator: "NOT LIKE", negated: false };
    case "starts":
      return { operator: "LIKE_", negated: false };
    case "not starts":
      return { operator: "LIKE_", negated: true };
    case "ends":
      return { operator: "_LIKE", negated: false };
    case "not ends":
      return { operator: "_LIKE", negated: true };
    case "is empty":
      return { operator: "empty", negated: false };
    case "is not empty":
      return { operator: "notempty", negated: false };
    case "between":
      return { operator: "><", negated: false };
    case "not between":
      return { operator: "><", negated: true };
    case "in":
      return { operator: "=", negated: false };
    case "not in":
      return { operator: "=", negated: true };
    default:
      return { operator, negated: false };
  }
}

const typeWords: Readonly<Record<FieldType, string>> = {
  email: "email",
  string: "text",
  numeric: "numeric",
  id: "id",
  date: "date",
};

export function describeType(type: FieldType): string {
  return typeWords[type];
}

/** "=, !=, contains, ..." for a type, in oq's spelling. */
export function operatorsFor(type: FieldType): string {
  return operatorsByType[type].map((op) => oqSpelling[op]).join(", ");
}
