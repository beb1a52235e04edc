import { quickFixes, type QuickFix } from "../assist/quickFixes.js";
import type { CustomFields } from "../check/fieldCatalog.js";
import { parseFieldSchema } from "../check/fieldSchema.js";
import { plan, type CompileOptions } from "../compile.js";
import { renderDiagnostic, summarize } from "../diagnostics/render.js";
import type { Severity } from "../diagnostics/diagnostic.js";
import { explain } from "../explain/explain.js";
import { planHeading } from "../plan/describePlan.js";
import { resolveNow } from "../validateOptions.js";
import { SampleContactSource, sampleContacts, type SampleContacts } from "./sampleContacts.js";

/*
 * Everything the page's panes show for one text and its settings, worked out in one place and
 * without the DOM (so that the unit tests and the benchmark read it as the page does):
 * the diagnostics as `oq check` prints them (plan(): the query as `oq run` takes it, which is
 * what assist's diagnose() reports), the request body as `oq compile` prints it or the plan as
 * `oq plan --json` prints it, `oq explain`'s words, and the sample contacts.
 */

/** The name the page gives the query: diagnostics show it, and it is the report's default title. */
export const playgroundFileName = "query.oq";

/** The page's settings, as their controls hold them. */
export interface PlaygroundSettings {
  /** The "now" control: an ISO 8601 time, or empty for the clock. */
  now: string;
  /** The field schema: a fields.json's text, or empty for none. */
  schema: string;
}

export interface Problem {
  severity: Severity;
  /** What `oq check` prints for it: the message, the line and its caret, the help lines. */
  text: string;
  /** The span it marks, in UTF-16 offsets. */
  from: number;
  to: number;
  message: string;
  fixes: QuickFix[];
}

export interface Analysis {
  problems: Problem[];
  /** `oq check`'s closing count ("1 error, 2 warnings"), empty when there is no problem. */
  summary: string;
  /** What is wrong with the settings themselves (the clock, the schema): nothing is compiled then. */
  settingsProblems: string[];
  /** The request body, or the plan (a heading of how its contacts combine, then its JSON). */
  body: string;
  explanation: string;
  samples?: SampleContacts;
  /** The custom fields read from the schema, for completion. */
  fields?: CustomFields;
}

/** How many sample rows the pane shows. */
const shownRows = 10;

/** The settings as compile options, or what is wrong with them. */
function compileOptionsOf(
  settings: PlaygroundSettings,
  clock: () => number,
): { options: CompileOptions & { now: number }; problems: string[] } {
  const problems: string[] = [];
  let now = Math.floor(clock() / 1000);
  if (settings.now.trim() !== "") {
    try {
      now = resolveNow(settings.now);
    } catch (error) {
      problems.push(
        (error as Error).message.replace("invalid 'now' option", "the clock ('now') is not a time"),
      );
    }
  }
  let fields: CustomFields | undefined;
  if (settings.schema.trim() !== "") {
    let json: unknown;
    try {
      json = JSON.parse(settings.schema);
    } catch (error) {
      problems.push(`the field schema is not JSON: ${(error as Error).message}`);
    }
    if (json !== undefined) {
      const read = parseFieldSchema(json);
      if (read.ok) fields = read.fields;
      else problems.push(...read.problems.map((problem) => `the field schema: ${problem}`));
    }
  }
  // `now` in milliseconds: what oq compile --now gives the compiler, to the second.
  return {
    options: { fileName: playgroundFileName, now: now * 1000, ...(fields ? { fields } : {}) },
    problems,
  };
}

/**
 * The panes for `text`. `contacts` keeps the generated contacts from one call to the next (the
 * page keeps one); `clock` is "now" when the settings leave it empty.
 */
export function analyse(
  text: string,
  settings: PlaygroundSettings,
  contacts = new SampleContactSource(),
  clock: () => number = Date.now,
): Analysis {
  const { options, problems: settingsProblems } = compileOptionsOf(settings, clock);
  const analysis: Analysis = {
    problems: [],
    summary: "",
    settingsProblems,
    body: "",
    explanation: "",
    ...(options.fields ? { fields: options.fields } : {}),
  };
  if (settingsProblems.length > 0) return analysis;
  const result = plan(text, options);
  for (const diagnostic of result.diagnostics) {
    analysis.problems.push({
      severity: diagnostic.severity,
      text: renderDiagnostic(diagnostic, result.source),
      from: diagnostic.span.start.offset,
      to: diagnostic.span.end.offset,
      message: diagnostic.message,
      fixes: quickFixes(diagnostic),
    });
  }
  analysis.summary = result.diagnostics.length > 0 ? summarize(result.diagnostics) : "";
  if (result.payload) analysis.body = JSON.stringify(result.payload, null, 2);
  else if (result.plan && result.words) {
    const heading = [
      ...planHeading(result.plan, result.words),
      ...result.words.reports.map((words, index) => `report ${index + 1}: ${words}`),
    ];
    analysis.body = `${heading.join("\n")}\n\n${JSON.stringify(result.plan, null, 2)}`;
  }
  if (!result.ok) return analysis;
  analysis.explanation = explain(text, options).explanation?.text ?? "";
  const list = contacts.listAt(options.now / 1000);
  if (result.payload) analysis.samples = sampleContacts({ payload: result.payload }, list, shownRows);
  else if (result.plan) analysis.samples = sampleContacts({ plan: result.plan }, list, shownRows);
  return analysis;
}
