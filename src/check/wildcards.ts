import type { DiagnosticCollector, Suggestion } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../diagnostics/source.js";
import type { OngageOperator } from "../language/vocabulary.js";
import type * as ast from "../parser/ast.js";

/**
 * Wildcards in text values (OQ234). Ongage compares text literally: `email contains "%gmail%"`
 * selects addresses that hold the characters `%gmail%`, which is nobody, and the report runs
 * and comes back empty with no word. A `%` or `*` at the start or end of a value is a habit of
 * SQL and spreadsheets, so oq warns and offers the operator that says it (`contains "gmail"`,
 * `ends "@gmail.com"`). SQL's `_` is not taken for a wildcard: it is common in addresses
 * (`first_last@...`), and a warning there would be wrong more often than right.
 */

const wildcardRun = /^[%*]+|[%*]+$/g;
/** The operators whose text a wildcard is meant to widen, as written with oq's words. */
const textOperatorWords: Partial<Record<OngageOperator, string>> = {
  "=": "=",
  "!=": "!=",
  LIKE: "contains",
  "NOT LIKE": "not contains",
  LIKE_: "starts",
  _LIKE: "ends",
};

/** `%` or `*` (charCodeAt past the end is NaN: neither). */
const isWildcard = (code: number) => code === 37 || code === 42;

export function warnWildcards(
  node: ast.Comparison,
  operator: OngageOperator,
  negated: boolean,
  source: SourceText,
  diagnostics: DiagnosticCollector,
): void {
  for (const value of node.values) {
    if (value.kind !== "String") continue;
    const text = value.value;
    // Most values neither start nor end with one: spare them the patterns (and the operator its
    // lookup, which is not among the cheap ones).
    if (!isWildcard(text.charCodeAt(0)) && !isWildcard(text.charCodeAt(text.length - 1))) continue;
    if (!(operator in textOperatorWords)) return;
    const leading = /^[%*]+/.exec(text)?.[0].length ?? 0;
    const trailing = /[%*]+$/.exec(text.slice(leading))?.[0].length ?? 0;
    if (leading + trailing === 0) continue;
    const core = text.replace(wildcardRun, "");
    const suggestions: Suggestion[] = [];
    const rewrite = plainOperator(operator, negated, leading > 0, trailing > 0);
    // One value, no wildcard left inside: the operator that means it, on the whole comparison.
    if (rewrite && !node.isList && core !== "" && !/[%*]/.test(core)) {
      const replacement = `${rewrite} ${JSON.stringify(core)}`;
      suggestions.push({
        message: `write ${replacement}`,
        span: source.spanOf(node.operatorSpan.start.offset, value.span.end.offset),
        replacement,
      });
    }
    diagnostics.warning(
      "OQ234",
      `oq compares text as it is written: '${text.slice(0, leading) || text.slice(text.length - trailing)}' is not a wildcard`,
      value.span,
      {
        label: "matches these very characters",
        hints: [
          'contains, starts and ends match part of the text: email contains "gmail", email ends "@gmail.com"',
        ],
        suggestions,
      },
    );
  }
}

/**
 * The oq operator a wildcarded value means: `%x%` contains, `x%` starts, `%x` ends; undefined
 * when the written operator and the wildcards disagree (`starts "%x"`).
 */
function plainOperator(
  operator: OngageOperator,
  negated: boolean,
  leading: boolean,
  trailing: boolean,
): string | undefined {
  const meant = leading && trailing ? "contains" : trailing ? "starts" : "ends";
  const written =
    operator === "NOT LIKE" ? "contains" : operator === "!=" ? "=" : textOperatorWords[operator];
  const not = negated || operator === "NOT LIKE" || operator === "!=";
  // `=` and contains widen to anything; starts/ends only keep their own side.
  if (written !== "=" && written !== "contains" && written !== meant) return undefined;
  return `${not ? "not " : ""}${meant}`;
}
