import type { Diagnostic, Suggestion } from "./diagnostic.js";
import type { Span } from "./source.js";

/**
 * The one gate every fix passes before anyone sees it (docs/diagnostics.md, "How a fix is
 * checked"). A fix is a promise: "apply this and that problem is gone". For analysts the
 * message is the documentation, and a fix that is wrong when applied is worse than none, so a
 * suggestion is kept only when the compiler, re-run on the query with the fix applied, agrees:
 *
 * - the problem it fixes is gone: no diagnostic of the same code at the place of the edit;
 * - it leaves its place right: no error touches the edit, no new error starts in the word right
 *   after it, and no new warning lies within it (`email contains "%gmail%"` compiles, but
 *   matches nobody);
 * - it does not contradict another diagnostic's fix for the same text: when two fixes overlap,
 *   one is kept only if applying it also clears the other's problem.
 *
 * A diagnostic whose fixes are all refused still says what is wrong, in its message and hints;
 * it just offers no edit. The gate is pure: the caller says how to re-check a text, so the
 * compiler, `oq check`, the REPL and editors all get the same verdicts from `compile`'s
 * pipeline (src/compile.ts runs it on every result that has suggestions).
 */

/** The diagnostics of a text, as the entry point that produced the original ones reports them. */
type Recheck = (text: string) => readonly Diagnostic[];

/**
 * How much re-checking one result may cost. Past it, the remaining suggestions are dropped,
 * never shown unchecked: a 1 MB garbage document must still get its diagnostics fast.
 */
interface FixCheckBudget {
  /** Most re-checks (one per suggestion). */
  maxRechecks: number;
  /** Most characters re-checked in all. */
  maxCharacters: number;
}

const defaultBudget: FixCheckBudget = { maxRechecks: 64, maxCharacters: 1_000_000 };

/** A diagnostic without suggestions needs no re-check; neither does the cap's summary nor a bug report. */
const uncheckedCodes: ReadonlySet<string> = new Set(["OQ010", "OQ999"]);

interface Candidate {
  diagnostic: Diagnostic;
  suggestion: Suggestion;
  /** The diagnostics of the text with this fix applied. */
  after: readonly Diagnostic[];
}

/**
 * `diagnostics` with every suggestion the compiler does not confirm removed. The diagnostics
 * keep their order; one whose suggestions all stand is returned as it was.
 */
export function checkedFixes(
  text: string,
  diagnostics: readonly Diagnostic[],
  recheck: Recheck,
  budget: FixCheckBudget = defaultBudget,
): Diagnostic[] {
  if (!diagnostics.some((d) => d.suggestions.length > 0)) return [...diagnostics];
  let rechecks = 0;
  let characters = 0;
  const kept: Candidate[] = [];
  for (const diagnostic of diagnostics) {
    if (uncheckedCodes.has(diagnostic.code)) continue;
    for (const suggestion of diagnostic.suggestions) {
      const fixed = applySuggestion(text, suggestion);
      if (rechecks + 1 > budget.maxRechecks || characters + fixed.length > budget.maxCharacters) continue;
      rechecks++;
      characters += fixed.length;
      let after: readonly Diagnostic[];
      try {
        after = recheck(fixed);
      } catch {
        continue;
      }
      if (fixes(diagnostic, suggestion, after, diagnostics, fixed))
        kept.push({ diagnostic, suggestion, after });
    }
  }
  const offered = new Set(withoutContradictions(kept).map((candidate) => candidate.suggestion));
  return diagnostics.map((diagnostic) => {
    const suggestions = diagnostic.suggestions.filter((suggestion) => offered.has(suggestion));
    return suggestions.length === diagnostic.suggestions.length ? diagnostic : { ...diagnostic, suggestions };
  });
}

/** The text with one suggestion applied. */
export function applySuggestion(text: string, suggestion: Suggestion): string {
  return (
    text.slice(0, suggestion.span.start.offset) +
    suggestion.replacement +
    text.slice(suggestion.span.end.offset)
  );
}

/**
 * An applied suggestion: what it wrote lies at [start, end) of the fixed text; text after what
 * it replaced (up to `replacedEnd` in the original) moved by `shift`.
 */
interface Edit {
  start: number;
  end: number;
  replacedEnd: number;
  shift: number;
}

function editOf({ span, replacement }: Suggestion): Edit {
  const start = span.start.offset;
  const replacedEnd = span.end.offset;
  return {
    start,
    end: start + replacement.length,
    replacedEnd,
    shift: replacement.length - (replacedEnd - start),
  };
}

/** A span of the original text in the fixed text, or undefined when the edit replaced part of it. */
function movedSpan(span: Span, edit: Edit): [number, number] | undefined {
  const move = (offset: number): number | undefined =>
    offset <= edit.start ? offset : offset >= edit.replacedEnd ? offset + edit.shift : undefined;
  const start = move(span.start.offset);
  const end = move(span.end.offset);
  if (start === undefined || end === undefined) return undefined;
  return [start, end];
}

/** True when a span of the fixed text touches the edit (an empty replacement touches its point). */
function touches(span: Span, edit: Edit): boolean {
  return span.start.offset <= edit.end && span.end.offset >= edit.start;
}

function within(span: Span, edit: Edit): boolean {
  return span.start.offset >= edit.start && span.end.offset <= edit.end;
}

const keyOf = (code: string, start: number, end: number): string => `${code}@${start}-${end}`;

/** True when `after` (the diagnostics of the fixed text) shows the fix doing what it says. */
function fixes(
  diagnostic: Diagnostic,
  suggestion: Suggestion,
  after: readonly Diagnostic[],
  before: readonly Diagnostic[],
  fixedText: string,
): boolean {
  return (
    !stillThere(diagnostic, suggestion, after) &&
    !newProblemAt(diagnostic, suggestion, after, before, fixedText)
  );
}

/** The problem the fix was for is still reported at its place. */
function stillThere(diagnostic: Diagnostic, suggestion: Suggestion, after: readonly Diagnostic[]): boolean {
  const edit = editOf(suggestion);
  const moved = movedSpan(diagnostic.span, edit);
  return after.some(
    (other) =>
      other.code === diagnostic.code &&
      (touches(other.span, edit) ||
        (moved !== undefined && other.span.start.offset === moved[0] && other.span.end.offset === moved[1])),
  );
}

/**
 * The fix leaves its place wrong: an error touches what it wrote (a new one, or one that was
 * there before: `email ends gmail.com` quoted as `"gmail".com` still fails at the dot), or a
 * warning that was not there before lies within it.
 */
function newProblemAt(
  fixed: Diagnostic,
  suggestion: Suggestion,
  after: readonly Diagnostic[],
  before: readonly Diagnostic[],
  fixedText: string,
): boolean {
  const edit = editOf(suggestion);
  const earlier = new Set<string>();
  for (const diagnostic of before) {
    if (diagnostic === fixed) continue;
    const moved = movedSpan(diagnostic.span, edit);
    if (moved) earlier.add(keyOf(diagnostic.code, moved[0], moved[1]));
  }
  const isNew = (other: Diagnostic) =>
    !earlier.has(keyOf(other.code, other.span.start.offset, other.span.end.offset));
  return after.some((other) =>
    other.severity === "error"
      ? other.code !== "OQ010" &&
        (touches(other.span, edit) || (isNew(other) && startsInNextWord(other.span, edit, fixedText)))
      : isNew(other) && within(other.span, edit),
  );
}

/**
 * True when a span starts in the word right after the edit: `opens > 3 order by opens` fixed to
 * `... and order by opens` fails at `by`, which the fix caused, though it wrote only `and order`.
 */
function startsInNextWord(span: Span, edit: Edit, fixedText: string): boolean {
  let end = edit.end;
  while (end < fixedText.length && /\s/.test(fixedText[end]!)) end++;
  while (end < fixedText.length && !/\s/.test(fixedText[end]!)) end++;
  return span.start.offset > edit.end && span.start.offset <= end;
}

function sameEdit(a: Suggestion, b: Suggestion): boolean {
  return (
    a.span.start.offset === b.span.start.offset &&
    a.span.end.offset === b.span.end.offset &&
    a.replacement === b.replacement
  );
}

function overlap(a: Suggestion, b: Suggestion): boolean {
  return a.span.start.offset < b.span.end.offset && b.span.start.offset < a.span.end.offset;
}

/**
 * Fixes of different diagnostics that overlap contradict each other unless one of them, applied,
 * clears the other's problem too; such a one is kept, the other is not offered.
 */
function withoutContradictions(candidates: readonly Candidate[]): Candidate[] {
  return candidates.filter((candidate) =>
    candidates.every(
      (other) =>
        other.diagnostic === candidate.diagnostic ||
        !overlap(candidate.suggestion, other.suggestion) ||
        sameEdit(candidate.suggestion, other.suggestion) ||
        !stillThere(other.diagnostic, candidate.suggestion, candidate.after),
    ),
  );
}
