// Keeps the examples in grammar.md true. Each ```oq block is followed by a ```json block with
// what it compiles to (the criteria, or the whole request when the query has clauses); each
// ```oq-error block by a ```text block with its diagnostics; each ```oq-plan block by a ```text
// block with the plan `oq plan` makes of it (reports and how their contacts combine). `npm run docs` rewrites those
// blocks from the compiler; the test suite fails when they are out of date.
import { readFileSync, writeFileSync } from "node:fs";
import { compile, formatDiagnostics, parse, plan } from "../dist/lib/index.js";

export const docsNow = "2024-02-01T00:00:00Z";
export const docsFields = { first_name: "string", city: "string", age: "numeric", birthday: "date" };

function stringifyRequest(value, indent = "") {
  if (
    Array.isArray(value) &&
    value.every((item) => item && typeof item === "object" && "field_name" in item)
  ) {
    return `[\n${value.map((item) => `${indent}  ${JSON.stringify(item)}`).join(",\n")}\n${indent}]`;
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value).map(
      ([key, inner]) => `${indent}  ${JSON.stringify(key)}: ${stringifyRequest(inner, `${indent}  `)}`,
    );
    return `{\n${entries.join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function expected(kind, source) {
  if (kind === "oq-plan") return expectedPlan(source);
  const result = compile(source, {
    now: docsNow,
    fields: docsFields,
    fileName: kind === "oq-error" ? "query.oq" : undefined,
  });
  if (kind === "oq-error") {
    if (result.ok) throw new Error(`an oq-error example compiles:\n${source}`);
    return formatDiagnostics(result).trimEnd();
  }
  if (!result.ok) throw new Error(`an oq example does not compile:\n${source}\n${formatDiagnostics(result)}`);
  const hasClauses = parse(source).ast.clauses.length > 0;
  return stringifyRequest(hasClauses ? result.payload : result.payload.filters.criteria);
}

function expectedPlan(source) {
  const result = plan(source, { now: docsNow, fields: docsFields, fileName: "query.oq" });
  if (!result.plan)
    throw new Error(`an oq-plan example does not plan:\n${source}\n${formatDiagnostics(result)}`);
  return [
    `${result.plan.reports.length} reports; the contacts in ${result.words.contacts}`,
    ...result.words.reports.map((condition, index) => `report ${index + 1}: ${condition}`),
  ].join("\n");
}

/** An example: a ```oq, ```oq-error or ```oq-plan block and the answer block after it. */
const examplePattern = /```(oq|oq-error|oq-plan)\n([\s\S]*?)```\n\n```(json|text)\n[\s\S]*?```/g;

/** The examples of a document: `kind` "oq" (it compiles), "oq-error" or "oq-plan", and the query. */
export function docExamples(text) {
  return [...text.matchAll(examplePattern)].map(([, kind, source]) => ({ kind, source }));
}

/** The document with every answer block recomputed. */
export function renderDocExamples(text) {
  return text.replace(examplePattern, (_all, kind, source) => {
    const answerKind = kind === "oq" ? "json" : "text";
    return `\`\`\`${kind}\n${source}\`\`\`\n\n\`\`\`${answerKind}\n${expected(kind, source)}\n\`\`\``;
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = new URL("../grammar.md", import.meta.url);
  const text = readFileSync(path, "utf8");
  const rendered = renderDocExamples(text);
  if (process.argv.includes("--check")) {
    if (rendered !== text) {
      process.stderr.write("grammar.md examples are out of date: run npm run docs\n");
      process.exitCode = 1;
    }
  } else {
    writeFileSync(path, rendered);
  }
}
