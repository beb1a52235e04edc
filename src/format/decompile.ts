import { requestFlagNames, type Criterion, type RequestFlagName } from "../check/checkedQuery.js";
import { builtinFields, type CustomFields } from "../check/fieldCatalog.js";
import {
  campaignActions,
  confirmedUserTypes,
  fieldTypes,
  isFieldless,
  takesNoOperand,
  unconfirmedUserTypes,
  type FieldType,
} from "../language/vocabulary.js";
import { formatEpochSeconds, isWritableEpochSeconds } from "../check/time.js";
import { compile } from "../compile.js";
import { defaultRequestFlags } from "../emit/emit.js";
import {
  ContactActivityRequestSchema,
  type ContactActivityCriterion,
  type ContactActivityRequest,
} from "../emit/payloadSchema.js";
import { printCriterion } from "../check/printCriterion.js";
import { printFieldName, printString } from "../parser/printer.js";
import { isSentExactly, printNumber } from "../parser/printNumber.js";

export interface DecompileResult {
  /** The oq query, when the request can be written in oq. */
  source?: string;
  /** Errors: why the request cannot be written in oq without changing its meaning (then there is no source). */
  problems: string[];
  /**
   * Warnings, beside a source: what the query does not carry over. Compiling it sends the same
   * criteria, window and columns, but not these parts of the request.
   */
  warnings: string[];
}

export interface DecompileOptions {
  /**
   * The list's custom fields, as `compile` takes them. The query is checked against exactly
   * these (a field the request names and they lack is an error). Without them, the request's
   * own types stand in, and a warning names the fields the query needs a schema for.
   */
  fields?: CustomFields;
}

const knownKeys = {
  request: ["title", "include_behavior", "filters", "combined_as_and", "selected_fields", "favorite"],
  filters: ["criteria", "type", "user_type", "from_date", "to_date"],
  criterion: ["field_name", "type", "operator", "operand", "case_sensitive", "condition"],
} as const;

/** Collects what cannot be carried over, and the parts of the request each is about. */
class Findings {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];
  /** Paths ("filters.criteria.0.operand") a warning already speaks of. */
  readonly warnedPaths: string[] = [];

  warn(path: string, message: string): void {
    this.warnings.push(message);
    this.warnedPaths.push(path);
  }
}

/**
 * A contact_activity request body -> an oq query that compiles back to the same request. What
 * would change the report's meaning (mixed and/or lists, values oq cannot write exactly) is an
 * error and gives no query; what the query leaves out (keys oq does not know, such as list_id or
 * filters.type) is a warning beside it. Every query is compiled before it is handed back, and
 * any other difference from the request is an error: a decompiled query never means something
 * the request did not.
 */
export function decompile(request: unknown, options: DecompileOptions = {}): DecompileResult {
  const parsed = ContactActivityRequestSchema.safeParse(request);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((issue) => `${issue.path.join(".") || "request"}: ${issue.message}`),
      warnings: [],
    };
  }
  const body = parsed.data;
  const findings = new Findings();
  warnUnknownKeys(request as Record<string, unknown>, findings);
  // Any other key the schema does not keep, at any depth (inside a campaign operand, say).
  for (const path of keysLeftOut(request, body, "")) {
    if (!findings.warnedPaths.includes(path))
      findings.warn(path, `the key ${path} is not carried over: oq does not know it and never sends it`);
  }

  const { criteria } = body.filters;
  const combinators = new Set(criteria.map((criterion) => criterion.condition));
  const combinator = criteria.length === 1 ? "and" : criteria[0]!.condition;
  if (combinators.size > 1)
    findings.problems.push(
      "the criteria mix 'and' and 'or', whose meaning Ongage does not document; oq cannot write that",
    );
  if (criteria.length === 1 && criteria[0]!.condition === "or") {
    findings.warn(
      "filters.criteria.0.condition",
      `criterion 1 is the only one and has condition "or"; oq sends a lone criterion with "and", which reads the same`,
    );
  }
  const printed = criteria.map((criterion, index) =>
    printOne(criterion, index, combinator, criteria.length === 1, findings),
  );

  const title = body.title.trim();
  if (title === "") findings.problems.push("the title is only spaces; oq needs a title");
  else if (title !== body.title)
    findings.warn("title", "the title has spaces around it, which oq does not send");
  const userType = body.filters.user_type ?? "all";
  if (body.filters.user_type === undefined)
    findings.warn("filters.user_type", 'the request has no user_type; oq always sends one, "all"');
  if (![...confirmedUserTypes, ...unconfirmedUserTypes].includes(userType as never))
    findings.problems.push(`oq has no 'users ${userType}'`);
  const { from_date: from, to_date: to } = body.filters;
  if (from === undefined || to === undefined)
    findings.problems.push("the request has no from_date/to_date window; oq always sends one");
  else if (!isWritableEpochSeconds(to))
    findings.problems.push(`to_date ${to} is after the year 9999, which oq cannot write`);
  if (new Set(body.selected_fields).size !== body.selected_fields.length)
    findings.warn("selected_fields", "selected_fields names a field twice; oq selects each once");
  if (body.favorite === false)
    findings.warn("favorite", "favorite is false, Ongage's default, which oq leaves out");
  if (findings.problems.length > 0) return { problems: findings.problems, warnings: findings.warnings };

  const lines = [`title ${printString(title)}`, printed.join(` ${combinator} `)];
  // A bare date closing a window means the end of that day, so the end is always written in full.
  lines.push(`between ${formatEpochSeconds(from!)} and ${formatEpochSeconds(to!, { alwaysTime: true })}`);
  lines.push(`users ${userType}`);
  lines.push(`select ${body.selected_fields.map(printFieldName).join(", ")}`);
  if (body.favorite) lines.push("favorite");
  const flags = flagsClause(body);
  if (flags) lines.push(flags);
  const source = `${lines.join("\n")}\n`;

  if (!options.fields) {
    const custom = customFieldsNamed(body);
    if (custom.length > 0) {
      findings.warnings.push(
        `${custom.join(", ")} ${custom.length === 1 ? "is not a built-in field" : "are not built-in fields"}: the query compiles only with a field schema that has ${custom.length === 1 ? "it" : "them"} (--schema FILE, OQ_SCHEMA or oq.config.json)`,
      );
    }
  }
  const problems = compareWithCompiled(source, body, findings, options.fields);
  return problems.length > 0
    ? { problems, warnings: findings.warnings }
    : { source, problems: [], warnings: findings.warnings };
}

/**
 * include_behavior and combined_as_and as the request has them. Both true is what oq sends by
 * default and needs no clause; anything else (false, or left out as in the reference page's
 * active-gmail example) is written as a `flags` clause, so the query sends exactly the same.
 */
function flagsClause(body: ContactActivityRequest): string | undefined {
  const present = requestFlagNames.filter((name) => body[name] !== undefined);
  if (requestFlagNames.every((name) => body[name] === defaultRequestFlags[name])) return undefined;
  if (present.length === 0) return "flags none";
  return `flags ${present.map((name: RequestFlagName) => (body[name] ? name : `${name} = false`)).join(", ")}`;
}

function warnUnknownKeys(request: Record<string, unknown>, findings: Findings): void {
  for (const key of Object.keys(request)) {
    if ((knownKeys.request as readonly string[]).includes(key)) continue;
    if (key === "list_id") {
      findings.warn(
        key,
        `list_id ${JSON.stringify(request[key])} is not carried over: oq sends a report to the list of its connection (--list-id, ONGAGE_LIST_ID or "listId" in oq.config.json)`,
      );
    } else
      findings.warn(
        key,
        `the request's key '${key}' is not carried over: oq does not know it and never sends it`,
      );
  }
  const filters = request["filters"] as Record<string, unknown>;
  for (const key of Object.keys(filters)) {
    if (key === "type") {
      findings.warn(
        "filters.type",
        `filters.type ${JSON.stringify(filters[key])} is not carried over: the reference page lists it without saying what it does, and oq never sends it`,
      );
    } else if (!(knownKeys.filters as readonly string[]).includes(key)) {
      findings.warn(
        `filters.${key}`,
        `the key filters.${key} is not carried over: oq does not know it and never sends it`,
      );
    }
  }
  (filters["criteria"] as Record<string, unknown>[]).forEach((criterion, index) => {
    for (const key of Object.keys(criterion)) {
      if (!(knownKeys.criterion as readonly string[]).includes(key)) {
        findings.warn(
          `filters.criteria.${index}.${key}`,
          `the key '${key}' of criterion ${index + 1} is not carried over: oq does not know it and never sends it`,
        );
      }
    }
  });
}

/** Paths of the keys in `raw` that the schema's parse (`kept`) left out, at any depth. */
function keysLeftOut(raw: unknown, kept: unknown, path: string): string[] {
  if (Array.isArray(raw) && Array.isArray(kept))
    return raw.flatMap((item, index) => keysLeftOut(item, kept[index], `${path}${path ? "." : ""}${index}`));
  if (
    !raw ||
    typeof raw !== "object" ||
    !kept ||
    typeof kept !== "object" ||
    Array.isArray(raw) ||
    Array.isArray(kept)
  )
    return [];
  return Object.keys(raw).flatMap((key) => {
    const inner = `${path}${path ? "." : ""}${key}`;
    return Object.hasOwn(kept, key)
      ? keysLeftOut((raw as Record<string, unknown>)[key], (kept as Record<string, unknown>)[key], inner)
      : [inner];
  });
}

/** `alone`: the only criterion, so an `or` chain of its own reads the same. */
function printOne(
  criterion: ContactActivityCriterion,
  index: number,
  combinator: "and" | "or",
  alone: boolean,
  findings: Findings,
): string {
  const where = `criterion ${index + 1} (${criterion.field_name})`;
  const path = `filters.criteria.${index}.operand`;
  const values = Array.isArray(criterion.operand) ? criterion.operand : criterion.operand.mailing_ids;
  const isEmptyTest = takesNoOperand(criterion.operator);
  const converted: Criterion = {
    fieldName: criterion.field_name,
    type: criterion.type,
    operator: criterion.operator,
    values: isEmptyTest
      ? []
      : values.map((value) => writableValue(criterion.type, value, `${where}`, path, findings)),
    caseSensitive: criterion.case_sensitive === 1,
  };
  if (isEmptyTest && !(values.length === 1 && values[0] === ""))
    findings.warn(
      path,
      `${where}: the operand of '${criterion.operator}' is sent as [""], as known clients send it`,
    );
  if (converted.caseSensitive && criterion.type !== "string" && criterion.type !== "email") {
    findings.problems.push(`${where}: case sensitivity on a ${criterion.type} field cannot be written in oq`);
  }
  if (isFieldless(criterion.type) && criterion.operator === "!=" && values.length > 1) {
    // `not in segment [1, 2]` means in neither; this criterion means "not in 1, or not in 2",
    // which oq writes as an `or` chain (the comparison with the compiled request says whether
    // oq sends that back as this one criterion).
    const chain = converted.values
      .map((value) => printCriterion({ ...converted, values: [value] }))
      .join(" or ");
    return combinator === "or" || alone ? chain : `(${chain})`;
  }
  if (criterion.type === "segment" && criterion.field_name !== "segment") {
    findings.problems.push(`${where}: a segment criterion's field_name must be "segment"`);
  }
  if (
    criterion.type === "behavioral" &&
    !(campaignActions as readonly string[]).includes(criterion.field_name)
  ) {
    findings.problems.push(
      `${where}: oq knows the campaign actions sent, opened and clicked, not '${criterion.field_name}'`,
    );
  }
  return printCriterion(converted);
}

/**
 * One operand value as the criterion printer takes it: numbers for numeric and date fields,
 * text for the rest (ids included, as oq sends them). A value of the other kind (an id sent as
 * a number, a number sent as text) is written as oq would send it, with a warning.
 */
function writableValue(
  type: ContactActivityCriterion["type"],
  value: string | number,
  where: string,
  path: string,
  findings: Findings,
): string | number {
  if (type === "numeric") {
    const number = typeof value === "number" ? value : Number(value);
    if (!isSentExactly(printNumber(number), number)) {
      findings.problems.push(
        `${where}: the number ${printNumber(number)} cannot be written exactly in oq (a JSON number carries it as ${JSON.stringify(number)})`,
      );
    } else if (typeof value === "string")
      findings.warn(
        path,
        `${where}: the number ${printString(value)} is sent as text; oq sends the number ${printNumber(number)}`,
      );
    return number;
  }
  if (type === "date") {
    const seconds = typeof value === "number" ? value : Number(value);
    if (!isWritableEpochSeconds(seconds))
      findings.problems.push(
        `${where}: the date ${value} is outside the years 0000-9999, which oq can write`,
      );
    else if (typeof value === "string")
      findings.warn(
        path,
        `${where}: the date ${printString(value)} is sent as text; oq sends the number ${seconds}`,
      );
    return seconds;
  }
  if (typeof value === "number") {
    const text = printNumber(value);
    findings.warn(
      path,
      `${where}: ${text} is sent as a number; oq sends ${type === "string" || type === "email" ? "text" : "ids"} as text, ${printString(text)}`,
    );
    return text;
  }
  return value;
}

/** The fields the request names that are not built in, in order of appearance. */
function customFieldsNamed(body: ContactActivityRequest): string[] {
  const builtin = new Set(builtinFields.map((field) => field.name));
  const named = [
    ...body.filters.criteria
      .filter((criterion) => !isFieldless(criterion.type))
      .map((criterion) => criterion.field_name),
    ...body.selected_fields,
  ];
  return [...new Set(named.filter((name) => !builtin.has(name)))];
}

/**
 * The query compiled, compared with the request (key order aside), with the caller's custom
 * fields. Without them, fields the request types that oq does not know are taken as custom
 * fields of those types, so that the comparison is about the query, not about a missing field
 * schema (decompile warns that one is needed).
 */
function compareWithCompiled(
  source: string,
  body: ContactActivityRequest,
  findings: Findings,
  customFields: CustomFields | undefined,
): string[] {
  const builtin = new Set(builtinFields.map((field) => field.name));
  const fields: Record<string, FieldType> = {};
  if (customFields) Object.assign(fields, customFields);
  else {
    for (const criterion of body.filters.criteria) {
      if (!builtin.has(criterion.field_name) && (fieldTypes as readonly string[]).includes(criterion.type))
        fields[criterion.field_name] = criterion.type as FieldType;
    }
    for (const name of body.selected_fields)
      if (!builtin.has(name) && !(name in fields)) fields[name] = "string";
  }
  const compiled = compile(source, { fields, now: 0 });
  if (!compiled.ok) {
    const errors = compiled.diagnostics
      .filter((diagnostic) => diagnostic.severity === "error")
      .map((diagnostic) => diagnostic.message);
    return [`oq cannot write this request: the query it would be does not compile (${errors.join("; ")})`];
  }
  const differences = differencesBetween(body, compiled.payload!, "").filter(
    (path) => !findings.warnedPaths.some((warned) => path === warned || path.startsWith(`${warned}.`)),
  );
  return differences.map(
    (path) =>
      `oq cannot write this request exactly: at ${path || "the top"} it has ${brief(valueAt(body, path))}, and the query would send ${brief(valueAt(compiled.payload, path))}`,
  );
}

function valueAt(value: unknown, path: string): unknown {
  return path === ""
    ? value
    : path
        .split(".")
        .reduce<unknown>(
          (inner, key) =>
            inner && typeof inner === "object" ? (inner as Record<string, unknown>)[key] : undefined,
          value,
        );
}

function brief(value: unknown): string {
  const text = value === undefined ? "nothing" : JSON.stringify(value);
  return text.length <= 120 ? text : `${text.slice(0, 117)}...`;
}

/** Paths where `a` and `b` differ, key order aside (at most a few). */
function differencesBetween(a: unknown, b: unknown, path: string): string[] {
  const join = (key: string | number) => (path === "" ? String(key) : `${path}.${key}`);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [path];
    return a.flatMap((item, index) => differencesBetween(item, b[index], join(index))).slice(0, 3);
  }
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys]
      .flatMap((key) =>
        differencesBetween(
          (a as Record<string, unknown>)[key],
          (b as Record<string, unknown>)[key],
          join(key),
        ),
      )
      .slice(0, 3);
  }
  return Object.is(a, b) ? [] : [path];
}
