import type { CstNode, IToken, TokenType } from "chevrotain";
import { joinSpans, type SourceText, type Span } from "../diagnostics/source.js";
import * as t from "../lexer/tokens.js";
import type * as ast from "./ast.js";
import { durationValue } from "./durations.js";

type Children = CstNode["children"];

const noNodes: CstNode[] = [];
const noTokens: IToken[] = [];

const compareOperatorNames = ["Equals", "NotEquals", "Less", "LessOrEqual", "Greater", "GreaterOrEqual"];

const compareOperators = new Map<TokenType, ast.ComparisonOperator>([
  [t.Equals, "="],
  [t.NotEquals, "!="],
  [t.Less, "<"],
  [t.LessOrEqual, "<="],
  [t.Greater, ">"],
  [t.GreaterOrEqual, ">="],
]);

/**
 * Turns chevrotain's concrete syntax tree into the typed AST. After a syntax error the tree
 * may lack pieces; a condition missing a piece becomes an InvalidCondition (the error is
 * already reported) so that the checker can still look at everything else.
 */
export class AstBuilder {
  /**
   * `recovered`: the parser reported errors, so the tree may hold tokens it invented; without
   * errors every token is real and the checks can be skipped.
   */
  constructor(
    private readonly source: SourceText,
    private readonly endOfInput: Span,
    private readonly recovered: boolean,
  ) {}

  query(node: CstNode, comments: IToken[]): ast.Query {
    const clauses: ast.Clause[] = [];
    for (const clauseNode of this.nodes(node.children, "clause")) {
      const clause = this.clause(clauseNode);
      if (clause) clauses.push(clause);
    }
    const conditionNode = this.nodes(node.children, "orCondition")[0];
    const query: ast.Query = {
      kind: "Query",
      clauses,
      comments: comments.map((token) => ({
        kind: "Comment",
        text: token.image,
        span: this.tokenSpan(token),
      })),
      span: this.source.spanOf(0, this.source.text.length),
    };
    if (conditionNode) query.condition = this.orCondition(conditionNode);
    const where = this.token(node.children, "Where");
    if (where) query.whereSpan = this.tokenSpan(where);
    return query;
  }

  // ----- clauses -----

  private clause(node: CstNode): ast.Clause | undefined {
    const c = node.children;
    const favorite = this.token(c, "Favorite");
    if (favorite) return { kind: "Favorite", span: this.tokenSpan(favorite) };
    const inner = (c["titleClause"] ??
      c["duringClause"] ??
      c["betweenClause"] ??
      c["usersClause"] ??
      c["selectClause"] ??
      c["flagsClause"])?.[0] as CstNode | undefined;
    if (!inner) return undefined;
    const k = inner.children;
    switch (inner.name) {
      case "titleClause": {
        const keyword = this.token(k, "Title");
        const text = this.token(k, "StringLiteral");
        if (!keyword || !text) return undefined;
        return { kind: "Title", title: this.stringValue(text), span: this.spanFrom(keyword, text) };
      }
      case "duringClause": {
        const keyword = this.token(k, "During");
        const amount = this.token(k, "DurationLiteral");
        if (!keyword || !amount) return undefined;
        return { kind: "During", duration: this.durationValue(amount), span: this.spanFrom(keyword, amount) };
      }
      case "betweenClause": {
        const keyword = this.token(k, "Between");
        const [from, to] = this.nodes(k, "value").map((value) => this.value(value));
        if (!keyword || !from || !to) return undefined;
        return { kind: "Between", from, to, span: joinSpans(this.tokenSpan(keyword), to.span) };
      }
      case "usersClause": {
        const keyword = this.token(k, "Users");
        const word = this.token(k, "Identifier") ?? this.token(k, "StringLiteral");
        if (!keyword || !word) return undefined;
        const userType = word.tokenType === t.StringLiteral ? String(word.payload) : word.image;
        return {
          kind: "Users",
          userType,
          userTypeSpan: this.tokenSpan(word),
          span: this.spanFrom(keyword, word),
        };
      }
      case "flagsClause": {
        const keyword = this.token(k, "Flags");
        const words = this.realTokens(k, "Identifier");
        const equals = this.realTokens(k, "Equals");
        if (!keyword || words.length === 0) return undefined;
        // A word right after an '=' (nothing but spaces between) is the value of the flag before it.
        const flags: ast.RequestFlagSetting[] = [];
        words.forEach((word) => {
          const last = flags.at(-1);
          const afterEquals = equals.some(
            (sign) =>
              sign.startOffset < word.startOffset &&
              this.source.text.slice(sign.startOffset + 1, word.startOffset).trim() === "",
          );
          if (last && last.value === undefined && afterEquals) {
            last.value = word.image;
            last.valueSpan = this.tokenSpan(word);
            last.span = joinSpans(last.nameSpan, last.valueSpan);
          } else flags.push({ name: word.image, nameSpan: this.tokenSpan(word), span: this.tokenSpan(word) });
        });
        return { kind: "Flags", flags, span: joinSpans(this.tokenSpan(keyword), flags.at(-1)!.span) };
      }
      case "selectClause": {
        const keyword = this.token(k, "Select");
        const fields = this.nodes(k, "field").flatMap((field) => this.field(field) ?? []);
        if (!keyword || fields.length === 0) return undefined;
        return { kind: "Select", fields, span: joinSpans(this.tokenSpan(keyword), fields.at(-1)!.span) };
      }
    }
    return undefined;
  }

  // ----- conditions -----

  private orCondition(node: CstNode): ast.Condition {
    const operands = this.nodes(node.children, "andCondition").map((child) => this.andCondition(child));
    return this.combine("Or", operands, node);
  }

  private andCondition(node: CstNode): ast.Condition {
    const operands = this.nodes(node.children, "unaryCondition").map((child) => this.unaryCondition(child));
    return this.combine("And", operands, node);
  }

  private combine(kind: "And" | "Or", operands: ast.Condition[], node: CstNode): ast.Condition {
    if (operands.length === 0) return this.invalid(node);
    if (operands.length === 1) return operands[0]!;
    return { kind, operands, span: joinSpans(operands[0]!.span, operands.at(-1)!.span) };
  }

  private unaryCondition(node: CstNode): ast.Condition {
    const not = this.token(node.children, "Not");
    if (not) {
      const inner = this.nodes(node.children, "unaryCondition")[0];
      if (!inner) return this.invalid(node);
      const operand = this.unaryCondition(inner);
      return {
        kind: "Not",
        operand,
        keywordSpan: this.tokenSpan(not),
        span: joinSpans(this.tokenSpan(not), operand.span),
      };
    }
    const primary = this.nodes(node.children, "primaryCondition")[0];
    return primary ? this.primaryCondition(primary) : this.invalid(node);
  }

  private primaryCondition(node: CstNode): ast.Condition {
    const c = node.children;
    const inner = this.nodes(c, "orCondition")[0];
    if (inner) {
      const open = this.token(c, "LParen");
      const close = this.token(c, "RParen");
      if (!open || !close) return this.invalid(node);
      // The group's span takes in its parentheses, so carets and rewrites cover them.
      return { ...this.orCondition(inner), span: this.spanFrom(open, close) };
    }
    const segment = this.nodes(c, "segmentTest")[0];
    if (segment) return this.segmentTest(segment);
    const behavioral = this.nodes(c, "behavioralTest")[0];
    if (behavioral) return this.behavioralTest(behavioral);
    const comparison = this.nodes(c, "comparison")[0];
    if (comparison) return this.comparison(comparison);
    return this.invalid(node);
  }

  private segmentTest(node: CstNode): ast.Condition {
    const keyword = this.token(node.children, "In");
    const list = this.valueOrList(node);
    if (!keyword || !this.token(node.children, "Segment") || !list) return this.invalid(node);
    return {
      kind: "SegmentTest",
      ids: list.values,
      isList: list.isList,
      span: joinSpans(this.tokenSpan(keyword), list.span),
    };
  }

  private behavioralTest(node: CstNode): ast.Condition {
    const action = this.token(node.children, "Identifier");
    const list = this.valueOrList(node);
    if (!action || !this.token(node.children, "Campaign") || !list) return this.invalid(node);
    return {
      kind: "BehavioralTest",
      // The checker reports any word other than sent/opened/clicked.
      action: action.image as ast.BehavioralAction,
      actionSpan: this.tokenSpan(action),
      ids: list.values,
      isList: list.isList,
      span: joinSpans(this.tokenSpan(action), list.span),
    };
  }

  private comparison(node: CstNode): ast.Condition {
    const fieldNode = this.nodes(node.children, "field")[0];
    const tail = this.nodes(node.children, "comparisonTail")[0];
    const field = fieldNode && this.field(fieldNode);
    if (!field || !tail) return this.invalid(node);
    const k = tail.children;

    const operatorTokens: IToken[] = [];
    let operator: ast.ComparisonOperator;
    const compare = this.nodes(k, "compareOperator")[0];
    if (compare) {
      let token: IToken | undefined;
      for (const name of compareOperatorNames) token ??= this.token(compare.children, name);
      if (!token) return this.invalid(node);
      operatorTokens.push(token);
      operator = compareOperators.get(token.tokenType) ?? "=";
    } else if (this.token(k, "Is")) {
      operatorTokens.push(
        ...this.realTokens(k, "Is"),
        ...this.realTokens(k, "Not"),
        ...this.realTokens(k, "Empty"),
      );
      if (!this.token(k, "Empty")) return this.invalid(node);
      operator = this.token(k, "Not") ? "is not empty" : "is empty";
    } else {
      const word =
        this.token(k, "Contains") ??
        this.token(k, "Starts") ??
        this.token(k, "Ends") ??
        this.token(k, "In") ??
        this.token(k, "Between");
      if (!word) return this.invalid(node);
      const not = this.token(k, "Not");
      operatorTokens.push(...(not ? [not] : []), word, ...this.realTokens(k, "With"));
      const base = word.tokenType === t.Starts ? "starts" : word.image.toLowerCase();
      operator = (not ? `not ${base}` : base) as ast.ComparisonOperator;
    }
    if (operatorTokens.length > 1) operatorTokens.sort((a, b) => a.startOffset - b.startOffset);
    const operatorSpan = this.spanFrom(operatorTokens[0]!, operatorTokens.at(-1)!);

    let values: ast.Value[] = [];
    let isList = false;
    let end = operatorSpan;
    if (operator === "between" || operator === "not between") {
      const bounds = this.nodes(k, "value").map((value) => this.value(value));
      if (bounds.length !== 2 || bounds.some((bound) => bound === undefined)) return this.invalid(node);
      values = bounds as ast.Value[];
      end = values[1]!.span;
    } else if (operator !== "is empty" && operator !== "is not empty") {
      const list = this.valueOrList(tail);
      if (!list) return this.invalid(node);
      values = list.values;
      isList = list.isList;
      end = list.span;
    }

    const comparison: ast.Comparison = {
      kind: "Comparison",
      field,
      operator,
      operatorSpan,
      values,
      isList,
      span: joinSpans(field.span, end),
    };
    const caseNode = this.nodes(k, "caseOption")[0];
    const caseKeyword = caseNode && this.token(caseNode.children, "Case");
    if (caseNode && caseKeyword) {
      const sensitivity =
        this.token(caseNode.children, "Sensitive") ?? this.token(caseNode.children, "Insensitive");
      if (!sensitivity) return this.invalid(node);
      comparison.caseSensitive = sensitivity.tokenType === t.Sensitive;
      comparison.caseSpan = this.spanFrom(caseKeyword, sensitivity);
      comparison.span = joinSpans(comparison.span, comparison.caseSpan);
    }
    return comparison;
  }

  // ----- values and names -----

  private valueOrList(parent: CstNode): { values: ast.Value[]; isList: boolean; span: Span } | undefined {
    const node = this.nodes(parent.children, "valueOrList")[0];
    if (!node || node.recoveredNode) return undefined;
    const values: ast.Value[] = [];
    for (const valueNode of this.nodes(node.children, "value")) {
      const value = this.value(valueNode);
      if (!value) return undefined;
      values.push(value);
    }
    const open = this.token(node.children, "LBracket");
    if (open) {
      const close = this.token(node.children, "RBracket");
      if (!close) return undefined;
      return { values, isList: true, span: this.spanFrom(open, close) };
    }
    if (values.length !== 1) return undefined;
    return { values, isList: false, span: values[0]!.span };
  }

  private value(node: CstNode): ast.Value | undefined {
    if (node.recoveredNode) return undefined;
    const c = node.children;
    const text = this.token(c, "StringLiteral");
    if (text) return this.stringValue(text);
    const number = this.token(c, "NumberLiteral");
    if (number) {
      const value: ast.NumberValue = {
        kind: "Number",
        value: Number(number.image),
        raw: number.image,
        span: this.tokenSpan(number),
      };
      if (number.payload === t.reportedByLexer) value.reported = true;
      return value;
    }
    const date = this.token(c, "DateLiteral");
    if (date) return { kind: "Date", raw: date.image, span: this.tokenSpan(date) };
    const day = this.token(c, "DayWord");
    if (day) return { kind: "Date", raw: day.image.toLowerCase(), span: this.tokenSpan(day) };
    const duration = this.token(c, "DurationLiteral");
    if (duration) {
      const value = this.durationValue(duration);
      const ago = this.token(c, "Ago");
      return ago ? { kind: "RelativeDate", duration: value, span: this.spanFrom(duration, ago) } : value;
    }
    return undefined;
  }

  private stringValue(token: IToken): ast.StringValue {
    return { kind: "String", value: String(token.payload ?? ""), span: this.tokenSpan(token) };
  }

  private durationValue(token: IToken): ast.DurationValue {
    const value = durationValue(token.image, this.tokenSpan(token));
    if (token.payload === t.reportedByLexer) value.reported = true;
    return value;
  }

  private field(node: CstNode): ast.FieldRef | undefined {
    const token = this.token(node.children, "Identifier") ?? this.token(node.children, "QuotedIdentifier");
    if (!token) return undefined;
    return {
      kind: "FieldRef",
      name: String(token.payload ?? token.image),
      quoted: token.tokenType === t.QuotedIdentifier,
      span: this.tokenSpan(token),
    };
  }

  // ----- helpers -----

  private invalid(node: CstNode): ast.InvalidCondition {
    const tokens = collectTokens(node).filter((token) => this.isReal(token));
    if (tokens.length === 0) return { kind: "InvalidCondition", span: this.endOfInput };
    return { kind: "InvalidCondition", span: this.spanFrom(tokens[0]!, tokens.at(-1)!) };
  }

  /** The subtrees of rule `name` (children under a rule's name are always nodes). */
  private nodes(children: Children, name: string): CstNode[] {
    return (children[name] as CstNode[] | undefined) ?? noNodes;
  }

  private isReal(token: IToken): boolean {
    return !token.isInsertedInRecovery && Number.isFinite(token.startOffset);
  }

  private realTokens(children: Children, name: string): IToken[] {
    const list = children[name] as IToken[] | undefined;
    if (!list) return noTokens;
    return this.recovered ? list.filter((token) => this.isReal(token)) : list;
  }

  private token(children: Children, name: string): IToken | undefined {
    const list = children[name] as IToken[] | undefined;
    if (!list) return undefined;
    if (!this.recovered) return list[0];
    return list.find((token) => this.isReal(token));
  }

  private tokenSpan(token: IToken): Span {
    return this.source.spanOf(token.startOffset, token.startOffset + token.image.length);
  }

  private spanFrom(first: IToken, last: IToken): Span {
    return this.source.spanOf(first.startOffset, last.startOffset + last.image.length);
  }
}

function collectTokens(node: CstNode): IToken[] {
  const out: IToken[] = [];
  const visit = (current: CstNode) => {
    for (const children of Object.values(current.children)) {
      for (const child of children) {
        if ("children" in child) visit(child);
        else out.push(child);
      }
    }
  };
  visit(node);
  return out.sort((a, b) => a.startOffset - b.startOffset);
}
