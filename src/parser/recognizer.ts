import type { CstNode, IRecognitionException, IToken, TokenType } from "chevrotain";
import { EOF } from "../lexer/tokenType.js";
import { allTokens } from "../lexer/tokens.js";
import { grammarTablesJson, type GrammarTables } from "./grammarTables.generated.js";
import {
  afterRepetition,
  nextPossibleTokenTypes,
  type AfterRepetition,
  type Production,
  type Repetition,
  type SeparatedRepetition,
} from "./productions.js";

/*
 * The recovering parser the command runs: it parses tokens as chevrotain's CstParser parses them
 * with oq's grammar (grammar.ts) and recovery on, to the same concrete syntax tree and the same
 * syntax errors, without loading chevrotain or analysing the grammar at each start (that was
 * most of the start-up of a query with a syntax error: BENCHMARKS.md). It runs the productions
 * chevrotain recorded from grammar.ts, with the lookahead paths and resynchronisation tokens
 * chevrotain worked out from them (grammarTables.generated.ts), and recovers as chevrotain does:
 * - a token missing: inserted when the token at hand is one that can follow it;
 * - a token too many: dropped when the one after it is the one expected;
 * - otherwise the rule gives up and the tokens up to one that can follow a rule being parsed are
 *   skipped, in the innermost rule that such a token can follow;
 * - in a repetition, tokens are skipped to where the repetition can go on, or to what follows it.
 * recognizer.test.ts holds it to chevrotain's parser, tree and errors, for generated token
 * sequences. The grammar itself is still written, and checked, with chevrotain (grammar.ts).
 */

/** What was known when a syntax error was raised: handed to syntaxErrors.ts, which words it. */
export interface SyntaxErrorInfo {
  kind: "mismatch" | "noViableAlt" | "earlyExit" | "notAllInputParsed";
  rule: string;
  /** The token types that could have come (by name). */
  expected: string[];
}

/** A syntax error, as chevrotain's recognition exceptions carry it, with its details. */
interface RecognitionError extends IRecognitionException {
  previousToken?: IToken;
  info: SyntaxErrorInfo;
}

/** Thrown to abandon a parse once it has found `errorBudget` syntax errors. */
export class TooManySyntaxErrors extends Error {}

const exceptionNames = {
  mismatch: "MismatchedTokenException",
  noViableAlt: "NoViableAltException",
  earlyExit: "EarlyExitException",
  notAllInputParsed: "NotAllInputParsedException",
} as const;

/** Thrown inside the recognizer as chevrotain throws a recognition exception. */
class Failure {
  /** The rule's tree so far, for its caller to keep (chevrotain's partialCstResult). */
  partial?: CstNode;
  constructor(readonly error: RecognitionError) {}
}

/** The token read past the end of the input (chevrotain's END_OF_FILE). */
const endOfInput: IToken = {
  image: "",
  startOffset: NaN,
  endOffset: NaN,
  startLine: NaN,
  endLine: NaN,
  startColumn: NaN,
  endColumn: NaN,
  tokenType: EOF,
  tokenTypeIdx: EOF.tokenTypeIdx!,
};

const typeOf = (token: IToken) => token.tokenType.name;

let tables: GrammarTables | undefined;
/** The grammar's tables, read when first needed. */
const grammarTables = () => (tables ??= JSON.parse(grammarTablesJson) as GrammarTables);

/** What comes after each repetition, worked out when first needed (by rule, type and occurrence). */
const afterRepetitions = new Map<string, AfterRepetition>();

interface Recognized {
  /** Undefined when the error budget stopped the parse. */
  cst: CstNode | undefined;
  errors: RecognitionError[];
}

/** Parses `tokens` from the rule `query`, as chevrotain's parser would. */
export function recognize(tokens: readonly IToken[], errorBudget = Infinity): Recognized {
  const recognizer = new Recognizer(tokens, errorBudget);
  let cst: CstNode | undefined;
  try {
    cst = recognizer.parse("query");
  } catch (error) {
    if (!(error instanceof TooManySyntaxErrors)) throw error;
  }
  return { cst, errors: recognizer.errors };
}

class Recognizer {
  /** The index of the last token read (chevrotain's currIdx). */
  private index = -1;
  private readonly ruleStack: string[] = [];
  private readonly occurrenceStack: number[] = [];
  private readonly nodeStack: CstNode[] = [];
  readonly errors: RecognitionError[] = [];
  private readonly rules: GrammarTables["rules"];
  private readonly lookahead: GrammarTables["lookahead"];
  private readonly resyncFollows: GrammarTables["resyncFollows"];

  constructor(
    private readonly tokens: readonly IToken[],
    private readonly errorBudget: number,
  ) {
    ({ rules: this.rules, lookahead: this.lookahead, resyncFollows: this.resyncFollows } = grammarTables());
  }

  parse(rule: string): CstNode {
    try {
      return this.invokeRule(rule, 0);
    } finally {
      // Also after the error budget ran out, as chevrotain's parser does.
      if (typeOf(this.la(1)) !== "EOF") this.save("notAllInputParsed", this.la(1), undefined, rule, []);
    }
  }

  private la(howFar: number): IToken {
    const at = this.index + howFar;
    return at < 0 || at >= this.tokens.length ? endOfInput : this.tokens[at]!;
  }

  private skipToken(): IToken {
    if (this.index > this.tokens.length - 2) return endOfInput;
    this.index++;
    return this.la(1);
  }

  private get rule(): string {
    return this.ruleStack.at(-1)!;
  }

  /** Records a syntax error (chevrotain's SAVE_ERROR) and gives it. */
  private save(
    kind: SyntaxErrorInfo["kind"],
    token: IToken,
    previousToken: IToken | undefined,
    rule: string,
    expected: string[],
    resyncedTokens: IToken[] = [],
  ): RecognitionError {
    const error: RecognitionError = {
      name: exceptionNames[kind],
      message: `${kind} in ${rule}, expected ${expected.join(" | ")}`,
      token,
      previousToken,
      resyncedTokens,
      context: { ruleStack: [...this.ruleStack], ruleOccurrenceStack: [...this.occurrenceStack] },
      info: { kind, rule, expected },
    };
    if (previousToken === undefined) delete error.previousToken;
    this.errors.push(error);
    if (this.errors.length >= this.errorBudget) throw new TooManySyntaxErrors();
    return error;
  }

  private invokeRule(name: string, occurrence: number): CstNode {
    const node: CstNode = { name, children: Object.create(null) as CstNode["children"] };
    this.ruleStack.push(name);
    this.occurrenceStack.push(occurrence);
    this.nodeStack.push(node);
    try {
      this.run(this.rules[name]!);
      return node;
    } catch (thrown) {
      if (!(thrown instanceof Failure)) throw thrown;
      const resyncType = this.resyncTokenType();
      (node as { recoveredNode?: boolean }).recoveredNode = true;
      if (this.currentFollows().includes(resyncType)) {
        thrown.error.resyncedTokens = this.resyncTo(resyncType);
        return node;
      }
      thrown.partial = node;
      throw thrown;
    } finally {
      this.ruleStack.pop();
      this.occurrenceStack.pop();
      this.nodeStack.pop();
    }
  }

  private run(sequence: readonly Production[]): void {
    for (const production of sequence) {
      switch (production.type) {
        case "Terminal":
          this.consume(production.name, production.idx);
          break;
        case "NonTerminal":
          this.subrule(production.name, production.idx);
          break;
        case "Option":
          if (this.entering(production)) this.run(production.definition);
          break;
        case "Repetition":
          this.many(production);
          break;
        case "RepetitionMandatoryWithSeparator":
          this.atLeastOneSeparated(production);
          break;
        case "Alternation":
          this.alternation(production);
          break;
        case "Alternative":
          this.run(production.definition);
          break;
      }
    }
  }

  private add(key: string, child: IToken | CstNode): void {
    const children = this.nodeStack.at(-1)!.children;
    (children[key] ??= []).push(child as IToken & CstNode);
  }

  private pathMatches(path: readonly string[]): boolean {
    return path.every((name, at) => typeOf(this.la(at + 1)) === name);
  }

  private entering(production: { type: string; idx: number }): boolean {
    const paths = this.lookahead[`${this.rule} ${production.type} ${production.idx}`] as string[][];
    return paths.some((path) => this.pathMatches(path));
  }

  private consume(type: string, occurrence: number): IToken {
    const next = this.la(1);
    let consumed: IToken;
    if (typeOf(next) === type) {
      this.index++;
      consumed = next;
    } else {
      const error = this.save("mismatch", next, this.la(0), this.rule, [type]);
      consumed = this.recoverInRule(type, occurrence, error);
    }
    this.add(type, consumed);
    return consumed;
  }

  /** A single token inserted or deleted, or the mismatch thrown to the rule (chevrotain's tryInRuleRecovery). */
  private recoverInRule(type: string, occurrence: number, error: RecognitionError): IToken {
    if (this.canInsert(this.followsOf(type, occurrence))) {
      const tokenType = tokenTypeNamed(type);
      return { ...endOfInput, tokenType, tokenTypeIdx: tokenType.tokenTypeIdx!, isInsertedInRecovery: true };
    }
    if (typeOf(this.la(2)) === type) {
      const expected = this.skipToken();
      this.index++;
      return expected;
    }
    throw new Failure(error);
  }

  private followsOf(type: string, occurrence: number): string[] {
    return nextPossibleTokenTypes(this.rules, this.ruleStack, this.occurrenceStack, type, occurrence);
  }

  private canInsert(follows: readonly string[]): boolean {
    return follows.length > 0 && follows.includes(typeOf(this.la(1)));
  }

  private subrule(name: string, occurrence: number): CstNode {
    try {
      const node = this.invokeRule(name, occurrence);
      this.add(name, node);
      return node;
    } catch (thrown) {
      if (thrown instanceof Failure && thrown.partial) {
        this.add(name, thrown.partial);
        thrown.partial = undefined;
      }
      throw thrown;
    }
  }

  private alternation(production: Extract<Production, { type: "Alternation" }>): void {
    const alternatives = this.lookahead[`${this.rule} Alternation ${production.idx}`] as string[][][];
    const chosen = alternatives.findIndex((paths) => paths.some((path) => this.pathMatches(path)));
    if (chosen === -1) {
      const expected = alternatives.flatMap((paths) => paths.map((path) => path[0] ?? "EOF"));
      throw new Failure(this.save("noViableAlt", this.la(1), this.la(0), this.rule, expected));
    }
    this.run(production.definition[chosen]!.definition);
  }

  private many(production: Repetition): void {
    let notStuck = true;
    while (this.entering(production) && notStuck) {
      const before = this.index;
      this.run(production.definition);
      notStuck = this.index > before;
    }
    this.recoverInRepetition(
      production,
      () => this.many(production),
      () => this.entering(production),
      notStuck,
    );
  }

  private atLeastOneSeparated(production: SeparatedRepetition): void {
    if (!this.entering(production)) {
      const paths = this.lookahead[`${this.rule} ${production.type} ${production.idx}`] as string[][];
      const expected = paths.map((path) => path[0] ?? "EOF");
      throw new Failure(this.save("earlyExit", this.la(1), this.la(0), this.rule, expected));
    }
    this.run(production.definition);
    this.separatedRounds(production);
  }

  /** The rounds after the first, each after a separator (chevrotain's repetitionSepSecondInternal). */
  private separatedRounds(production: SeparatedRepetition): void {
    const separatorNext = () => typeOf(this.la(1)) === production.separator;
    while (separatorNext()) {
      this.consume(production.separator, 0);
      this.run(production.definition);
    }
    this.recoverInRepetition(production, () => this.separatedRounds(production), separatorNext, true);
  }

  /**
   * After a repetition, when the token at hand is neither what follows it nor a mistake a single
   * token mends: tokens are skipped up to where another round can start (which then runs) or to
   * what follows the repetition (chevrotain's attemptInRepetitionRecovery).
   */
  private recoverInRepetition(
    production: { type: Production["type"]; idx: number },
    again: () => void,
    canGoOn: () => boolean,
    notStuck: boolean,
  ): void {
    const key = `${this.rule} ${production.type} ${production.idx}`;
    let after = afterRepetitions.get(key);
    if (!after) {
      after = afterRepetition(this.rules[this.rule]!, production.type, production.idx);
      afterRepetitions.set(key, after);
    }
    let { token: expected, occurrence } = after;
    // The top rule's last repetition: the input must end after it.
    if (this.ruleStack.length === 1 && after.isEndOfRule && expected === undefined) {
      expected = "EOF";
      occurrence = 1;
    }
    if (expected === undefined || occurrence === undefined) return;
    if (!notStuck || typeOf(this.la(1)) === expected) return;
    if (this.canInsert(this.followsOf(expected, occurrence)) || typeOf(this.la(2)) === expected) return;

    const resyncType = this.resyncTokenType();
    const saved = this.index;
    const skipped: IToken[] = [];
    const withoutResync = this.la(1);
    let current = this.la(1);
    const report = () =>
      this.save("mismatch", withoutResync, this.la(0), this.rule, [expected], skipped.slice(0, -1));
    for (;;) {
      if (typeOf(current) === expected) {
        report();
        return;
      }
      if (canGoOn()) {
        report();
        again();
        return;
      }
      if (typeOf(current) === resyncType) break;
      current = this.skipToken();
      if (typeOf(current) !== "EOF") skipped.push(current);
    }
    // Nothing closer to resynchronise on: the error comes at the next step, and is recovered there.
    this.index = saved;
  }

  /** The follow sets of the rules being parsed, the outermost first (the input's end). */
  private followSets(): string[][] {
    return this.ruleStack.map((rule, level) =>
      level === 0
        ? ["EOF"]
        : (this.resyncFollows[`${rule}${this.occurrenceStack[level]}_~IN~_${this.ruleStack[level - 1]}`] ??
          []),
    );
  }

  /** The first token ahead that can follow one of the rules being parsed (chevrotain's findReSyncTokenType). */
  private resyncTokenType(): string {
    const candidates = this.followSets().flat();
    for (let at = 1; ; at++) {
      const type = typeOf(this.la(at));
      if (candidates.includes(type)) return type;
    }
  }

  /** What can follow the rule being parsed. */
  private currentFollows(): string[] {
    return this.followSets().at(-1)!;
  }

  /** Skips tokens up to one of type `type`: the skipped ones, but the last (chevrotain's reSyncTo). */
  private resyncTo(type: string): IToken[] {
    const skipped: IToken[] = [];
    let next = this.la(1);
    while (typeOf(next) !== type) {
      next = this.skipToken();
      if (typeOf(next) !== "EOF") skipped.push(next);
    }
    return skipped.slice(0, -1);
  }
}

let tokenTypes: Map<string, TokenType> | undefined;
/** The token type of a name the grammar's tables use. */
function tokenTypeNamed(name: string): TokenType {
  tokenTypes ??= new Map([...allTokens, EOF].map((type) => [type.name, type]));
  return tokenTypes.get(name)!;
}
