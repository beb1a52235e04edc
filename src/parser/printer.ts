import type { Span } from "../diagnostics/source.js";
import type * as ast from "./ast.js";
import { keywordOf } from "../language/keywords.js";
import { canonicalDecimal } from "./printNumber.js";

/** [A-Za-z_][A-Za-z0-9_]*, tested by character code: a default title prints every field name. */
function isIdentifier(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
    if (!(letter || code === 95 || (i > 0 && code >= 48 && code <= 57))) return false;
  }
  return name.length > 0;
}

function isKeyword(name: string): boolean {
  return keywordOf(name) !== undefined;
}

/** A field name as oq needs it written: bare, or in backquotes when it is a keyword or odd. */
export function printFieldName(name: string): string {
  return isIdentifier(name) && !isKeyword(name) ? name : `\`${name}\``;
}

/** A string as an oq literal. JSON's escapes are a subset of oq's. */
export function printString(value: string): string {
  // Most values need no escape, and JSON.stringify's call costs more than a look at each
  // character (a default title prints one per condition).
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    // What JSON.stringify escapes: control characters, `"`, `\`, and (lone) surrogates.
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff))
      return JSON.stringify(value);
  }
  return `"${value}"`;
}

/*
 * The canonical layout of a query: title, condition, then the clauses in a fixed order, one per
 * line; keywords lower case, aliases in their main spelling. Comments stay with the part of the
 * query they were written next to. Formatting a formatted query changes nothing.
 */

const lineWidth = 100;

type Element = { span: Span; lines: string[]; leading: string[]; trailing?: string };

export function formatQuery(query: ast.Query): string {
  const elements: Element[] = [];
  for (const param of query.params ?? []) elements.push(element(param.span, [printParam(param)]));
  const title = query.clauses.find((clause) => clause.kind === "Title");
  if (title) elements.push(element(title.span, [printClause(title)]));
  if (query.condition) elements.push(element(query.condition.span, printConditionLines(query.condition)));
  for (const kind of ["During", "Between", "Users", "Select", "Favorite", "Flags"] as const) {
    for (const clause of query.clauses.filter((c) => c.kind === kind))
      elements.push(element(clause.span, [printClause(clause)]));
  }
  const closing = attachComments(elements, query.comments);

  // Loops, not push(...lines): a spread passes every line as an argument, and 130,000 comment
  // lines overflow the stack.
  const out: string[] = [];
  for (const el of elements) {
    for (const line of el.leading) out.push(line);
    el.lines.forEach((line, index) =>
      out.push(index === el.lines.length - 1 && el.trailing ? `${line}  ${el.trailing}` : line),
    );
  }
  for (const line of closing) out.push(line);
  return `${out.join("\n")}\n`;
}

function element(span: Span, lines: string[]): Element {
  return { span, lines, leading: [] };
}

/**
 * A comment inside an element's text, or on a line of its own before it, leads that element;
 * one after an element on the same line trails it; the rest close the file.
 */
function attachComments(elements: Element[], comments: ast.CommentNode[]): string[] {
  const closing: string[] = [];
  const inSourceOrder = [...elements].sort((a, b) => a.span.start.offset - b.span.start.offset);
  const first = inSourceOrder[0];
  for (const comment of comments) {
    // Comments above everything are the file's header and stay on top.
    if (first && comment.span.end.offset <= first.span.start.offset) {
      elements[0]!.leading.push(comment.text.trimEnd());
      continue;
    }
    const text = comment.text.trimEnd();
    const at = comment.span.start;
    const inside = inSourceOrder.find(
      (el) => el.span.start.offset < at.offset && at.offset < el.span.end.offset,
    );
    if (inside) {
      inside.leading.push(text);
      continue;
    }
    const before = inSourceOrder
      .filter((el) => el.span.end.offset <= at.offset && el.span.end.line === at.line)
      .at(-1);
    if (before && before.trailing === undefined) {
      before.trailing = text;
      continue;
    }
    const next = inSourceOrder.find((el) => el.span.start.offset > at.offset);
    if (next) next.leading.push(text);
    else closing.push(text);
  }
  return closing;
}

function printClause(clause: ast.Clause): string {
  switch (clause.kind) {
    case "Title":
      return `title ${printValue(clause.title)}`;
    case "During":
      return `during ${printValue(clause.duration)}`;
    case "Between":
      return `between ${printValue(clause.from)} and ${printValue(clause.to)}`;
    case "Users":
      if (clause.parameter) return `users ${printValue(clause.parameter)}`;
      return `users ${/^[A-Za-z_][A-Za-z0-9_]*$/.test(clause.userType) ? clause.userType.toLowerCase() : printString(clause.userType)}`;
    case "Select":
      return `select ${clause.fields.map((field) => printFieldName(field.name)).join(", ")}`;
    case "Favorite":
      return "favorite";
    case "Flags":
      return `flags ${clause.flags.map((flag) => (flag.value === undefined ? flag.name : `${flag.name} = ${flag.value.toLowerCase()}`)).join(", ")}`;
  }
}

function printValue(value: ast.Value): string {
  switch (value.kind) {
    case "String":
      return printString(value.value);
    case "Number":
      return value.raw;
    case "Date":
      // `today` stays in lower case; in a date, `t` and `z` are written as capitals.
      return /^\d/.test(value.raw) ? value.raw.toUpperCase() : value.raw;
    case "Duration":
      // The digits as written (without leading zeros), never through a number: 1e+23d does not read back.
      return `${canonicalDecimal(/^\d+/.exec(value.raw)?.[0] ?? String(value.amount))}${value.unit.toLowerCase()}`;
    case "RelativeDate":
      return `${printValue(value.duration)} ago`;
    case "Parameter":
      return `$${value.name}`;
  }
}

function printParam(param: ast.ParamDeclaration): string {
  if (!param.default) return `param ${param.name}`;
  return `param ${param.name} = ${printValues(param.default.values, param.default.isList)}`;
}

function printValues(values: ast.Value[], isList: boolean): string {
  return isList ? `[${values.map(printValue).join(", ")}]` : printValue(values[0]!);
}

/** The condition on one line when it fits, else one top-level operand per line. */
function printConditionLines(condition: ast.Condition): string[] {
  const oneLine = printCondition(condition);
  if (oneLine.length <= lineWidth || (condition.kind !== "And" && condition.kind !== "Or")) return [oneLine];
  const joiner = condition.kind === "And" ? "and" : "or";
  return sameKindOperands(condition).map((operand, index) => {
    const text = printCondition(operand, condition.kind);
    return index === 0 ? text : `  ${joiner} ${text}`;
  });
}

/** `parent`: the operator around this condition, to decide on parentheses. */
export function printCondition(condition: ast.Condition, parent?: "And" | "Or" | "Not"): string {
  switch (condition.kind) {
    case "And":
    case "Or": {
      // Concatenated, not mapped and joined: a default title prints the condition in every compile.
      const joiner = condition.kind === "And" ? " and " : " or ";
      const operands = sameKindOperands(condition);
      let text = printCondition(operands[0]!, condition.kind);
      for (let i = 1; i < operands.length; i++) text += joiner + printCondition(operands[i]!, condition.kind);
      // `a or (b and c)`: parentheses the precedence does not need, but that show it, are kept.
      const needsParens =
        parent === "Not" ||
        (parent === "And" && condition.kind === "Or") ||
        (parent === "Or" && condition.kind === "And" && condition.parenthesized === true);
      return needsParens ? `(${text})` : text;
    }
    case "Not":
      return `not ${printCondition(condition.operand, "Not")}`;
    case "Comparison":
      return printComparison(condition);
    case "SegmentTest":
      return `in segment ${printValues(condition.ids, condition.isList)}`;
    case "BehavioralTest":
      return `${condition.action.toLowerCase()} campaign ${printValues(condition.ids, condition.isList)}`;
    case "InvalidCondition":
      return "";
  }
}

/** `(a or b) or c` lists a, b and c: the grouping does not change the meaning. */
function sameKindOperands(
  condition: ast.AndCondition | ast.OrCondition,
  into: ast.Condition[] = [],
): ast.Condition[] {
  // A loop into one array: flatMap's arrays per level cost more than the printing (default titles).
  for (const operand of condition.operands) {
    if (operand.kind === condition.kind) sameKindOperands(operand as typeof condition, into);
    else into.push(operand);
  }
  return into;
}

function printComparison(comparison: ast.Comparison): string {
  const field = printFieldName(comparison.field.name);
  const caseFlag =
    comparison.caseSensitive === undefined
      ? ""
      : comparison.caseSensitive
        ? " case sensitive"
        : " case insensitive";
  switch (comparison.operator) {
    case "is empty":
    case "is not empty":
      return `${field} ${comparison.operator}`;
    case "between":
    case "not between":
      return `${field} ${comparison.operator} ${printValue(comparison.values[0]!)} and ${printValue(comparison.values[1]!)}`;
    default:
      return `${field} ${comparison.operator} ${printValues(comparison.values, comparison.isList)}${caseFlag}`;
  }
}
