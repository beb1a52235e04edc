import { builtinFields } from "../check/fieldCatalog.js";
import { parse, type CompileOptions } from "../compile.js";
import type { Span } from "../diagnostics/source.js";
import { explain } from "../explain/explain.js";

/*
 * Hover: what the part of the query under the cursor means, in `oq explain`'s words, and what a
 * field is. Only public stages (parse, explain): the condition under the cursor is explained as
 * the query with that condition alone in place of its whole condition, so its clauses,
 * parameters and settings still apply.
 */

interface Hover {
  /** The part hovered, as UTF-16 offsets. */
  start: number;
  end: number;
  /** Markdown. */
  contents: string;
}

/** Where a field's definition came from, as the hover names it. */
interface HoverOptions extends CompileOptions {
  /** The schema file the custom fields came from, as the hover names it. */
  schemaName?: string;
}

interface Node {
  kind: string;
  span: Span;
}

const conditionKinds = new Set(["And", "Or", "Not", "Comparison", "SegmentTest", "BehavioralTest"]);

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && "kind" in value && "span" in value;
}

/** Nodes of the tree containing `offset`, outermost first (any node kind: the walk reads no shapes). */
function nodesAt(root: unknown, offset: number): Node[] {
  const found: Node[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!isNode(value)) return;
    if (value.span.start.offset <= offset && offset <= value.span.end.offset) {
      found.push(value);
      for (const child of Object.values(value)) if (typeof child === "object") visit(child);
    }
  };
  visit(root);
  return found;
}

function fieldWords(name: string, options: HoverOptions): string | undefined {
  const builtin = builtinFields.find((field) => field.name === name);
  if (builtin) return `**${name}**: ${builtin.type} field, built in (${builtin.origin})`;
  const custom = options.fields?.[name];
  if (custom === undefined) return undefined;
  return `**${name}**: ${custom} field, custom, from ${options.schemaName ?? "the field schema"}`;
}

/** What to show for the cursor at `offset` (UTF-16) in `text`, if anything. */
export function hoverAt(text: string, offset: number, options: HoverOptions): Hover | undefined {
  const { schemaName: _schemaName, ...compileOptions } = options;
  const { ast } = parse(text, compileOptions);
  if (!ast) return undefined;
  const nodes = nodesAt(ast, offset);
  // The innermost of each: the field hovered, and the smallest condition around the cursor.
  const innermost = [...nodes].reverse();
  const field = innermost.find((node) => node.kind === "FieldRef") as (Node & { name: string }) | undefined;
  const condition = innermost.find((node) => conditionKinds.has(node.kind));
  const lines: string[] = [];
  if (field) {
    const words = fieldWords(field.name, options);
    if (words) lines.push(words);
  }
  let hovered: Node | undefined = field;
  if (condition && ast.condition) {
    const whole = ast.condition.span;
    const alone =
      text.slice(0, whole.start.offset) +
      text.slice(condition.span.start.offset, condition.span.end.offset) +
      text.slice(whole.end.offset);
    const sentence = explain(alone, compileOptions).explanation?.condition.text;
    if (sentence) {
      lines.push(`Contacts ${sentence}`);
      hovered ??= condition;
    }
  } else if (!field) {
    // Outside the condition (a clause): the whole query in words.
    const sentence = explain(text, compileOptions).explanation?.text;
    if (sentence && nodes.length > 1) {
      lines.push(sentence);
      hovered = nodes[1];
    }
  }
  if (!hovered || lines.length === 0) return undefined;
  return { start: hovered.span.start.offset, end: hovered.span.end.offset, contents: lines.join("\n\n") };
}
