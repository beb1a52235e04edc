import type { Redacted, RedactedLine, Redaction } from "../client/serverText.js";

/**
 * Characters that would act on a terminal instead of showing: DEL and the C1 controls, and the
 * Unicode marks that reorder or break lines, which can disguise text. (JSON.stringify escapes the
 * C0 controls, ESC among them, but not these.)
 */
const beyondC0 = "\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069";
const controls = new RegExp(`[\\u0000-\\u001f${beyondC0}]`, "g");
const controlsJsonLeaves = new RegExp(`[${beyondC0}]`, "g");

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * Text from the server or from a query (titles, statuses, messages, file names) made safe to
 * print: each control character is shown as an escape such as \x1b, so it cannot move the
 * cursor, change colours, retitle the window or hide what follows.
 */
export function terminalSafe(text: string): string {
  return text.replace(controls, escape);
}

/** oq's own message of several lines made safe to print: terminalSafe line by line, its line breaks kept. */
export function terminalSafeLines(text: string): string {
  return text.split("\n").map(terminalSafe).join("\n");
}

/**
 * `value` as JSON for stdout (indented, or `compact` on one line), with every control character
 * escaped (still valid JSON, the same value).
 */
export function terminalSafeJson(value: unknown, { compact = false } = {}): string {
  return JSON.stringify(value, null, compact ? undefined : 2).replace(
    controlsJsonLeaves,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * The tag for a line oq prints about reports: every value through the client's door (its
 * redaction: the server's words, ids, errors, and paths too), then made safe for a terminal.
 */
export function terminalLine(redaction: Redaction): RedactedLine {
  return redaction.lineWith(terminalSafe);
}

/** `value` as terminalSafeJson writes it, every string in it first through the client's door (for `--json`). */
export function terminalJson(redaction: Redaction, value: unknown, { compact = false } = {}): Redacted {
  return redaction.json(value, (quoted) => `${terminalSafeJson(quoted, { compact })}\n`);
}
