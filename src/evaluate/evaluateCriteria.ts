import type { ContactActivityCriterion, ContactActivityRequest } from "../emit/payloadSchema.js";
import { andForcingReading, type ReadingName } from "../language/readings.js";
import { secondsPerDay } from "../language/vocabulary.js";
import { digitsText } from "../language/numberText.js";
import type { EvaluationContact } from "./contact.js";

/*
 * What a criteria list means, as oq assumes it and as the sandbox implements it
 * (docs/semantics.md explains each rule and which are Ongage's documented behaviour):
 * - the values of one criterion are OR-ed: it holds when it holds for any value;
 * - text compares without regard to case unless case_sensitive is 1;
 * - dates compare by UTC day ("on", "before or on"), ranges include both ends;
 * - an empty text is the text "", so it matches `!=` and `NOT LIKE`;
 * - an empty number, id or date makes every comparison unknown, as NULL does in SQL: it matches
 *   no comparison, `!=` included, only `empty`. That is what keeps `not (age < 30)` and
 *   `age >= 30` the same for every contact.
 * Each reading of language/readings.ts that is played changes one of these rules, as it says.
 */

/** The alternative readings played (language/readings.ts); none: the documented reading. */
export type PlayedReadings = ReadonlySet<ReadingName>;

const documentedReading: PlayedReadings = new Set();

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === "";
}

function text(value: unknown, caseSensitive: boolean): string {
  const s = isEmpty(value) ? "" : String(value);
  return caseSensitive ? s : s.toLowerCase();
}

function day(seconds: number): number {
  return Math.floor(seconds / secondsPerDay);
}

function matchesText(operator: string, value: unknown, operand: string, caseSensitive: boolean): boolean {
  const subject = text(value, caseSensitive);
  const wanted = caseSensitive ? operand : operand.toLowerCase();
  switch (operator) {
    case "=":
      return subject === wanted;
    case "!=":
      return subject !== wanted;
    case "LIKE":
      return subject.includes(wanted);
    case "NOT LIKE":
      return !subject.includes(wanted);
    case "LIKE_":
      return subject.startsWith(wanted);
    case "_LIKE":
      return subject.endsWith(wanted);
    default:
      return false;
  }
}

function matchesOrdered(operator: string, value: number, operand: number): boolean {
  switch (operator) {
    case "=":
      return value === operand;
    case "!=":
      return value !== operand;
    case "<":
      return value < operand;
    case "<=":
      return value <= operand;
    case ">":
      return value > operand;
    case ">=":
      return value >= operand;
    default:
      return false;
  }
}

/**
 * Ids are text, matched exactly; `<`, `between` and the like order whole-number ids exactly
 * (as big integers, so 9007199254740993 is not 9007199254740992), and nothing else.
 */
function matchesId(
  operator: string,
  subject: string,
  operands: string[],
  anyOrEvery: (values: readonly string[], test: (value: string) => boolean) => boolean,
): boolean {
  if (operator === "=") return operands.includes(subject);
  if (operator === "!=") return anyOrEvery(operands, (operand) => operand !== subject);
  if (!digitsText.test(subject) || !operands.every((operand) => digitsText.test(operand))) return false;
  const [value, ...bounds] = [subject, ...operands].map(BigInt);
  if (operator === "><") return bounds[0]! <= value! && value! <= bounds[1]!;
  return bounds.some((bound) => matchesOrdered(operator, Number(value! - bound), 0));
}

/** Operators that say "not": with several values, none-of-list makes them hold for every value. */
const negativeOperators = new Set(["!=", "NOT LIKE"]);

function matchesCriterion(
  criterion: ContactActivityCriterion,
  contact: EvaluationContact,
  readings: PlayedReadings,
): boolean {
  const { type, operator, operand } = criterion;
  // The values of a criterion are OR-ed; none-of-list: a negative operator's are AND-ed.
  const anyOrEvery = <T>(values: readonly T[], test: (value: T) => boolean) =>
    readings.has("none-of-list") && negativeOperators.has(operator) ? values.every(test) : values.some(test);
  if (type === "segment") {
    const ids = (operand as (string | number)[]).map(String);
    return anyOrEvery(ids, (id) => (operator === "=" ? contact.segments.has(id) : !contact.segments.has(id)));
  }
  if (type === "behavioral") {
    const ids = Array.isArray(operand) ? operand.map(String) : operand.mailing_ids;
    const done = contact.mailings[criterion.field_name as keyof EvaluationContact["mailings"]];
    if (!done) return false;
    // sent-not-opened: not opening (or clicking) a mailing is said only of those it was sent.
    const wasSent = (id: string) =>
      !readings.has("sent-not-opened") || criterion.field_name === "sent" || contact.mailings.sent.has(id);
    return anyOrEvery(ids, (id) => (operator === "=" ? done.has(id) : !done.has(id) && wasSent(id)));
  }

  let value = contact.fields[criterion.field_name];
  if (operator === "empty") return isEmpty(value);
  if (operator === "notempty") return !isEmpty(value);
  const values = operand as (string | number)[];

  if (type === "string" || type === "email") {
    // null-text: an empty text is unknown, as NULL, and unknown never matches.
    if (readings.has("null-text") && isEmpty(value)) return false;
    return anyOrEvery(values, (v) => matchesText(operator, value, String(v), criterion.case_sensitive === 1));
  }
  // empty-as-zero: an empty number is 0, an empty date the epoch.
  if (isEmpty(value) && readings.has("empty-as-zero") && (type === "numeric" || type === "date")) value = 0;
  // numeric, id, date: an empty value is unknown, and unknown never matches.
  if (isEmpty(value)) return false;
  if (type === "id") return matchesId(operator, String(value), values.map(String), anyOrEvery);
  const subject = Number(value);
  const scale = type === "date" ? day : (n: number) => n;
  if (operator === "><") {
    const [low, high] = values.map(Number);
    return scale(low!) <= scale(subject) && scale(subject) <= scale(high!);
  }
  return anyOrEvery(values, (v) => matchesOrdered(operator, scale(subject), scale(Number(v))));
}

/**
 * Whether a contact matches a criteria list. A list that mixes "and" and "or" (oq never sends
 * one) is read with 'and' binding tighter, each criterion joined to the one before it.
 */
export function matchesCriteria(
  criteria: readonly ContactActivityCriterion[],
  contact: EvaluationContact,
  readings: PlayedReadings = documentedReading,
  /** Every criterion joined by AND, whatever its `condition` (forced-and). */
  allAnd = false,
): boolean {
  let anyGroup = false;
  let group = true;
  criteria.forEach((criterion, index) => {
    if (index > 0 && criterion.condition === "or" && !allAnd) {
      anyGroup ||= group;
      group = true;
    }
    group &&= matchesCriterion(criterion, contact, readings);
  });
  return anyGroup || group;
}

/**
 * Whether a contact matches a request: its user type and its criteria. Under forced-and (and
 * forced-and-false, forced-and-absent for the other values of the flag) the request's
 * `combined_as_and` joins the criteria all by AND; otherwise each criterion's `condition` is in
 * force (matchesCriteria). The user type applies to the whole report; under users-or it is one
 * more alternative of a list read as `or`.
 */
export function matchesRequest(
  request: Pick<ContactActivityRequest, "filters" | "combined_as_and">,
  contact: EvaluationContact,
  readings: PlayedReadings = documentedReading,
): boolean {
  const { criteria, user_type: userType } = request.filters;
  const forced = readings.has(andForcingReading(request.combined_as_and));
  const ofUserType =
    userType === undefined || userType === "all" || contact.fields["ocx_status"] === userType;
  const matches = matchesCriteria(criteria, contact, readings, forced);
  const orList = !forced && criteria.length > 1 && criteria.slice(1).every((c) => c.condition === "or");
  if (readings.has("users-or") && orList && userType !== undefined && userType !== "all")
    return ofUserType || matches;
  return ofUserType && matches;
}
