import type { DiagnosticCollector, Suggestion } from "../diagnostics/diagnostic.js";
import { joinSpans, type SourceText, type Span } from "../diagnostics/source.js";
import type { Criterion, FlatCriteria, Logic, TimeWindow } from "./checkedQuery.js";
import { flattenTerm, type Term } from "./logic/negationNormalForm.js";
import { mergeCriteria } from "./logic/mergeAlternatives.js";
import { isActivityField } from "./fieldCatalog.js";
import { formatEpochSeconds } from "./time.js";
import { secondsPerDay } from "../language/vocabulary.js";

/*
 * Activity fields count only the events inside the report's window (docs/semantics.md), so
 * `last_open_date >= 2025-10-01 and last_open_date < 2025-11-01` under the default window of
 * the last 30 days finds only contacts who also opened in those 30 days: a sliver of what was
 * meant. This warns when a condition on an activity date accepts days the window leaves out,
 * and offers the window that covers both when there is one.
 */

/** Whole UTC days, inclusive at both ends; infinite when open. */
interface Days {
  first: number;
  last: number;
}

interface WindowCoverageInput {
  filter: FlatCriteria;
  /** The condition as written, for the spans the warning points at. */
  logic: Logic;
  window: TimeWindow;
  nowSeconds: number;
  /** The `during` or `between` clause, when the query has one. */
  windowClauseSpan: Span | undefined;
  source: SourceText;
}

/** What the warning needs beside the list it looks at. */
interface CoverageContext extends Omit<WindowCoverageInput, "filter"> {
  /** Every criterion of the condition: a wider window would count their activity over more days. */
  allCriteria: readonly Criterion[];
  /** Fields already warned about: one warning per field. */
  warned: Set<string>;
}

const isActivityDate = (criterion: Criterion) =>
  criterion.type === "date" && isActivityField(criterion.fieldName);

/** OQ233 for the flat list one report sends. */
export function warnAboutWindowCoverage(input: WindowCoverageInput, diagnostics: DiagnosticCollector): void {
  // Most queries have no condition on an activity date: nothing to work out for them.
  if (!input.filter.criteria.some(isActivityDate)) return;
  const context = { ...input, allCriteria: input.filter.criteria, warned: new Set<string>() };
  warnAboutList(input.filter, new Set(), context, diagnostics);
}

/**
 * OQ233 for a condition that runs as a plan, as for one report: each `and` or `or` of the
 * condition (nested ones lifted into their parent, `not` pushed in) is looked at as the list one
 * report would send for it, so that the same condition warns the same inside a plan. A field
 * that an enclosing `or` also accepts empty (`... or last_open_date is empty`) loses nothing.
 */
export function warnAboutPlanWindowCoverage(
  input: Omit<WindowCoverageInput, "filter"> & { term: Term },
  diagnostics: DiagnosticCollector,
): void {
  const term = flattenTerm(input.term);
  const allCriteria = criteriaOf(term);
  if (!allCriteria.some(isActivityDate)) return;
  const context = { ...input, allCriteria, warned: new Set<string>() };
  const visit = (part: Term, keptAbove: ReadonlySet<string>): void => {
    if (part.kind === "negated") return;
    if (part.kind === "atom") {
      warnAboutList({ combinator: "and", criteria: [part.criterion] }, keptAbove, context, diagnostics);
      return;
    }
    const atoms = part.operands.flatMap((operand) => (operand.kind === "atom" ? [operand.criterion] : []));
    const filter: FlatCriteria = {
      combinator: part.kind,
      criteria: part.kind === "or" ? mergeCriteria(atoms) : atoms,
    };
    const kept = part.kind === "or" ? new Set([...keptAbove, ...keptEmpty(filter)]) : keptAbove;
    if (atoms.length > 0) warnAboutList(filter, keptAbove, context, diagnostics);
    for (const operand of part.operands)
      if (operand.kind === "and" || operand.kind === "or") visit(operand, kept);
  };
  visit(term, new Set());
}

function criteriaOf(term: Term): Criterion[] {
  if (term.kind === "atom" || term.kind === "negated") return [term.criterion];
  return term.operands.flatMap(criteriaOf);
}

/**
 * In an `or` chain with `FIELD is empty`, a contact whose activity lies outside the window (and
 * so has no FIELD inside it) is matched all the same: nothing is lost to the window.
 */
function keptEmpty(filter: FlatCriteria): string[] {
  if (filter.combinator !== "or") return [];
  return filter.criteria.filter((criterion) => criterion.operator === "empty").map((c) => c.fieldName);
}

function warnAboutList(
  filter: FlatCriteria,
  keptAbove: ReadonlySet<string>,
  input: CoverageContext,
  diagnostics: DiagnosticCollector,
): void {
  const { window, nowSeconds } = input;
  const keptWhenEmpty = new Set([...keptAbove, ...keptEmpty(filter)]);
  const dated = filter.criteria.filter(
    (criterion) => isActivityDate(criterion) && !keptWhenEmpty.has(criterion.fieldName),
  );
  if (dated.length === 0) return;

  // An `and` chain narrows each field to the days all its criteria accept; in an `or` chain each
  // criterion stands alone.
  const groups = new Map<string, Days[]>();
  for (const [index, criterion] of dated.entries()) {
    const days = daysAccepted(criterion);
    if (!days) continue;
    const key = filter.combinator === "and" ? criterion.fieldName : `${criterion.fieldName}#${index}`;
    const before = groups.get(key);
    groups.set(key, before ? intersect(before, days) : days);
  }

  const windowFirst = Math.floor(window.from / secondsPerDay);
  const windowLast = Math.floor(window.to / secondsPerDay);
  const today = Math.floor(nowSeconds / secondsPerDay);
  // A window the query sets on purpose may bound an open-ended condition: "opened in the last
  // 120 days, but not in the last 45" is `last_open_date < 45d ago` with `during 120d`.
  const chosenWindow = input.windowClauseSpan !== undefined;
  const warned = input.warned;
  for (const [key, days] of groups) {
    const fieldName = key.replace(/#\d+$/, "");
    if (warned.has(fieldName) || days.length === 0) continue;
    const first = days[0]!.first;
    const openEnded = days.at(-1)!.last === Infinity;
    // Days after today hold no events yet, whatever the window: a condition only on those
    // (`last_open_date > today`, `> 2030-01-01`) matches no one.
    const last = Math.min(days.at(-1)!.last, Math.max(today, windowLast));
    if (first > last) {
      warned.add(fieldName);
      reportFuture(fieldName, input, diagnostics);
      continue;
    }
    if (first >= windowFirst && last <= windowLast) {
      // Inside the default window, but ending before it does: `last_*_date` is the last event
      // in the window, so a contact active again after the condition's end is not found. A
      // window the query sets on purpose keeps that meaning ("opened then, and not since").
      const end = days.at(-1)!.last;
      if (!chosenWindow && Number.isFinite(end) && end < windowLast) {
        warned.add(fieldName);
        report(fieldName, { first, last: end }, "runsPast", input, diagnostics);
      }
      continue;
    }
    const disjoint = last < windowFirst || first > windowLast;
    const boundedOutside = (first !== -Infinity && first < windowFirst) || (!openEnded && last > windowLast);
    if (chosenWindow && !disjoint && !boundedOutside) continue;
    warned.add(fieldName);
    // The days a wider window must take in. A chosen window still bounds the open ends of a
    // condition it overlaps; with the default window, an open end has no bound at all.
    const keepWindowEnds = chosenWindow && !disjoint;
    const mustCover = {
      first: first === -Infinity && keepWindowEnds ? windowFirst : first,
      last: openEnded && keepWindowEnds ? Math.min(last, windowLast) : last,
    };
    report(fieldName, mustCover, disjoint ? "disjoint" : "outside", input, diagnostics);
  }
}

/**
 * The days one criterion accepts (the union over its values) as sorted, disjoint ranges, or
 * undefined if it is not a day range.
 */
function daysAccepted(criterion: Criterion): Days[] | undefined {
  const days = criterion.values
    .filter((value): value is number => typeof value === "number")
    .map((value) => Math.floor(value / secondsPerDay));
  if (days.length === 0) return undefined;
  const range = (day: number): Days | undefined => {
    switch (criterion.operator) {
      case "=":
        return { first: day, last: day };
      case "<":
        return { first: -Infinity, last: day - 1 };
      case "<=":
        return { first: -Infinity, last: day };
      case ">":
        return { first: day + 1, last: Infinity };
      case ">=":
        return { first: day, last: Infinity };
      default:
        // `!=` excludes days rather than reaching for them; `empty` has no days.
        return undefined;
    }
  };
  const ranges = days.map(range);
  return ranges.every((r): r is Days => r !== undefined) ? disjoint(ranges) : undefined;
}

/** Sorted, with overlapping and touching ranges joined. */
function disjoint(ranges: Days[]): Days[] {
  const sorted = [...ranges].sort((a, b) => a.first - b.first);
  const out: Days[] = [];
  for (const range of sorted) {
    const previous = out.at(-1);
    if (previous && range.first <= previous.last + 1) previous.last = Math.max(previous.last, range.last);
    else out.push({ ...range });
  }
  return out;
}

/** The days in both, for sorted disjoint ranges: one pass over each (lists can be long). */
function intersect(a: Days[], b: Days[]): Days[] {
  const out: Days[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const first = Math.max(a[i]!.first, b[j]!.first);
    const last = Math.min(a[i]!.last, b[j]!.last);
    if (first <= last) out.push({ first, last });
    if (a[i]!.last < b[j]!.last) i++;
    else j++;
  }
  return out;
}

/** How a condition and the window part: all outside it, partly outside, or inside but ending early. */
type Mismatch = "disjoint" | "outside" | "runsPast";

function report(
  fieldName: string,
  mustCover: Days,
  mismatch: Mismatch,
  input: CoverageContext,
  diagnostics: DiagnosticCollector,
): void {
  const { window, windowClauseSpan, source, logic } = input;
  const spans = atomSpans(logic, fieldName);
  const span = spans.length > 0 ? spans.reduce(joinSpans) : logic.span;
  const shownWindow = `${formatEpochSeconds(window.from)} to ${window.to === input.nowSeconds ? "now" : formatWindowEnd(window.to)}`;
  const which = windowClauseSpan ? "the report's window" : "the default window, the last 30 days";
  const hints = [
    `activity fields (sent, opens, clicks, avg_*_time, last_*_date) count only events inside the report's window, so a contact whose last activity falls outside it is not found`,
  ];
  const suggestions: Suggestion[] = [];
  const widened = widenedWindow(mustCover, input);
  // A wider window also counts the other activity fields over more days: then it is not a fix.
  const others = [
    ...new Set(
      input.allCriteria
        .filter((criterion) => criterion.fieldName !== fieldName && isActivityField(criterion.fieldName))
        .map((c) => c.fieldName),
    ),
  ];
  if (widened && others.length > 0) {
    hints.push(`'${widened}' would cover those days, but would also count ${others.join(", ")} over them`);
  } else if (widened) {
    const at = windowClauseSpan ?? source.spanOf(source.text.trimEnd().length, source.text.trimEnd().length);
    suggestions.push({
      message: `set the window to the days the condition covers: ${widened}`,
      span: at,
      replacement: windowClauseSpan ? widened : `\n${widened}`,
    });
  } else {
    const endsBeforeToday =
      Number.isFinite(mustCover.last) && mustCover.last < Math.floor(input.nowSeconds / secondsPerDay);
    hints.push(
      endsBeforeToday
        ? `no window reaches back without end; to cover the days you mean, set one that ends where the condition does: 'between DATE and ${formatEpochSeconds(mustCover.last * secondsPerDay)}'`
        : `no window reaches back without end; to cover the days you mean, set one with 'between DATE and DATE' or 'during 1y'`,
    );
  }
  if (mismatch === "runsPast")
    hints[0] = `${fieldName} is the last event inside the window: a contact active in those days and again after ${formatEpochSeconds(mustCover.last * secondsPerDay)} has a later one and is left out; to find everyone active in those days, end the window where the condition ends`;
  diagnostics.warning(
    "OQ233",
    mismatch === "disjoint"
      ? `this condition on ${fieldName} accepts only days outside ${which} (${shownWindow}), where ${fieldName} is not seen, so it matches no one`
      : mismatch === "outside"
        ? `this condition on ${fieldName} reaches outside ${which} (${shownWindow}), where ${fieldName} is not seen`
        : `${which} (${shownWindow}) runs past the end of this condition on ${fieldName}: it finds contacts with no ${fieldName.replace(/^last_|_date$/g, "")} event since`,
    span,
    {
      label: mismatch === "runsPast" ? "the window runs past its end" : "reaches outside the window",
      hints,
      suggestions,
    },
  );
}

function reportFuture(fieldName: string, input: CoverageContext, diagnostics: DiagnosticCollector): void {
  const spans = atomSpans(input.logic, fieldName);
  const span = spans.length > 0 ? spans.reduce(joinSpans) : input.logic.span;
  // Only where `> today` is written: for `= 2024-02-02` or a time of day the hint would not fit.
  const greaterThanToday = spans.some((atomSpan) =>
    /(?:^|[^<>=!])>\s*today$/i.test(input.source.text.slice(atomSpan.start.offset, atomSpan.end.offset)),
  );
  diagnostics.warning(
    "OQ233",
    `this condition on ${fieldName} accepts only days after now (${formatEpochSeconds(input.nowSeconds, { alwaysTime: true })}), where no activity is seen yet, so it matches no one`,
    span,
    {
      label: "only days after now",
      hints: greaterThanToday
        ? ["a date compares by day: '> today' means from tomorrow on; for today's activity write '>= today'"]
        : [],
    },
  );
}

/**
 * The window that makes the condition mean what it says: it starts where the condition starts
 * and ends where it ends. `last_*_date` is the last event inside the window, so a window that
 * runs past the condition's end turns "opened in October" into "opened in October and not
 * since" (a contact who opened in October and again in November has a November
 * last_open_date). `during Nd` when the condition reaches today, else `between A and B`;
 * undefined when the condition has no start.
 */
function widenedWindow(reach: Days, input: CoverageContext): string | undefined {
  const { nowSeconds } = input;
  if (!Number.isFinite(reach.first) || !Number.isFinite(reach.last)) return undefined;
  const from = reach.first * secondsPerDay;
  if (reach.last >= Math.floor(nowSeconds / secondsPerDay))
    return `during ${Math.ceil((nowSeconds - from) / secondsPerDay)}d`;
  return `between ${formatEpochSeconds(from)} and ${formatEpochSeconds(reach.last * secondsPerDay)}`;
}

/** The end of a window as `between` reads it: a bare date is that day's last second. */
function formatWindowEnd(seconds: number): string {
  return (seconds + 1) % secondsPerDay === 0
    ? formatEpochSeconds(seconds + 1 - secondsPerDay)
    : formatEpochSeconds(seconds, { alwaysTime: true });
}

function atomSpans(logic: Logic, fieldName: string): Span[] {
  switch (logic.kind) {
    case "atom":
      return logic.criterion.fieldName === fieldName ? [logic.span] : [];
    case "not":
      return atomSpans(logic.operand, fieldName);
    default:
      return logic.operands.flatMap((operand) => atomSpans(operand, fieldName));
  }
}
