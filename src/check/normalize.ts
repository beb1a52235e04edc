import type { DiagnosticCollector } from "../diagnostics/diagnostic.js";
import { joinSpans, type SourceText, type Span } from "../diagnostics/source.js";
import { printCriterion } from "./printCriterion.js";
import type { CheckedQuery, Criterion, FlatCriteria, NormalizedQuery } from "./checkedQuery.js";
import { warnAboutWindowCoverage } from "./windowCoverage.js";
import { oqSpelling } from "./operators.js";
import { criterionKey } from "./logic/criterionKey.js";
import { mergeable, mergeAlternatives } from "./logic/mergeAlternatives.js";
import {
  oppositeCriteria,
  outsideRange,
  type Negation,
  type NegationNormalForm,
  type Term,
} from "./logic/negationNormalForm.js";
import {
  fieldCanBeEmpty,
  isFieldless,
  isNegatedListOperator,
  takesNoOperand,
} from "../language/vocabulary.js";

/*
 * Ongage takes a flat list of criteria, each marked "and" or "or", and does not document how
 * a list mixing the two is read. So oq only sends lists whose meaning does not depend on it:
 * all "and" or all "or". To get there it takes the condition with `not` pushed down to the
 * criteria (logic/negationNormalForm.ts), flattens nested and/or, drops what is exactly
 * redundant (`a and a`, `a or (a and b)`: idempotence and absorption hold in the three-valued
 * logic of docs/semantics.md too), and merges `or`-ed criteria on the same field and operator
 * into one criterion with several values (logic/mergeAlternatives.ts).
 * Whatever still mixes and/or is refused.
 */

/**
 * A term of the negation normal form: what normalise simplifies and flattens. A negated
 * criterion (`not ends`) is a leaf the warnings pass over; flatten then refuses it (OQ240).
 */
type Form = Term;

type Atom = Extract<Form, { kind: "atom" }>;
type Compound = Extract<Form, { kind: "and" | "or" }>;

const maxAlternativesShown = 6;

/** Absorption between two compound operands is a pairwise test; past this many it is skipped. */
const maxCompoundsCompared = 64;

/**
 * The normalise stage: a checked query, its condition in negation normal form -> the same query
 * with its condition as one flat list, and the warning only that list can give (OQ233, an
 * activity date outside the report's window; skipped when the caller sets the window, as
 * compileFilter's does). Undefined when the condition cannot be flattened; every problem is
 * reported to `diagnostics`.
 */
export function normalizeQuery(
  checked: CheckedQuery,
  condition: NegationNormalForm,
  source: SourceText,
  diagnostics: DiagnosticCollector,
  windowSetByCaller = false,
): NormalizedQuery | undefined {
  const filter = flatten(condition, diagnostics);
  if (!filter) return undefined;
  return withFilter(checked, filter, source, diagnostics, windowSetByCaller);
}

/**
 * A checked query with its condition as `filter`: what normalise hands to emit, and the
 * warning only a flat list can give (OQ233). Also for a plan that turns out to be one report.
 */
export function withFilter(
  checked: CheckedQuery,
  filter: FlatCriteria,
  source: SourceText,
  diagnostics: DiagnosticCollector,
  windowSetByCaller = false,
): NormalizedQuery {
  const { condition, window, nowSeconds, windowClauseSpan } = checked;
  if (!windowSetByCaller) {
    warnAboutWindowCoverage(
      { filter, logic: condition, window, nowSeconds, windowClauseSpan, source },
      diagnostics,
    );
  }
  const normalized: NormalizedQuery = {
    title: checked.title,
    filter,
    window,
    userType: checked.userType,
    selectedFields: checked.selectedFields,
    favorite: checked.favorite,
  };
  if (checked.requestFlags) normalized.requestFlags = checked.requestFlags;
  if (checked.parameters) normalized.parameters = checked.parameters;
  return normalized;
}

function flatten(condition: NegationNormalForm, diagnostics: DiagnosticCollector): FlatCriteria | undefined {
  for (const { criterion, negatedBy } of condition.withoutOpposite)
    reportNoInverse(criterion, negatedBy, diagnostics);
  const keys = new Map<Form, string>();
  const simplified = simplify(condition.term, keys);
  // The warnings about meaning come whether or not one list can say the condition: a plan runs
  // what flatten refuses (OQ240, OQ241), and must keep them (issue 19).
  warnEmptyLeftOut(leftOutByNot(condition.negations), simplified, diagnostics);
  const merges: NegatedMerge[] = [];
  const form = mergeOrs(simplified, keys, merges);
  for (const merge of merges) warnNegatedMerge(merge, diagnostics);
  if (condition.withoutOpposite.length > 0) return undefined;
  if (form.kind === "atom") return { combinator: "and", criteria: [form.criterion] };
  if (form.kind === "negated") return undefined;
  const nested = form.operands.find((operand) => operand.kind !== "atom");
  if (!nested) {
    return {
      combinator: form.kind,
      criteria: form.operands.map((operand) => (operand as Extract<Form, { kind: "atom" }>).criterion),
    };
  }
  reportMixed(form, nested, diagnostics);
  return undefined;
}

/**
 * Negated comparisons that leave out contacts without a value (OQ231), one per `not` and
 * field (the last such comparison), in the order written.
 */
function leftOutByNot(negations: readonly Negation[]): ReadonlyMap<string, Negation> {
  if (negations.length === 0) return noNegations;
  const leftOut = new Map<string, Negation>();
  for (const negation of negations) {
    if (canBeUnknown(negation.criterion))
      leftOut.set(`${negation.negatedBy.start.offset}:${negation.criterion.fieldName}`, negation);
  }
  return leftOut;
}

const noNegations: ReadonlyMap<string, Negation> = new Map();

/** A comparison on a field that can be empty: for a contact without a value it is unknown, and so is its `not`. */
function canBeUnknown(criterion: Criterion): boolean {
  return fieldCanBeEmpty(criterion.type, criterion.fieldName) && !takesNoOperand(criterion.operator);
}

/** OQ231 for each negated comparison that leaves out contacts, unless `or FIELD is empty` takes them back. */
function warnEmptyLeftOut(
  leftOut: ReadonlyMap<string, Negation>,
  form: Form,
  diagnostics: DiagnosticCollector,
): void {
  if (leftOut.size === 0) return;
  const keptBack = emptyAlternatives(form);
  const keepable = new Map<string, boolean>();
  // How to keep a field's empty contacts is said once, on its first warning, not repeated.
  const advised = new Set<string>();
  for (const { criterion, negatedBy } of leftOut.values()) {
    if (keptBack.some(({ fields, span }) => fields.has(criterion.fieldName) && within(negatedBy, span)))
      continue;
    const field = printCriterion({ ...criterion, operator: "empty" }).replace(/ is empty$/, "");
    const hints = [
      `a contact with no ${field} matches neither '${printCriterion(criterion)}' nor its 'not': a comparison with an empty number or date is unknown (docs/semantics.md)`,
    ];
    if (!keepable.has(criterion.fieldName))
      keepable.set(criterion.fieldName, staysFlatWithEmpty(form, criterion, negatedBy));
    if (!advised.has(criterion.fieldName)) {
      if (keepable.get(criterion.fieldName))
        hints.push(`to keep those contacts, add at the end of the condition: or ${field} is empty`);
      else
        hints.push(
          `to keep them, write the negated '${printCriterion(criterion)}' as (${oppositeText(criterion)} or ${field} is empty); if one report cannot say the result, oq runs it as a plan ('oq plan' shows it)`,
        );
      advised.add(criterion.fieldName);
    }
    diagnostics.warning("OQ231", `'not' leaves out contacts whose ${field} is empty`, negatedBy, {
      label: `negates '${printCriterion(criterion)}'`,
      hints,
    });
  }
}

/**
 * The `or`s with `FIELD is empty` among their alternatives, which take back the contacts without
 * a FIELD that a `not` written inside them leaves out: the whole condition's `or` (span
 * undefined: everything is inside it), and, in a condition only a plan runs, nested ones.
 */
function emptyAlternatives(form: Form): { fields: Set<string>; span: Span | undefined }[] {
  const found: { fields: Set<string>; span: Span | undefined }[] = [];
  const visit = (part: Form, top: boolean) => {
    if (part.kind !== "and" && part.kind !== "or") return;
    if (part.kind === "or") {
      const fields = new Set(
        part.operands.flatMap((operand) =>
          operand.kind === "atom" && operand.criterion.operator === "empty"
            ? [operand.criterion.fieldName]
            : [],
        ),
      );
      if (fields.size > 0) found.push({ fields, span: top ? undefined : part.span });
    }
    for (const operand of part.operands) visit(operand, false);
  };
  visit(form, true);
  return found;
}

function within(inner: Span, outer: Span | undefined): boolean {
  return !outer || (outer.start.offset <= inner.start.offset && inner.end.offset <= outer.end.offset);
}

/** What `not CRITERION` means for a contact that has a value, in oq: `age >= 30` for `age < 30`. */
function oppositeText(criterion: Criterion): string {
  if (criterion.operator === "><") {
    const [below, above] = outsideRange(criterion);
    return `${printCriterion(below)} or ${printCriterion(above)}`;
  }
  const opposite = oppositeCriteria(criterion);
  if (!opposite) return `not ${printCriterion(criterion)}`;
  // not (age in [1, 2]) is age != 1 and age != 2.
  if (opposite.length === 1) return printCriterion(opposite[0]!);
  return `(${opposite.map((each) => printCriterion(each)).join(" and ")})`;
}

/**
 * Whether `CONDITION or FIELD is empty` still compiles to one flat list, tried by building it
 * (`or` binds loosest, so appending it to the condition's text means exactly this). Inside an
 * `and` chain it never does: the `or` would take the whole chain, not the negated comparison.
 */
function staysFlatWithEmpty(form: Form, criterion: Criterion, span: Span): boolean {
  if (form.kind === "and") return false;
  const empty: Atom = { kind: "atom", criterion: { ...criterion, operator: "empty", values: [] }, span };
  if (isFlat(form)) return true;
  const keys = new Map<Form, string>();
  return isFlat(mergeOrs(simplify({ kind: "or", operands: [form, empty], span }, keys), keys, []));
}

/** One criterion, or a list of criteria: what one request body says (a negated one it cannot). */
function isFlat(form: Form): boolean {
  if (form.kind === "atom") return true;
  if (form.kind === "negated") return false;
  return form.operands.every((operand) => operand.kind === "atom");
}

function reportNoInverse(criterion: Criterion, negatedBy: Span, diagnostics: DiagnosticCollector): void {
  const word = oqSpelling[criterion.operator];
  diagnostics.error("OQ240", `'not' cannot apply to '${word}' in one request body`, negatedBy, {
    label: `negates '${printCriterion(criterion)}'`,
    hints: [`Ongage has no operator for 'not ${word}', and oq does not approximate one`],
  });
}

/** Flattens nested and/or and drops redundant operands. `keys`: keyOf's cache, for this normalisation. */
function simplify(form: Form, keys: Map<Form, string>): Form {
  if (form.kind === "atom" || form.kind === "negated") return form;
  const flat: Form[] = [];
  for (const operand of form.operands.map((operand) => simplify(operand, keys))) {
    // A loop, not push(...operands): a spread of a million operands overflows the stack.
    if (operand.kind === form.kind) for (const inner of operand.operands) flat.push(inner);
    else flat.push(operand);
  }
  const operands = absorb(form.kind, withoutDuplicates(form.kind, flat, keys), keys);
  if (operands.length === 1) return operands[0]!;
  return { kind: form.kind, operands, span: form.span };
}

/**
 * The last step: criteria `or`-ed at any level merge. After simplify, whose keys are written
 * criteria. A merge can make an `and` repeat itself (`(s = 1 or s = 2) and s = [2, 1]`): that
 * goes too, so that the criteria compile back to themselves.
 */
function mergeOrs(form: Form, keys: Map<Form, string>, merges: NegatedMerge[]): Form {
  if (form.kind === "atom" || form.kind === "negated") return form;
  const operands = form.operands.map((operand) => mergeOrs(operand, keys, merges));
  if (form.kind === "or") merges.push(...negatedAlternatives(operands));
  const merged =
    form.kind === "or"
      ? mergeAlternatives(
          operands,
          (operand) => (operand.kind === "atom" ? operand.criterion : undefined),
          (operand, criterion): Form => ({ kind: "atom", criterion, span: operand.span }),
        )
      : withoutDuplicates("and", operands, keys);
  if (merged.length === 1) return merged[0]!;
  return { kind: form.kind, operands: merged, span: form.span };
}

/**
 * A key that two forms share exactly when they are the same condition up to the order of
 * and/or operands and of a criterion's values. Cached: a form is asked once per level.
 */
function keyOf(form: Form, cache: Map<Form, string>): string {
  let key = cache.get(form);
  if (key !== undefined) return key;
  if (form.kind === "atom") key = criterionKey(form.criterion);
  else if (form.kind === "negated") key = `not(${criterionKey(form.criterion)})`;
  else {
    key = `${form.kind}(${[...new Set(form.operands.map((operand) => keyOf(operand, cache)))].sort().join(",")})`;
  }
  cache.set(form, key);
  return key;
}

/**
 * `a and a` is `a`; `a or a` is `a` (idempotence). In an `or`, the criteria that merge are left
 * to mergeAlternatives, which drops their repeated values: that spares a key for each term of
 * a long `or` chain.
 */
function withoutDuplicates(kind: "and" | "or", operands: Form[], keys: Map<Form, string>): Form[] {
  if (allDifferentAtoms(operands)) return operands;
  // Only criteria on one field, or two compounds, can be the same: the rest need no key, which
  // spares the common case (a chain of criteria on different fields) building any.
  const atomsPerField = new Map<string, number>();
  let compounds = 0;
  for (const operand of operands) {
    if (operand.kind === "atom")
      atomsPerField.set(
        operand.criterion.fieldName,
        (atomsPerField.get(operand.criterion.fieldName) ?? 0) + 1,
      );
    else compounds++;
  }
  const seen = new Set<string>();
  return operands.filter((operand) => {
    if (operand.kind === "atom" ? atomsPerField.get(operand.criterion.fieldName) === 1 : compounds === 1)
      return true;
    if (kind === "or" && operand.kind === "atom" && mergeable(operand.criterion)) return true;
    const key = keyOf(operand, keys);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Operands each a criterion on a field of its own: none can repeat another (a short chain's test, without a Map). */
function allDifferentAtoms(operands: readonly Form[]): boolean {
  if (operands.length > 8) return false;
  for (let i = 0; i < operands.length; i++) {
    const operand = operands[i]!;
    if (operand.kind !== "atom") return false;
    for (let j = 0; j < i; j++)
      if ((operands[j] as Atom).criterion.fieldName === operand.criterion.fieldName) return false;
  }
  return true;
}

/**
 * Absorption: `a or (a and b)` is `a`, and `a and (a or b)` is `a`. Within an `or`, an `and`
 * operand goes when one of its parts is implied by the other operands: it is one of them, or an
 * `or` of some of them. It also goes when another `and` operand has only some of its parts.
 * (The same with `and` and `or` swapped.) These laws hold in Kleene's three-valued logic, where
 * `and` is the minimum and `or` the maximum of false < unknown < true. Operands are dropped one
 * at a time, each judged against those still there, so that two cannot justify each other.
 */
function absorb(kind: "and" | "or", operands: Form[], keys: Map<Form, string>): Form[] {
  const inner = kind === "or" ? "and" : "or";
  const compounds = operands.filter((operand): operand is Compound => operand.kind === inner);
  if (compounds.length === 0) return operands;
  const present = new Map<string, number>();
  for (const operand of operands) {
    const key = keyOf(operand, keys);
    present.set(key, (present.get(key) ?? 0) + 1);
  }
  const isPresent = (form: Form) => (present.get(keyOf(form, keys)) ?? 0) > 0;
  const impliedByOthers = (part: Form) =>
    isPresent(part) || (part.kind === kind && part.operands.every(isPresent));
  const absorbed = new Set<Form>();
  const drop = (compound: Compound) => {
    absorbed.add(compound);
    const key = keyOf(compound, keys);
    present.set(key, present.get(key)! - 1);
  };
  for (const compound of compounds) {
    if (compound.operands.some(impliedByOthers)) drop(compound);
  }
  if (compounds.length <= maxCompoundsCompared) {
    const parts = new Map(
      compounds.map((compound) => [compound, new Set(compound.operands.map((part) => keyOf(part, keys)))]),
    );
    for (const compound of compounds) {
      if (absorbed.has(compound)) continue;
      const own = parts.get(compound)!;
      const smaller = compounds.some((other) => {
        if (other === compound || absorbed.has(other)) return false;
        const otherParts = parts.get(other)!;
        return otherParts.size < own.size && [...otherParts].every((part) => own.has(part));
      });
      if (smaller) drop(compound);
    }
  }
  return absorbed.size === 0 ? operands : operands.filter((operand) => !absorbed.has(operand));
}

/** `or`-ed negated comparisons on one field (OQ230), in the order written. */
interface NegatedMerge {
  atoms: Atom[];
}

/**
 * `email != "a" or email != "b"` differs from the first or from the second: almost every contact.
 * Whether or not the criteria merge into one list (case sensitivity, segments and campaigns keep
 * them apart), the trap is the same, so it is found here, among the `or`-ed criteria of one
 * level. Only values that really differ count: `email != "a" or email != "a"` is just `!= "a"`.
 * A list written as one was warned about already (checker), so only single values take part.
 */
function negatedAlternatives(operands: Form[]): NegatedMerge[] {
  const groups = new Map<string, Atom[]>();
  for (const operand of operands) {
    if (
      operand.kind !== "atom" ||
      !isNegatedListOperator(operand.criterion.operator) ||
      operand.criterion.values.length !== 1
    )
      continue;
    const { fieldName, type, operator } = operand.criterion;
    const key = `${type} ${operator} ${fieldName}`;
    const group = groups.get(key);
    if (group) group.push(operand);
    else groups.set(key, [operand]);
  }
  return [...groups.values()].filter(differentValues).map((atoms) => ({ atoms }));
}

/**
 * Whether two of these criteria exclude different contacts, so that together they exclude no
 * one: two values that differ ignoring case, or differ at all when both are case sensitive.
 */
function differentValues(atoms: Atom[]): boolean {
  if (atoms.length < 2) return false;
  const text = atoms[0]!.criterion.type === "string" || atoms[0]!.criterion.type === "email";
  const ignoringCase = new Set<string>();
  const exact = new Set<string>();
  for (const { criterion } of atoms) {
    const value = String(criterion.values[0]);
    ignoringCase.add(text ? value.toLowerCase() : value);
    if (!text || criterion.caseSensitive) exact.add(value);
  }
  return ignoringCase.size > 1 || exact.size > 1;
}

function warnNegatedMerge({ atoms }: NegatedMerge, diagnostics: DiagnosticCollector): void {
  const first = atoms[0]!;
  const { criterion } = first;
  const values = [...new Set(atoms.map((atom) => atom.criterion.values[0]!))];
  const sameCase = atoms.every((atom) => atom.criterion.caseSensitive === criterion.caseSensitive);
  const oneList = sameCase && atoms.every((atom) => mergeable(atom.criterion));
  const membership = isFieldless(criterion.type);
  // oq's own words: 'not in segment', 'not opened campaign', '!=', 'not contains'.
  const word = membership ? printCriterion(criterion).replace(/ [^ ]+$/, "") : oqSpelling[criterion.operator];
  const reading = membership
    ? "a contact is left out only when it fails every one of them"
    : "this reads 'differs from the first, or from the second, ...'";
  let exclude = "to exclude all of the values join them with 'and'";
  if (sameCase && values.length <= maxAlternativesShown) {
    const together = printCriterion({
      ...criterion,
      operator: criterion.operator === "!=" ? "=" : "LIKE",
      values,
    });
    const field = printCriterion({ ...criterion, operator: "empty" }).replace(/ is empty$/, "");
    // `email not in [...]` where oq has the words; `not (...)` for the rest.
    const positive =
      criterion.operator === "!=" && !membership
        ? together.replace(`${field} = `, `${field} not in `)
        : `not (${together})`;
    exclude += `, or write: ${positive}`;
  }
  const when = membership ? "when it fails any one of them" : "when any one value differs";
  diagnostics.warning(
    "OQ230",
    `'${word}' joined with 'or' matches a contact ${when}, which is almost every contact`,
    joinSpans(first.span, atoms.at(-1)!.span),
    {
      hints: [
        oneList
          ? `'or' merges these into one list, and Ongage ORs the values of a list: ${reading}`
          : reading,
        exclude,
      ],
    },
  );
}

function printForm(form: Form, parent?: "and" | "or"): string {
  if (form.kind === "atom") return printCriterion(form.criterion);
  if (form.kind === "negated") return `not ${printCriterion(form.criterion)}`;
  const text = form.operands.map((operand) => printForm(operand, form.kind)).join(` ${form.kind} `);
  return parent && parent !== form.kind ? `(${text})` : text;
}

function reportMixed(
  form: Extract<Form, { kind: "and" | "or" }>,
  nested: Form,
  diagnostics: DiagnosticCollector,
): void {
  const hints = [
    "Ongage combines a flat list of criteria, all joined by 'and' or all by 'or'; how it reads a list that mixes them is not documented, so oq does not guess",
  ];
  hints.push(
    '\'or\' between conditions on the same field with the same operator is fine: they become one criterion, e.g. email ends ["gmail.com", "yahoo.com"]',
  );
  diagnostics.error(
    "OQ241",
    `this condition mixes 'and' and 'or', which one request body cannot say exactly`,
    nested.span,
    {
      label: `${nested.kind === "or" ? "an 'or'" : "an 'and'"} inside ${form.kind === "or" ? "an 'or'" : "an 'and'"}: ${printForm(nested)}`,
      hints,
    },
  );
}
