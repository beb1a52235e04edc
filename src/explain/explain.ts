import { requestFlagNames, type NormalizedQuery } from "../check/checkedQuery.js";
import { planStages, type CompileOptions } from "../compile.js";
import { describeContactSet } from "../plan/describePlan.js";
import { selectsEveryone, type LogicalPlan } from "../plan/planner.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../diagnostics/source.js";
import { defaultRequestFlags, emitRequest, type RequestFlags } from "../emit/emit.js";
import { queryDefaults } from "../language/vocabulary.js";
import { printFieldName, printString } from "../parser/printer.js";
import { printNumber } from "../parser/printNumber.js";
import type { ParamValue } from "../check/parameters.js";
import { explainCondition, type ConditionExplanation } from "./condition.js";
import { explainWindow, type WindowExplanation } from "./window.js";

/** A query in words, whole (`text`) and by parts; docs/explain.md describes each part. */
export interface Explanation {
  /** The whole query as one sentence, for reviewers. */
  text: string;
  title: string;
  /** `filters.user_type`, the contacts the report looks at. */
  users: { type: string; text: string };
  condition: ConditionExplanation;
  window: WindowExplanation;
  /** `selected_fields`: the report's columns; `isDefault` when the query does not choose them. */
  columns: { fields: string[]; isDefault: boolean; text: string };
  favorite: boolean;
  /**
   * include_behavior and combined_as_and as the request sends them (a flag left out is absent).
   * `text` only when they are not both true, what every known client sends.
   */
  requestFlags: { include_behavior?: boolean; combined_as_and?: boolean; text?: string };
  /** When the query runs as several reports: which reports' contacts it takes, and each report's condition. */
  plan?: { contacts: string; reports: ConditionExplanation[] };
  /** The query's parameters, their values and where each came from; absent when it has none. */
  parameters?: { name: string; value: ParamValue; source: string; text: string }[];
}

export interface ExplainResult {
  /** The explanation, when the query has no errors (warnings allowed). */
  explanation?: Explanation;
  /** The diagnostics of what runs: compile()'s for one report, plan()'s for a plan. */
  diagnostics: Diagnostic[];
  /** The source, for rendering the diagnostics (see formatDiagnostics). */
  source: SourceText;
  ok: boolean;
}

const userWords: Readonly<Record<string, string>> = {
  all: "all contacts",
  active: "active contacts",
  unsubscribed: "unsubscribed contacts",
  bounced: "bounced contacts",
  complaint: "contacts with a complaint",
};

/**
 * A query in plain English: the same checking as `compile` (same options, same diagnostics),
 * then the checked query, which is what the request says, in words. Dates are shown as dates,
 * whatever they were written as (`30d ago`, `today`).
 */
export function explain(text: string, options: CompileOptions = {}): ExplainResult {
  // What runs: one report, or a plan of several, with the diagnostics `oq plan` gives.
  const { checked, normalized, logical } = planStages("explain", text, options);
  const settings = { ...defaultRequestFlags, ...options.requestFlags };
  const result: ExplainResult = {
    diagnostics: normalized.diagnostics,
    source: normalized.source,
    ok: normalized.ok,
  };
  if (!normalized.ok || !checked) return result;
  // The "now" the window was worked out against, to tell whether it ends now.
  if (normalized.normalized)
    result.explanation = explainChecked(normalized.normalized, checked.nowSeconds, settings);
  else if (logical) {
    const { condition: _condition, nowSeconds, ...parts } = checked;
    const first = explainChecked({ ...parts, filter: logical.reports[0]! }, nowSeconds, settings);
    result.explanation = explainPlanned(first, logical);
  }
  return result;
}

/**
 * A plan's explanation: the one-report sentence, its condition replaced by which reports'
 * contacts are taken and what each report asks for.
 */
function explainPlanned(single: Explanation, logical: LogicalPlan): Explanation {
  const reports = logical.reports.map((filter) => explainCondition(filter));
  const contacts = describeContactSet(logical.combine);
  const each = reports
    .map((report, index) =>
      selectsEveryone(logical.reports[index]!)
        ? `report ${index + 1} has every contact`
        : `report ${index + 1} has those ${report.text}`,
    )
    .join("; ");
  const conditionText = `in ${contacts} (${each})`;
  const text = single.text.replace(
    `${single.users.text} ${single.condition.text}`,
    `${single.users.text} ${conditionText}`,
  );
  return {
    ...single,
    text: text.replace(/\.$/, `; runs as ${reports.length} reports, whose contacts oq combines (oq plan).`),
    condition: { combinator: "and", text: conditionText, parts: [] },
    plan: { contacts, reports },
  };
}

function explainChecked(query: NormalizedQuery, nowSeconds: number, settings: RequestFlags): Explanation {
  const users = {
    type: query.userType,
    text: userWords[query.userType] ?? `contacts of type ${query.userType}`,
  };
  const condition = explainCondition(query.filter);
  const window = explainWindow(query.window, nowSeconds);
  const isDefault =
    query.selectedFields.length === queryDefaults.selectedFields.length &&
    query.selectedFields.every((field, index) => field === queryDefaults.selectedFields[index]);
  const columns = {
    fields: query.selectedFields,
    isDefault,
    text: `${isDefault ? "the default columns" : "columns"}: ${query.selectedFields.map(printFieldName).join(", ")}`,
  };
  const requestFlags = explainRequestFlags(query, settings);
  const parameters = query.parameters?.map(({ name, value, source }) => ({
    name,
    value: value!,
    source: source!,
    text: `$${name} = ${printParamValue(value!)} (from ${source!})`,
  }));
  const sentence = [
    `Report ${printString(query.title)}: ${users.text} ${condition.text}, ${window.text}`,
    columns.text,
    ...(query.favorite ? ["marked as a favorite"] : []),
    ...(requestFlags.text ? [requestFlags.text] : []),
    ...(parameters ? [`parameters: ${parameters.map((parameter) => parameter.text).join(", ")}`] : []),
  ].join("; ");
  return {
    text: `${sentence}.`,
    title: query.title,
    users,
    condition,
    window,
    columns,
    favorite: query.favorite,
    requestFlags,
    ...(parameters ? { parameters } : {}),
  };
}

function printParamValue(value: ParamValue): string {
  const one = (item: string | number) => (typeof item === "number" ? printNumber(item) : printString(item));
  return Array.isArray(value)
    ? `[${(value as (string | number)[]).map(one).join(", ")}]`
    : one(value as string | number);
}

/** The flags as the request carries them: the emitter decides (a `flags` clause wins over settings). */
function explainRequestFlags(query: NormalizedQuery, settings: RequestFlags): Explanation["requestFlags"] {
  const request = emitRequest(query, settings);
  const flags: Explanation["requestFlags"] = {};
  if (request.include_behavior !== undefined) flags.include_behavior = request.include_behavior;
  if (request.combined_as_and !== undefined) flags.combined_as_and = request.combined_as_and;
  if (requestFlagNames.some((name) => flags[name] !== true)) {
    const each = requestFlagNames.map(
      (name) => `${name} ${flags[name] === undefined ? "left out" : String(flags[name])}`,
    );
    flags.text = `request flags ${each.join(", ")} (Ongage does not document what they change; known clients send both as true)`;
  }
  return flags;
}
