import type { DiagnosticCollector } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../diagnostics/source.js";
import type * as ast from "../parser/ast.js";

/*
 * The shape of a query that needs no field schema: a condition, each clause once, one window,
 * and `where` before a condition that follows clauses. `oq fmt` checks it too, so that it never
 * lays out (and so "repairs") a query that `oq check` refuses.
 */

type UniqueClauses = Partial<{ [K in ast.ClauseKind]: Extract<ast.Clause, { kind: K }> }>;

/** Reports what is wrong with the query's shape; returns its clauses, the first of each kind. */
export function checkStructure(
  query: ast.Query,
  source: SourceText,
  diagnostics: DiagnosticCollector,
): UniqueClauses {
  // Syntax errors already explain a missing condition.
  const hadSyntaxErrors = diagnostics.hasErrors;
  const clauses = uniqueClauses(query.clauses, diagnostics);
  if (query.params) uniqueDeclarations(query.params, diagnostics);
  if (!query.condition && !hadSyntaxErrors) {
    const at = query.whereSpan ?? source.spanOf(0, 0);
    diagnostics.error("OQ201", "this query has no condition", at, {
      hints: [
        "a query needs a condition, e.g. opens >= 3; to report on every contact write: email is not empty",
      ],
    });
  } else if (query.condition && !hadSyntaxErrors) {
    requireWhereAfterClauses(query, source, diagnostics);
  }
  return clauses;
}

/** A parameter declared twice: which default counts would be a guess, so fmt refuses it too. */
function uniqueDeclarations(
  declarations: readonly ast.ParamDeclaration[],
  diagnostics: DiagnosticCollector,
): void {
  const seen = new Map<string, ast.ParamDeclaration>();
  for (const declaration of declarations) {
    const earlier = seen.get(declaration.name);
    if (!earlier) {
      seen.set(declaration.name, declaration);
      continue;
    }
    diagnostics.error(
      "OQ273",
      `the parameter ${declaration.name} is declared twice (first on line ${earlier.nameSpan.start.line})`,
      declaration.nameSpan,
      { hints: ["declare each parameter once, at the top of the query"] },
    );
  }
}

function uniqueClauses(clauses: ast.Clause[], diagnostics: DiagnosticCollector): UniqueClauses {
  // Every kind is there from the start, so that a clause is stored into a field the object has:
  // adding the kinds as written made a new shape for each order, and each store a slow one.
  const seen: Partial<Record<ast.ClauseKind, ast.Clause>> = {
    Title: undefined,
    During: undefined,
    Between: undefined,
    Users: undefined,
    Select: undefined,
    Favorite: undefined,
    Flags: undefined,
  };
  for (const clause of clauses) {
    const first = seen[clause.kind];
    if (first) {
      const word = clause.kind.toLowerCase();
      diagnostics.error("OQ202", `'${word}' is given twice`, clause.span, {
        label: "second time",
        hints: [
          `a query takes each clause once; the first '${word}' is at ${first.span.start.line}:${first.span.start.column}. Remove one.`,
        ],
      });
      continue;
    }
    seen[clause.kind] = clause;
  }
  if (seen.During && seen.Between) {
    const later = seen.During.span.start.offset > seen.Between.span.start.offset ? seen.During : seen.Between;
    diagnostics.error("OQ203", "'during' and 'between' both set the report's time window", later.span, {
      hints: [
        "keep one: 'during 30d' for the last 30 days, or 'between 2024-01-01 and 2024-01-31' for fixed days",
      ],
    });
  }
  return seen as UniqueClauses;
}

function requireWhereAfterClauses(
  query: ast.Query,
  source: SourceText,
  diagnostics: DiagnosticCollector,
): void {
  const condition = query.condition!;
  if (query.whereSpan) return;
  const before = query.clauses.find(
    (clause) => clause.span.start.offset < condition.span.start.offset && clause.kind !== "Title",
  );
  if (!before) return;
  diagnostics.error("OQ204", "a condition that follows clauses must start with 'where'", condition.span, {
    label: "this is read as the condition",
    hints: [
      `if it is meant to be more of the '${before.kind.toLowerCase()}' clause, check for a missing comma`,
    ],
    suggestions: [
      {
        message: "add 'where' before it",
        span: source.spanOf(condition.span.start.offset, condition.span.start.offset),
        replacement: "where ",
      },
    ],
  });
}
