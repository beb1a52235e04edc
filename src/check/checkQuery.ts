import type { DiagnosticCollector } from "../diagnostics/diagnostic.js";
import type { SourceText, Span } from "../diagnostics/source.js";
import type * as ast from "../parser/ast.js";
import { requestFlagNames, type CheckedQuery, type TimeWindow } from "./checkedQuery.js";
import { checkCondition, lookupField } from "./checkCondition.js";
import { commandLineSettingWords } from "../diagnostics/settingWords.js";
import { bindParameters, notePlaceholders, type BindOptions } from "./parameters.js";
import { shortenText } from "./shortenText.js";
import { checkStructure } from "./clauseStructure.js";
import { closestMatch } from "../diagnostics/suggest.js";
import { formatEpochSeconds } from "./time.js";
import { printCondition } from "../parser/printer.js";
import { ValueChecker } from "./values.js";
import {
  confirmedUserTypes,
  maxTitleLength,
  queryDefaults,
  unconfirmedUserTypes,
  userTypes,
} from "../language/vocabulary.js";

/*
 * The check of a whole query: its clauses (title, window, users, select, flags), each given
 * once in a valid order (clauseStructure.ts), and its condition (checkCondition.ts), put
 * together as the CheckedQuery that normalise takes.
 */

interface CheckOptions extends BindOptions {
  /** "Now", for `during` and `30d ago`, in Unix seconds. */
  nowSeconds: number;
  /** The file the query came from; its name becomes the default title. */
  fileName?: string;
}

/**
 * Checks a parsed query against the field catalog and Ongage's rules and works out its meaning.
 * Parameters are bound first, so that the checker sees only literals (parameters.ts). Returns
 * undefined when anything is wrong; every problem is reported to `diagnostics`.
 */
export function checkQuery(
  query: ast.Query,
  source: SourceText,
  options: CheckOptions,
  diagnostics: DiagnosticCollector,
): CheckedQuery | undefined {
  // A query without parameters pays for one look at its text.
  if (!query.params && !options.params && !source.text.includes("$"))
    return new Checker(source, options, false, diagnostics).run(query);
  const bound = bindParameters(query, options, source, diagnostics);
  const checked = new Checker(source, options, true, diagnostics).run(bound.query);
  notePlaceholders(diagnostics.diagnostics, bound.placeholders);
  if (checked && bound.parameters.length > 0) checked.parameters = bound.parameters;
  return checked;
}

class Checker {
  private readonly values: ValueChecker;

  constructor(
    private readonly source: SourceText,
    private readonly options: CheckOptions,
    /** The query had parameters, bound before checking: note which values came from them. */
    private readonly parametersBound: boolean,
    private readonly diagnostics: DiagnosticCollector,
  ) {
    this.values = new ValueChecker(diagnostics, options.nowSeconds);
  }

  run(query: ast.Query): CheckedQuery | undefined {
    const clauses = checkStructure(query, this.source, this.diagnostics);
    const logic =
      query.condition &&
      checkCondition(
        query.condition,
        this.source,
        {
          catalog: this.options.catalog,
          parametersBound: this.parametersBound,
          settingWords: this.options.settingWords ?? commandLineSettingWords,
        },
        this.values,
        this.diagnostics,
      );

    const title = this.title(clauses.Title, query);
    const window = this.window(clauses.During, clauses.Between);
    const userType = this.userType(clauses.Users);
    const selectedFields = this.selectedFields(clauses.Select);
    const requestFlags = clauses.Flags ? this.requestFlags(clauses.Flags) : undefined;

    // The and/or analysis (normalise) speaks of the whole condition, so a query goes on only when
    // every part is valid.
    if (
      this.diagnostics.hasErrors ||
      !logic ||
      title === undefined ||
      !window ||
      !userType ||
      !selectedFields ||
      (clauses.Flags && !requestFlags)
    ) {
      return undefined;
    }
    const checked: CheckedQuery = {
      title,
      condition: logic,
      window,
      userType,
      selectedFields,
      favorite: clauses.Favorite !== undefined,
      nowSeconds: this.options.nowSeconds,
    };
    const windowClause = clauses.During ?? clauses.Between;
    if (windowClause) checked.windowClauseSpan = windowClause.span;
    if (requestFlags) checked.requestFlags = requestFlags;
    return checked;
  }

  private title(clause: ast.TitleClause | undefined, query: ast.Query): string | undefined {
    // A parameter is bound before the checker runs (parameters.ts); one left here had no value.
    if (clause?.title.kind === "Parameter") return undefined;
    if (clause) {
      const title = clause.title.value.trim();
      if (title === "") {
        this.diagnostics.error("OQ205", "the title is empty", clause.title.span, {
          hints: ['write a title, e.g. title "Active gmail contacts", or leave the clause out'],
        });
        return undefined;
      }
      if (title.length > maxTitleLength) {
        this.diagnostics.warning(
          "OQ206",
          `this title is ${title.length} characters long; Ongage may cut titles longer than ${maxTitleLength}`,
          clause.title.span,
        );
      }
      return title;
    }
    if (this.options.fileName) {
      const base = this.options.fileName.split(/[\\/]/).pop() ?? this.options.fileName;
      const name = base.replace(/\.oq$/i, "");
      // "<stdin>" and the like name no file.
      if (name !== "" && name !== "-" && !/^<.*>$/.test(name)) return name;
    }
    return defaultTitleFromCondition(query);
  }

  private window(
    during: ast.DuringClause | undefined,
    between: ast.BetweenClause | undefined,
  ): TimeWindow | undefined {
    const now = this.options.nowSeconds;
    if (between) {
      const from = this.values.date(between.from, "'between'", "start");
      const to = this.values.date(between.to, "'between'", "end");
      if (from === undefined || to === undefined) return undefined;
      if (from > to) {
        this.diagnostics.error("OQ207", "the window ends before it starts", between.span, {
          suggestions: [
            {
              message: "swap the two dates",
              span: between.span,
              replacement: `between ${this.source.text.slice(between.to.span.start.offset, between.to.span.end.offset)} and ${this.source.text.slice(between.from.span.start.offset, between.from.span.end.offset)}`,
            },
          ],
        });
        return undefined;
      }
      return this.windowAfter1970({ from, to }, between.span);
    }
    if (during) {
      if (during.duration.kind === "Parameter") return undefined;
      const from = this.values.before(during.duration);
      return from === undefined ? undefined : this.windowAfter1970({ from, to: now }, during.span);
    }
    return this.windowAfter1970(
      { from: now - queryDefaults.windowSeconds, to: now },
      this.source.spanOf(0, 0),
    );
  }

  /** from_date and to_date are Unix seconds, which Ongage's request does not take below zero. */
  private windowAfter1970(window: TimeWindow, span: Span): TimeWindow | undefined {
    if (window.from >= 0) return window;
    this.diagnostics.error(
      "OQ218",
      `the report window starts on ${formatEpochSeconds(window.from)}, before 1970-01-01`,
      span,
      {
        hints: [
          "Ongage takes the window as Unix seconds, which start on 1970-01-01 (UTC); start the window on that day or later",
        ],
      },
    );
    return undefined;
  }

  private userType(clause: ast.UsersClause | undefined): string | undefined {
    if (!clause) return queryDefaults.userType;
    // Bound before the checker runs (parameters.ts); one left here had no value.
    if (clause.parameter) return undefined;
    const word = clause.userType.toLowerCase();
    if ((confirmedUserTypes as readonly string[]).includes(word)) return word;
    if ((unconfirmedUserTypes as readonly string[]).includes(word)) {
      this.diagnostics.warning(
        "OQ208",
        `Ongage has not confirmed 'users ${word}'; only 'all' and 'active' are known to work`,
        clause.userTypeSpan,
        {
          hints: [
            "check the report's rows; to be safe use 'users all' with a condition such as ocx_status = \"" +
              word +
              '"',
          ],
        },
      );
      return word;
    }
    // `inactive` is one edit from `active` but means its opposite: no guess for a negated kind.
    const negatedKind = word.replace(/^(?:in|un|non|not)[-_]?/, "");
    const negated = negatedKind !== word && userTypes.includes(negatedKind);
    const guess = negated ? undefined : closestMatch(word, userTypes);
    const hints = [`the kinds are ${userTypes.join(", ")} (all and active are confirmed by Ongage)`];
    if (negated)
      hints.push(
        `for contacts who are not ${negatedKind}, keep 'users all' and add a condition on ocx_status, e.g. ocx_status != "${negatedKind}"`,
      );
    this.diagnostics.error("OQ209", `unknown kind of users '${clause.userType}'`, clause.userTypeSpan, {
      hints,
      suggestions: guess
        ? [{ message: `did you mean '${guess}'?`, span: clause.userTypeSpan, replacement: guess }]
        : [],
    });
    return undefined;
  }

  private selectedFields(clause: ast.SelectClause | undefined): string[] | undefined {
    if (!clause) return [...queryDefaults.selectedFields];
    const fields: string[] = [];
    let ok = true;
    for (const field of clause.fields) {
      if (
        !lookupField(
          field,
          this.options.catalog,
          this.diagnostics,
          this.options.settingWords ?? commandLineSettingWords,
        )
      ) {
        ok = false;
        continue;
      }
      if (fields.includes(field.name)) {
        this.diagnostics.warning("OQ210", `'${field.name}' is selected twice`, field.span, {
          suggestions: [{ message: "remove the second one", span: field.span, replacement: "" }],
        });
        continue;
      }
      fields.push(field.name);
    }
    return ok ? fields : undefined;
  }

  /**
   * `flags include_behavior, combined_as_and = false`: the flags the request carries, each true
   * unless `= false`; a flag not named is left out. `flags none` sends neither.
   */
  private requestFlags(clause: ast.FlagsClause): CheckedQuery["requestFlags"] | undefined {
    const flags: NonNullable<CheckedQuery["requestFlags"]> = {};
    const [first] = clause.flags;
    if (clause.flags.length === 1 && first!.value === undefined && first!.name.toLowerCase() === "none")
      return flags;
    let ok = true;
    for (const flag of clause.flags) {
      const name = requestFlagNames.find((known) => known === flag.name);
      if (!name && flag.name.toLowerCase() === "none") {
        this.diagnostics.error("OQ261", "'none' sends no flags, so it stands alone", flag.span, {
          hints: ["write flags none to leave both flags out, or name the flags to send"],
        });
        ok = false;
        continue;
      }
      if (!name) {
        const guess = closestMatch(flag.name, requestFlagNames);
        this.diagnostics.error("OQ261", `unknown request flag '${flag.name}'`, flag.nameSpan, {
          hints: [`the flags are ${requestFlagNames.join(" and ")}; 'flags none' sends neither`],
          suggestions: guess
            ? [{ message: `did you mean '${guess}'?`, span: flag.nameSpan, replacement: guess }]
            : [],
        });
        ok = false;
        continue;
      }
      if (name in flags) {
        this.diagnostics.error("OQ261", `'${name}' is given twice`, flag.span, {
          hints: ["name each flag once"],
        });
        ok = false;
        continue;
      }
      const value = flag.value?.toLowerCase() ?? "true";
      if (value !== "true" && value !== "false") {
        this.diagnostics.error(
          "OQ261",
          `a request flag is true or false, not '${flag.value}'`,
          flag.valueSpan!,
          { hints: [`write ${name} = false, or just ${name} for true`] },
        );
        ok = false;
        continue;
      }
      flags[name] = value === "true";
    }
    return ok ? flags : undefined;
  }
}

/**
 * Without a title or a file name, the condition names the report, printed canonically so that
 * reformatting a query does not rename its report.
 */
function defaultTitleFromCondition(query: ast.Query): string {
  if (!query.condition) return "oq report";
  const text = printCondition(query.condition);
  return shortenText(text, 100);
}
