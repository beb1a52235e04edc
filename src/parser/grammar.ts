import {
  CstParser,
  LLkLookaheadStrategy,
  type ILookaheadStrategy,
  type IParserErrorMessageProvider,
  type IRecognitionException,
} from "chevrotain";
import * as t from "../lexer/tokens.js";
import { TooManySyntaxErrors, type SyntaxErrorInfo } from "./recognizer.js";

/** Where the message provider leaves an error's details until SAVE_ERROR files them under it. */
interface PendingInfo {
  info?: SyntaxErrorInfo;
}

/**
 * chevrotain asks for an error's message just before it raises the error: the provider keeps
 * the details as data, and the message is only a developer's summary (no user reads it).
 */
function detailsInto(pending: PendingInfo): IParserErrorMessageProvider {
  const keep = (info: SyntaxErrorInfo) => {
    pending.info = info;
    return `${info.kind} in ${info.rule}, expected ${info.expected.join(" | ")}`;
  };
  return {
    buildMismatchTokenMessage: ({ expected, ruleName }) =>
      keep({ kind: "mismatch", rule: ruleName, expected: [expected.name] }),
    buildNotAllInputParsedMessage: ({ ruleName }) =>
      keep({ kind: "notAllInputParsed", rule: ruleName, expected: [] }),
    buildNoViableAltMessage: ({ expectedPathsPerAlt, ruleName }) =>
      keep({
        kind: "noViableAlt",
        rule: ruleName,
        expected: expectedPathsPerAlt.flatMap((paths) => paths.map((path) => path[0]?.name ?? "EOF")),
      }),
    buildEarlyExitMessage: ({ expectedIterationPaths, ruleName }) =>
      keep({
        kind: "earlyExit",
        rule: ruleName,
        expected: expectedIterationPaths.map((path) => path[0]?.name ?? "EOF"),
      }),
  };
}

/**
 * chevrotain's own lookahead (LL(k)), each function built when its alternation or option is
 * first reached, not all of them when the parser is built: building them all was a third of
 * the parser's start-up, which is now the start of completion (the REPL, the editors, the
 * playground). The functions are chevrotain's, so that the parse is the same.
 */
function lookaheadBuiltWhenReached(maxLookahead: number): ILookaheadStrategy {
  const llk = new LLkLookaheadStrategy({ maxLookahead });
  return {
    validate: (options) => llk.validate(options),
    buildLookaheadForAlternation(options) {
      let built: ReturnType<ILookaheadStrategy["buildLookaheadForAlternation"]> | undefined;
      return function (this: unknown, alternatives) {
        built ??= llk.buildLookaheadForAlternation(options);
        return built.call(this, alternatives);
      };
    },
    buildLookaheadForOptional(options) {
      let built: ReturnType<ILookaheadStrategy["buildLookaheadForOptional"]> | undefined;
      return function (this: unknown) {
        built ??= llk.buildLookaheadForOptional(options);
        return built.call(this);
      };
    },
  };
}

/**
 * The oq grammar (grammar.md has it for readers), written with chevrotain. The parser builds a
 * concrete syntax tree; buildAst.ts turns it into the typed AST. Recovery is on so that one run
 * reports every syntax error of a file. The command parses with the recognizer (recognizer.ts),
 * which runs this grammar as chevrotain records it (grammarTables.generated.ts, `npm run
 * cst:update`) and is held to this parser by recognizer.test.ts; this parser serves completion
 * (contentAssist.ts) and that test. The error details and the error budget below are for the
 * test: they are what the recognizer's errors carry.
 */
export class OqGrammar extends CstParser {
  /**
   * `validate`: check the grammar itself (ambiguities, left recursion). That is for grammar
   * authors and costs start-up time, so the test suite does it (grammar.test.ts), not the command.
   */
  constructor({ validate = false }: { validate?: boolean } = {}) {
    const pending: PendingInfo = {};
    super(t.allTokens, {
      recoveryEnabled: true,
      maxLookahead: 2,
      lookaheadStrategy: lookaheadBuiltWhenReached(2),
      skipValidations: !validate,
      errorMessageProvider: detailsInto(pending),
    });
    this.pending = pending;
    this.performSelfAnalysis();
  }

  private readonly pending: PendingInfo;
  private readonly details = new WeakMap<IRecognitionException, SyntaxErrorInfo>();

  /** What chevrotain knew when it raised `error`: the rule and the tokens that could have come. */
  detailsOf(error: IRecognitionException): SyntaxErrorInfo {
    return this.details.get(error) ?? { kind: "noViableAlt", rule: "query", expected: [] };
  }

  /**
   * Parsing stops after this many syntax errors. Recovering from each costs chevrotain tens of
   * microseconds, and past the few that are listed, more are of no use to anyone.
   */
  errorBudget = Infinity;

  /** chevrotain records every syntax error here (the method is not in its typings). */
  SAVE_ERROR(error: IRecognitionException): IRecognitionException {
    const saved = (
      CstParser.prototype as unknown as {
        SAVE_ERROR(this: CstParser, error: IRecognitionException): IRecognitionException;
      }
    ).SAVE_ERROR.call(this, error);
    if (this.pending.info) this.details.set(error, this.pending.info);
    this.pending.info = undefined;
    if (this.errors.length >= this.errorBudget) throw new TooManySyntaxErrors();
    return saved;
  }

  query = this.RULE("query", () => {
    this.MANY3(() => this.SUBRULE(this.paramDeclaration));
    this.MANY(() => this.SUBRULE(this.clause));
    this.OPTION(() => {
      this.OPTION2(() => this.CONSUME(t.Where));
      this.SUBRULE(this.orCondition);
    });
    this.MANY2(() => this.SUBRULE2(this.clause));
  });

  private readonly parameterNames = [
    t.Identifier,
    ...t.keywordTokens.filter((token) => token !== t.Param),
  ].map((token) => ({
    ALT: () => this.CONSUME(token),
  }));

  paramDeclaration = this.RULE("paramDeclaration", () => {
    this.CONSUME(t.Param);
    // Any word names a parameter, a keyword too: `$segment` is as good a name as `$domain`.
    this.OR(this.parameterNames);
    this.OPTION(() => {
      this.CONSUME(t.Equals);
      this.SUBRULE(this.valueOrList);
    });
  });

  clause = this.RULE("clause", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.titleClause) },
      { ALT: () => this.SUBRULE(this.duringClause) },
      { ALT: () => this.SUBRULE(this.betweenClause) },
      { ALT: () => this.SUBRULE(this.usersClause) },
      { ALT: () => this.SUBRULE(this.selectClause) },
      { ALT: () => this.CONSUME(t.Favorite) },
      { ALT: () => this.SUBRULE(this.flagsClause) },
    ]);
  });

  flagsClause = this.RULE("flagsClause", () => {
    this.CONSUME(t.Flags);
    this.AT_LEAST_ONE_SEP({
      SEP: t.Comma,
      DEF: () => {
        this.CONSUME(t.Identifier);
        this.OPTION(() => {
          this.CONSUME(t.Equals);
          this.CONSUME2(t.Identifier);
        });
      },
    });
  });

  titleClause = this.RULE("titleClause", () => {
    this.CONSUME(t.Title);
    this.OR([{ ALT: () => this.CONSUME(t.StringLiteral) }, { ALT: () => this.CONSUME(t.Parameter) }]);
  });

  duringClause = this.RULE("duringClause", () => {
    this.CONSUME(t.During);
    this.OR([{ ALT: () => this.CONSUME(t.DurationLiteral) }, { ALT: () => this.CONSUME(t.Parameter) }]);
  });

  betweenClause = this.RULE("betweenClause", () => {
    this.CONSUME(t.Between);
    this.SUBRULE(this.value);
    this.CONSUME(t.And);
    this.SUBRULE2(this.value);
  });

  usersClause = this.RULE("usersClause", () => {
    this.CONSUME(t.Users);
    this.OR([
      { ALT: () => this.CONSUME(t.Identifier) },
      { ALT: () => this.CONSUME(t.StringLiteral) },
      { ALT: () => this.CONSUME(t.Parameter) },
    ]);
  });

  selectClause = this.RULE("selectClause", () => {
    this.CONSUME(t.Select);
    this.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => this.SUBRULE(this.field) });
  });

  orCondition = this.RULE("orCondition", () => {
    this.SUBRULE(this.andCondition);
    this.MANY(() => {
      this.CONSUME(t.Or);
      this.SUBRULE2(this.andCondition);
    });
  });

  andCondition = this.RULE("andCondition", () => {
    this.SUBRULE(this.unaryCondition);
    this.MANY(() => {
      this.CONSUME(t.And);
      this.SUBRULE2(this.unaryCondition);
    });
  });

  unaryCondition = this.RULE("unaryCondition", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(t.Not);
          this.SUBRULE(this.unaryCondition);
        },
      },
      { ALT: () => this.SUBRULE(this.primaryCondition) },
    ]);
  });

  primaryCondition = this.RULE("primaryCondition", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(t.LParen);
          this.SUBRULE(this.orCondition);
          this.CONSUME(t.RParen);
        },
      },
      { ALT: () => this.SUBRULE(this.segmentTest) },
      { ALT: () => this.SUBRULE(this.behavioralTest) },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]);
  });

  segmentTest = this.RULE("segmentTest", () => {
    this.CONSUME(t.In);
    this.CONSUME(t.Segment);
    this.SUBRULE(this.valueOrList);
  });

  behavioralTest = this.RULE("behavioralTest", () => {
    this.CONSUME(t.Identifier);
    this.CONSUME(t.Campaign);
    this.SUBRULE(this.valueOrList);
  });

  comparison = this.RULE("comparison", () => {
    this.SUBRULE(this.field);
    this.SUBRULE(this.comparisonTail);
  });

  comparisonTail = this.RULE("comparisonTail", () => {
    this.OR([
      {
        ALT: () => {
          this.SUBRULE(this.compareOperator);
          this.SUBRULE(this.valueOrList);
          this.SUBRULE(this.caseOption);
        },
      },
      {
        ALT: () => {
          this.OPTION(() => this.CONSUME(t.Not));
          this.OR2([
            { ALT: () => this.CONSUME(t.Contains) },
            { ALT: () => this.CONSUME(t.Starts) },
            { ALT: () => this.CONSUME(t.Ends) },
          ]);
          this.OPTION2(() => this.CONSUME(t.With));
          this.SUBRULE2(this.valueOrList);
          this.SUBRULE2(this.caseOption);
        },
      },
      {
        ALT: () => {
          this.OPTION3(() => this.CONSUME2(t.Not));
          this.CONSUME(t.In);
          this.SUBRULE3(this.valueOrList);
          this.SUBRULE3(this.caseOption);
        },
      },
      {
        ALT: () => {
          this.OPTION4(() => this.CONSUME3(t.Not));
          this.CONSUME(t.Between);
          this.SUBRULE(this.value);
          this.CONSUME(t.And);
          this.SUBRULE2(this.value);
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.Is);
          this.OPTION5(() => this.CONSUME4(t.Not));
          this.CONSUME(t.Empty);
        },
      },
    ]);
  });

  compareOperator = this.RULE("compareOperator", () => {
    this.OR([
      { ALT: () => this.CONSUME(t.Equals) },
      { ALT: () => this.CONSUME(t.NotEquals) },
      { ALT: () => this.CONSUME(t.Less) },
      { ALT: () => this.CONSUME(t.LessOrEqual) },
      { ALT: () => this.CONSUME(t.Greater) },
      { ALT: () => this.CONSUME(t.GreaterOrEqual) },
    ]);
  });

  caseOption = this.RULE("caseOption", () => {
    this.OPTION(() => {
      this.CONSUME(t.Case);
      this.OR([{ ALT: () => this.CONSUME(t.Sensitive) }, { ALT: () => this.CONSUME(t.Insensitive) }]);
    });
  });

  valueOrList = this.RULE("valueOrList", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(t.LBracket);
          this.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => this.SUBRULE(this.value) });
          this.CONSUME(t.RBracket);
        },
      },
      { ALT: () => this.SUBRULE2(this.value) },
    ]);
  });

  value = this.RULE("value", () => {
    this.OR([
      { ALT: () => this.CONSUME(t.StringLiteral) },
      { ALT: () => this.CONSUME(t.NumberLiteral) },
      { ALT: () => this.CONSUME(t.DateLiteral) },
      { ALT: () => this.CONSUME(t.DayWord) },
      { ALT: () => this.CONSUME(t.Parameter) },
      {
        ALT: () => {
          this.CONSUME(t.DurationLiteral);
          this.OPTION(() => this.CONSUME(t.Ago));
        },
      },
    ]);
  });

  field = this.RULE("field", () => {
    this.OR([{ ALT: () => this.CONSUME(t.Identifier) }, { ALT: () => this.CONSUME(t.QuotedIdentifier) }]);
  });
}

/** One parser for the process: building it analyses the grammar, which is the slow part. */
export const grammar = new OqGrammar();
