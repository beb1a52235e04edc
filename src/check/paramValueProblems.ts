import type { Limits } from "../language/limits.js";

/*
 * A library caller passes parameter values straight from a request body: null, true, an object
 * or a nested array are the user's input, not the program's bug, so they are diagnostics (never
 * a TypeError), and so is a value too large for the limits that bound the query itself.
 */

/** What is wrong with one bound value: a diagnostic's code and the message's end. */
export interface ValueProblem {
  code: "OQ001" | "OQ002" | "OQ275";
  /** Follows "the value of $name (from SOURCE)". */
  what: string;
  hint: string;
}

const shapeHint = "a parameter takes text, a finite number, or an array of those";

/**
 * The problem of each bound value, by name. The values together count against the limits
 * apart from the query's text: each value or list element is one token (limits.maxTokens),
 * and their text adds up against limits.maxSourceLength. The value that crosses a limit is
 * the one blamed; larger values are never walked.
 */
export function paramValueProblems(
  values: Iterable<[string, unknown]>,
  limits: Limits,
): Map<string, ValueProblem> {
  const problems = new Map<string, ValueProblem>();
  let tokens = 0;
  let characters = 0;
  for (const [name, value] of values) {
    const items: readonly unknown[] = Array.isArray(value) ? value : [value];
    tokens += items.length;
    if (tokens > limits.maxTokens) {
      problems.set(name, {
        code: "OQ002",
        what: `${Array.isArray(value) ? `has ${items.length} elements` : "is one more value"}: the values bound count ${tokens} tokens, more than the limit of ${limits.maxTokens}`,
        hint: "bind fewer values, or raise `limits.maxTokens`",
      });
      tokens -= items.length;
      continue;
    }
    const shape = Array.isArray(value) ? listProblem(value) : scalarProblem(value);
    if (shape) {
      problems.set(name, { code: "OQ275", what: shape, hint: shapeHint });
      continue;
    }
    let length = 0;
    for (const item of items) if (typeof item === "string") length += item.length;
    characters += length;
    if (characters > limits.maxSourceLength) {
      problems.set(name, {
        code: "OQ001",
        what: `is ${length} characters of text: the values bound hold ${characters}, more than the limit of ${limits.maxSourceLength}`,
        hint: "bind shorter values, or raise `limits.maxSourceLength`",
      });
      characters -= length;
    }
  }
  return problems;
}

function listProblem(list: readonly unknown[]): string | undefined {
  for (let index = 0; index < list.length; index++) {
    const item = list[index];
    const problem = Array.isArray(item) ? "is an array" : scalarProblem(item);
    if (problem) return `element ${index + 1} of ${list.length} ${problem}`;
  }
  return undefined;
}

function scalarProblem(value: unknown): string | undefined {
  if (typeof value === "string") return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? undefined : `is ${value}`;
  if (value === null || value === undefined || typeof value === "boolean") return `is ${String(value)}`;
  const type = typeof value;
  return `is ${type === "object" ? "an object" : `a ${type}`}`;
}
