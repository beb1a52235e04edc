/**
 * A syntax tree (or any part of one) without its spans: every `span` and `…Span` property
 * dropped, so that two trees compare equal when they say the same thing, however it was laid
 * out or parenthesised.
 */
export function withoutSpans(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutSpans);
  if (node === null || typeof node !== "object") return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) if (key !== "span" && !key.endsWith("Span")) copy[key] = withoutSpans(value);
  return copy;
}
