import type { CstNode, IToken } from "chevrotain";
import type { SourceText, Span } from "../diagnostics/source.js";
import * as t from "../lexer/tokens.js";
import type * as ast from "./ast.js";
import type * as cst from "./cst.generated.js";
import * as make from "./nodes.js";
import * as op from "./operators.js";
import { functionWords } from "./foreignHabits.js";

/** The names of a node's children that hold tokens, and those that hold subtrees. */
type TokenKey<C> = { [K in keyof C]-?: NonNullable<C[K]> extends IToken[] ? K : never }[keyof C];
type NodeKey<C> = { [K in keyof C]-?: NonNullable<C[K]> extends CstNode[] ? K : never }[keyof C];

const noNodes: never[] = [];
const noTokens: IToken[] = [];

/**
 * Turns the concrete syntax tree (chevrotain's shape, from recognizer.ts) into the typed AST. After a syntax error the tree
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

  /** `root`: the tree of the grammar's `query` rule, typed in cst.generated.d.ts. */
  query(root: CstNode, comments: IToken[]): ast.Query {
    const node = root as cst.QueryCstNode;
    const clauses: ast.Clause[] = [];
    for (const clauseNode of this.nodes(node.children, "clause")) {
      const clause = this.clause(clauseNode);
      if (clause) clauses.push(clause);
    }
    const params: ast.ParamDeclaration[] = [];
    for (const paramNode of this.nodes(node.children, "paramDeclaration")) {
      const param = this.paramDeclaration(paramNode);
      if (param) params.push(param);
    }
    const conditionNode = this.nodes(node.children, "orCondition")[0];
    const where = this.token(node.children, "Where");
    return make.query(this.source, {
      params,
      clauses,
      condition: conditionNode && this.orCondition(conditionNode),
      whereSpan: where && this.tokenSpan(where),
      comments: comments.map((token) => make.comment(token.image, this.tokenSpan(token))),
    });
  }

  // ----- clauses -----

  private clause(node: cst.ClauseCstNode): ast.Clause | undefined {
    const c = node.children;
    const favorite = this.token(c, "Favorite");
    if (favorite) return make.favoriteClause(this.tokenSpan(favorite));
    const [title] = this.nodes(c, "titleClause");
    if (title) {
      const keyword = this.token(title.children, "Title");
      const text = this.token(title.children, "StringLiteral");
      const parameter = this.token(title.children, "Parameter");
      if (!keyword || !(text ?? parameter)) return undefined;
      return make.titleClause(
        this.tokenSpan(keyword),
        text ? this.stringValue(text) : this.parameter(parameter!),
      );
    }
    const [during] = this.nodes(c, "duringClause");
    if (during) {
      const keyword = this.token(during.children, "During");
      const amount = this.token(during.children, "DurationLiteral");
      const parameter = this.token(during.children, "Parameter");
      if (keyword && parameter) return make.duringClause(this.tokenSpan(keyword), this.parameter(parameter));
      if (!keyword || !amount) return undefined;
      return make.duringClause(this.tokenSpan(keyword), this.durationValue(amount));
    }
    const [between] = this.nodes(c, "betweenClause");
    if (between) {
      const keyword = this.token(between.children, "Between");
      const [from, to] = this.nodes(between.children, "value").map((value) => this.value(value));
      if (!keyword || !from || !to) return undefined;
      return make.betweenClause(this.tokenSpan(keyword), from, to);
    }
    const [users] = this.nodes(c, "usersClause");
    if (users) {
      const k = users.children;
      const keyword = this.token(k, "Users");
      const parameter = this.token(k, "Parameter");
      if (keyword && parameter) return make.usersClause(this.tokenSpan(keyword), this.parameter(parameter));
      const word = this.token(k, "Identifier") ?? this.token(k, "StringLiteral");
      if (!keyword || !word) return undefined;
      const userType = word.tokenType === t.StringLiteral ? String(word.payload) : word.image;
      return make.usersClause(this.tokenSpan(keyword), { word: userType, span: this.tokenSpan(word) });
    }
    const [flagsNode] = this.nodes(c, "flagsClause");
    if (flagsNode) {
      const k = flagsNode.children;
      const keyword = this.token(k, "Flags");
      if (!keyword || this.realTokens(k, "Identifier").length === 0) return undefined;
      // The clause's tokens in the order written (comments are none of them): a word right after
      // an '=' is the value of the flag before it.
      const written = [
        ...this.realTokens(k, "Identifier"),
        ...this.realTokens(k, "Equals"),
        ...this.realTokens(k, "Comma"),
      ].sort((a, b) => a.startOffset - b.startOffset);
      const settings: { name: IToken; value?: IToken }[] = [];
      written.forEach((token, i) => {
        if (token.tokenType !== t.Identifier) return;
        const last = settings.at(-1);
        if (last && last.value === undefined && written[i - 1]?.tokenType === t.Equals) last.value = token;
        else settings.push({ name: token });
      });
      const flags = settings.map(({ name, value }) =>
        make.requestFlagSetting(
          name.image,
          this.tokenSpan(name),
          value && { word: value.image, span: this.tokenSpan(value) },
        ),
      );
      return make.flagsClause(this.tokenSpan(keyword), flags);
    }
    const [select] = this.nodes(c, "selectClause");
    if (select) {
      const keyword = this.token(select.children, "Select");
      const fields = this.nodes(select.children, "field")
        .flatMap((field) => this.field(field) ?? [])
        // `select count(*)`: reported as oq having no functions (foreignHabits.ts), not again as
        // an unknown field. Only in a tree with syntax errors: the call never parses cleanly.
        .filter((field) => !(this.recovered && !field.quoted && this.calledAsFunction(field)));
      if (!keyword || fields.length === 0) return undefined;
      return make.selectClause(this.tokenSpan(keyword), fields);
    }
    return undefined;
  }

  // ----- conditions -----

  private orCondition(node: cst.OrConditionCstNode): ast.Condition {
    const operands = this.nodes(node.children, "andCondition").map((child) => this.andCondition(child));
    return this.combine("Or", operands, node);
  }

  private andCondition(node: cst.AndConditionCstNode): ast.Condition {
    const operands = this.nodes(node.children, "unaryCondition").map((child) => this.unaryCondition(child));
    return this.combine("And", operands, node);
  }

  private combine(kind: "And" | "Or", operands: ast.Condition[], node: CstNode): ast.Condition {
    if (operands.length === 0) return this.invalid(node);
    return make.chain(kind, operands);
  }

  private unaryCondition(node: cst.UnaryConditionCstNode): ast.Condition {
    const not = this.token(node.children, "Not");
    if (not) {
      const inner = this.nodes(node.children, "unaryCondition")[0];
      if (!inner) return this.invalid(node);
      return make.notCondition(this.tokenSpan(not), this.unaryCondition(inner));
    }
    const primary = this.nodes(node.children, "primaryCondition")[0];
    return primary ? this.primaryCondition(primary) : this.invalid(node);
  }

  private primaryCondition(node: cst.PrimaryConditionCstNode): ast.Condition {
    const c = node.children;
    const inner = this.nodes(c, "orCondition")[0];
    if (inner) {
      const open = this.token(c, "LParen");
      const close = this.token(c, "RParen");
      if (!open || !close) return this.invalid(node);
      return make.group(this.orCondition(inner), this.spanFrom(open, close));
    }
    const segment = this.nodes(c, "segmentTest")[0];
    if (segment) return this.segmentTest(segment);
    const behavioral = this.nodes(c, "behavioralTest")[0];
    if (behavioral) return this.behavioralTest(behavioral);
    const comparison = this.nodes(c, "comparison")[0];
    if (comparison) return this.comparison(comparison);
    return this.invalid(node);
  }

  private segmentTest(node: cst.SegmentTestCstNode): ast.Condition {
    const keyword = this.token(node.children, "In");
    const list = this.valueOrList(node.children.valueOrList?.[0]);
    if (!keyword || !this.token(node.children, "Segment") || !list) return this.invalid(node);
    return make.segmentTest(this.tokenSpan(keyword), list);
  }

  private behavioralTest(node: cst.BehavioralTestCstNode): ast.Condition {
    const action = this.token(node.children, "Identifier");
    const list = this.valueOrList(node.children.valueOrList?.[0]);
    if (!action || !this.token(node.children, "Campaign") || !list) return this.invalid(node);
    return make.behavioralTest(action.image, this.tokenSpan(action), list);
  }

  private comparison(node: cst.ComparisonCstNode): ast.Condition {
    const [fieldNode] = this.nodes(node.children, "field");
    const [tail] = this.nodes(node.children, "comparisonTail");
    const field = fieldNode && this.field(fieldNode);
    if (!field || !tail) return this.invalid(node);
    const k = tail.children;

    const operatorTokens: IToken[] = [];
    let operator: ast.ComparisonOperator | undefined;
    const [compare] = this.nodes(k, "compareOperator");
    if (compare) {
      const token = Object.values(compare.children)
        .flat()
        .find((candidate) => this.isReal(candidate));
      if (!token) return this.invalid(node);
      operatorTokens.push(token);
      operator = op.symbolOperatorOf(token.tokenType.name) ?? "=";
    } else if (this.token(k, "Is")) {
      operatorTokens.push(
        ...this.realTokens(k, "Is"),
        ...this.realTokens(k, "Not"),
        ...this.realTokens(k, "Empty"),
      );
      if (!this.token(k, "Empty")) return this.invalid(node);
      operator = op.emptinessOperator(this.token(k, "Not") !== undefined);
    } else {
      let word: IToken | undefined;
      for (const name of op.operatorWordNames) word ??= this.token(k, name as TokenKey<typeof k>);
      const not = this.token(k, "Not");
      operator = word && op.wordOperatorOf(word.tokenType.name, not !== undefined);
      if (!word || !operator) return this.invalid(node);
      operatorTokens.push(...(not ? [not] : []), word, ...this.realTokens(k, "With"));
    }
    if (operatorTokens.length > 1) operatorTokens.sort((a, b) => a.startOffset - b.startOffset);
    const operatorSpan = this.spanFrom(operatorTokens[0]!, operatorTokens.at(-1)!);

    let operands: ast.ValueList | undefined;
    const takes = op.operandsOf(operator);
    if (takes === "range") {
      const [low, high, ...more] = this.nodes(k, "value").map((value) => this.value(value));
      if (!low || !high || more.length > 0) return this.invalid(node);
      operands = make.bounds(low, high);
    } else if (takes === "values") {
      operands = this.valueOrList(k.valueOrList?.[0]);
      if (!operands) return this.invalid(node);
    }

    let caseOption: { sensitive: boolean; span: Span } | undefined;
    const [caseNode] = this.nodes(k, "caseOption");
    const caseKeyword = caseNode && this.token(caseNode.children, "Case");
    if (caseNode && caseKeyword) {
      const sensitivity =
        this.token(caseNode.children, "Sensitive") ?? this.token(caseNode.children, "Insensitive");
      const sensitive = sensitivity && op.caseFlagOf(sensitivity.tokenType.name);
      if (!sensitivity || sensitive === undefined) return this.invalid(node);
      caseOption = { sensitive, span: this.spanFrom(caseKeyword, sensitivity) };
    }
    return make.comparison(field, operator, operatorSpan, operands, caseOption);
  }

  // ----- values and names -----

  private valueOrList(node: cst.ValueOrListCstNode | undefined): ast.ValueList | undefined {
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
      return make.list(values, this.spanFrom(open, close));
    }
    if (values.length !== 1) return undefined;
    return make.single(values[0]!);
  }

  private value(node: cst.ValueCstNode): ast.Value | undefined {
    if (node.recoveredNode) return undefined;
    const c = node.children;
    const text = this.token(c, "StringLiteral");
    if (text) return this.stringValue(text);
    const number = this.token(c, "NumberLiteral");
    if (number)
      return make.numberValue(number.image, this.tokenSpan(number), number.payload === t.reportedByLexer);
    const date = this.token(c, "DateLiteral");
    if (date) return make.dateValue(date.image, this.tokenSpan(date), date.payload === t.reportedByLexer);
    const day = this.token(c, "DayWord");
    if (day) return make.dayWordValue(day.image, this.tokenSpan(day));
    const parameter = this.token(c, "Parameter");
    if (parameter) return this.parameter(parameter);
    const duration = this.token(c, "DurationLiteral");
    if (duration) {
      const value = this.durationValue(duration);
      const ago = this.token(c, "Ago");
      return ago ? make.relativeDate(value, this.tokenSpan(ago)) : value;
    }
    return undefined;
  }

  private parameter(token: IToken): ast.ParameterValue {
    return make.parameterValue(token.image, this.tokenSpan(token));
  }

  /** `param domain = "gmail.com"`; undefined when a piece is missing (already reported). */
  private paramDeclaration(node: cst.ParamDeclarationCstNode): ast.ParamDeclaration | undefined {
    const k = node.children;
    const keyword = this.token(k, "Param");
    // The name is any word, a keyword too: the one token that is neither `param` nor `=`.
    const name = Object.entries(k)
      .filter(([key]) => key !== "Param" && key !== "Equals" && key !== "valueOrList")
      .flatMap(([, tokens]) => tokens as IToken[])
      .find((token) => !this.recovered || this.isReal(token));
    if (!keyword || !name) return undefined;
    let defaultValue: ast.ValueList | undefined;
    if (this.token(k, "Equals")) {
      defaultValue = this.valueOrList(k.valueOrList?.[0]);
      if (!defaultValue) return undefined;
    }
    return make.paramDeclaration(this.tokenSpan(keyword), name.image, this.tokenSpan(name), defaultValue);
  }

  private stringValue(token: IToken): ast.StringValue {
    return make.stringValue(String(token.payload ?? ""), this.tokenSpan(token));
  }

  private durationValue(token: IToken): ast.DurationValue {
    return make.durationValue(token.image, this.tokenSpan(token), token.payload === t.reportedByLexer);
  }

  private field(node: cst.FieldCstNode): ast.FieldRef | undefined {
    const token = this.token(node.children, "Identifier") ?? this.token(node.children, "QuotedIdentifier");
    if (!token) return undefined;
    return make.fieldRef(
      String(token.payload ?? token.image),
      token.tokenType === t.QuotedIdentifier,
      this.tokenSpan(token),
    );
  }

  // ----- helpers -----

  /** `field` is one of SQL's functions written as a call: its name, then `(`. */
  private calledAsFunction(field: ast.FieldRef): boolean {
    if (!functionWords.has(field.name.toLowerCase())) return false;
    const text = this.source.text;
    let at = field.span.end.offset;
    while (at < text.length && /\s/.test(text[at]!)) at++;
    return text[at] === "(";
  }

  private invalid(node: CstNode): ast.InvalidCondition {
    // Without a syntax error every piece is there: a tree this builder cannot read is a grammar
    // rule it was not taught (an operator in grammar.ts but not in operators.ts), never to be
    // dropped without a word.
    if (!this.recovered)
      throw new Error(`the syntax tree's ${node.name} has a shape buildAst.ts cannot read`);
    const tokens = collectTokens(node).filter((token) => this.isReal(token));
    if (tokens.length === 0) return make.invalidCondition(this.endOfInput);
    return make.invalidCondition(this.spanFrom(tokens[0]!, tokens.at(-1)!));
  }

  /** The subtrees of rule `name`. */
  private nodes<C, K extends NodeKey<C>>(children: C, name: K): NonNullable<C[K]> {
    return (children[name] ?? noNodes) as NonNullable<C[K]>;
  }

  private isReal(token: IToken): boolean {
    return !token.isInsertedInRecovery && Number.isFinite(token.startOffset);
  }

  private realTokens<C>(children: C, name: TokenKey<C>): IToken[] {
    const list = children[name] as IToken[] | undefined;
    if (!list) return noTokens;
    return this.recovered ? list.filter((token) => this.isReal(token)) : list;
  }

  private token<C>(children: C, name: TokenKey<C>): IToken | undefined {
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
