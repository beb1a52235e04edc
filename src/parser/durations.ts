import type { Span } from "../diagnostics/source.js";
import type { DurationValue } from "./ast.js";

/** `30d` as a Duration node. Both parsers build it here, so they cannot read it differently. */
export function durationValue(raw: string, span: Span): DurationValue {
  const [, amount = "0", unit = ""] = /^(\d+)([A-Za-z]+)$/.exec(raw) ?? [];
  return { kind: "Duration", amount: Number(amount), unit, raw, span };
}
