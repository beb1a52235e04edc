/**
 * A syntax tree (or any part of one) without its spans: every `span` and `…Span` property
 * dropped, so that two trees compare equal when they say the same thing, however it was laid
 * out or parenthesised.
 */
export function withoutSpans(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutSpans);
  if (node === null || typeof node !== "object") return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node))
    if (key !== "span" && !key.endsWith("Span")) copy[key] = withoutSpans(value);
  return copy;
}

/**
 * JSON that stays readable in a golden file: a value that fits on its line (100 characters) is
 * written on it, a larger one is opened up, one member a line.
 */
export function compactJson(value: unknown, indent = "", lineSoFar = 0): string {
  const flat = JSON.stringify(value) ?? "null";
  if (value === null || typeof value !== "object" || lineSoFar + indent.length + flat.length <= 100)
    return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value))
    return `[\n${value.map((item) => `${inner}${compactJson(item, inner)}`).join(",\n")}\n${indent}]`;
  const members = Object.entries(value).filter(([, member]) => member !== undefined);
  return `{\n${members.map(([key, member]) => `${inner}${JSON.stringify(key)}: ${compactJson(member, inner, JSON.stringify(key).length + 2)}`).join(",\n")}\n${indent}}`;
}
