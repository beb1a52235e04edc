import type { Span } from "../diagnostics/source.js";
import { durationUnitOf } from "../language/calendarWords.js";
import type { DurationValue } from "./ast.js";

/**
 * `30d` or `3 months` as a Duration node, its unit in the spelling `oq fmt` writes (`mo`) when
 * it is a unit, else as written (the checker reports it). Both parsers build it here, so they
 * cannot read it differently.
 */
export function durationValue(raw: string, span: Span): DurationValue {
  const [, amount = "0", written = ""] = /^(\d+)\s*([A-Za-z]+)$/.exec(raw) ?? [];
  return { kind: "Duration", amount: Number(amount), unit: durationUnitOf(written) ?? written, raw, span };
}
