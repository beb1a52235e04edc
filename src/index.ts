/**
 * oq as a library: compile queries into Ongage contact-activity requests.
 *
 *     import { compile, formatDiagnostics } from "oq";
 *     const result = compile('email ends "gmail.com" and opens >= 3 during 30d');
 *     if (result.payload) await post(result.payload);
 *     else console.error(formatDiagnostics(result));
 */
export {
  compile,
  compileFilter,
  parse,
  check,
  normalize,
  emit,
  plan,
  formatDiagnostics,
  type CompileOptions,
  type CompileResult,
  type CompileFilterResult,
  type ParseResult,
  type CheckResult,
  type NormalizeResult,
  type PlanResult,
} from "./compile.js";
export type { ParamValue, BoundParameter } from "./check/parameters.js";
export { format, type FormatResult } from "./format/format.js";
export { decompile, type DecompileOptions, type DecompileResult } from "./format/decompile.js";
// Two kinds of criterion: ContactActivityCriterion is one entry of the request's JSON
// (`filters.criteria[i]`, snake_case, as Ongage reads it); CheckedCriterion is one criterion of a
// CheckedQuery's condition or a NormalizedQuery's filter, before emit writes it as JSON.
export {
  ContactActivityRequestSchema,
  ContactActivityCriterionSchema,
  type ContactActivityRequest,
  type ContactActivityCriterion,
} from "./emit/payloadSchema.js";
export { QueryPlanSchema, ContactSetSchema, type QueryPlan, type ContactSet } from "./emit/planSchema.js";
export type {
  CheckedQuery,
  NormalizedQuery,
  Logic as CheckedCondition,
  Criterion as CheckedCriterion,
  FlatCriteria,
  TimeWindow,
} from "./check/checkedQuery.js";
export { builtinFields, type FieldInfo, type CustomFields } from "./check/fieldCatalog.js";
export { parseFieldSchema, FieldSchemaFile, type FieldSchemaResult } from "./check/fieldSchema.js";
export { queryDefaults as defaults, type FieldType } from "./language/vocabulary.js";
export { defaultRequestFlags, type RequestFlags } from "./emit/emit.js";
export type { Diagnostic, Severity, Suggestion } from "./diagnostics/diagnostic.js";
export { renderDiagnostic, renderDiagnostics, type RenderOptions } from "./diagnostics/render.js";
export { SourceText, type Span, type Position } from "./diagnostics/source.js";
export { diagnosticToJson, type DiagnosticJson } from "./diagnostics/json.js";
export { defaultLimits, type Limits } from "./language/limits.js";
export { readingNames, type ReadingName, type Findings } from "./language/readings.js";
export type * as Ast from "./parser/ast.js";
export { explain, type Explanation, type ExplainResult } from "./explain/explain.js";
export type { ConditionExplanation, ConditionPart } from "./explain/condition.js";
export type { WindowExplanation } from "./explain/window.js";
export type { ValueExplanation } from "./explain/values.js";
