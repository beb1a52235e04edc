import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile } from "../src/index.js";
import type { Diagnostic } from "../src/diagnostics/diagnostic.js";
import { applySuggestion as applyFix } from "../src/diagnostics/checkedFixes.js";

/*
 * OQ233: a condition on an activity date that reaches outside the report's window. The fix it
 * offers must be right: applied, the window covers the condition and the warning is gone.
 */

const runs = Number(process.env["OQ_PROPERTY_RUNS"] ?? 300);
const now = "2024-02-01T09:30:00Z";

/** The text with the diagnostic's first fix applied, as the fix gate applies it. */
function applySuggestion(text: string, diagnostic: Diagnostic): string {
  return applyFix(text, diagnostic.suggestions[0]!);
}

const day = fc
  .integer({ min: 0, max: 200 })
  .map((n) => new Date(Date.UTC(2023, 7, 1) + n * 86_400_000).toISOString().slice(0, 10));
const activityDate = fc.constantFrom("last_open_date", "last_click_date", "last_sent_date");
const relative = fc
  .tuple(fc.integer({ min: 1, max: 120 }), fc.constantFrom("d", " days", "w", "mo"))
  .map(([n, unit]) => `${n}${unit} ago`);
const point = fc.oneof(day, relative, fc.constantFrom("today", "yesterday"));
const condition = fc
  .tuple(
    activityDate,
    fc.constantFrom(">=", ">", "=", "<=", "<"),
    point,
    fc.option(fc.tuple(fc.constantFrom("<", "<="), point), { nil: undefined }),
  )
  .map(([field, operator, value, upper]) =>
    upper
      ? `${field} ${operator} ${value} and ${field} ${upper[0]} ${upper[1]}`
      : `${field} ${operator} ${value}`,
  );
const window = fc.oneof(
  fc.constant(""),
  fc
    .tuple(fc.integer({ min: 1, max: 90 }), fc.constantFrom("d", "w", "mo"))
    .map(([n, unit]) => `\nduring ${n}${unit}`),
  fc.tuple(day, day).map(([a, b]) => (a <= b ? `\nbetween ${a} and ${b}` : `\nbetween ${b} and ${a}`)),
);

describe("the window coverage warning", () => {
  it("offers only windows that cover the condition, and only where a window can", () => {
    let fixed = 0;
    fc.assert(
      fc.property(condition, window, (where, clause) => {
        const text = `${where}${clause}`;
        const result = compile(text, { now });
        if (!result.ok) return;
        const warning = result.diagnostics.find((d) => d.code === "OQ233");
        if (!warning || warning.suggestions.length === 0) return;
        const widened = applySuggestion(text, warning);
        const again = compile(widened, { now });
        expect(again.ok, widened).toBe(true);
        expect(
          again.diagnostics.filter((d) => d.code === "OQ233"),
          widened,
        ).toEqual([]);
        // The window ends now or at the end of a day (where the condition ends), never later.
        const to = again.payload!.filters.to_date!;
        expect(to === Date.parse(now) / 1000 || (to + 1) % 86_400 === 0, widened).toBe(true);
        fixed++;
      }),
      { numRuns: runs * 3 },
    );
    expect(fixed).toBeGreaterThan(0);
  });

  it("offers a window that ends where the condition ends, as last_*_date is the last event inside the window", () => {
    const offer = (text: string) => {
      const warning = compile(text, { now: "2025-11-15T00:00:00Z" }).diagnostics.find(
        (d) => d.code === "OQ233",
      );
      return [warning?.suggestions[0]?.replacement.trim(), warning?.hints.at(-1)];
    };
    // Bounded, in the past: a window running to now would drop who opened in October and again since.
    expect(offer("last_open_date >= 2025-10-01 and last_open_date < 2025-11-01")[0]).toBe(
      "between 2025-10-01 and 2025-10-31",
    );
    expect(offer("last_open_date >= 2025-10-01 and last_open_date < 2025-11-01\nduring 30d")[0]).toBe(
      "between 2025-10-01 and 2025-10-31",
    );
    // Up to now, or no upper end: the window runs to now.
    expect(offer("last_open_date >= 2025-09-01 and last_open_date <= today")[0]).toBe("during 75d");
    expect(offer("last_open_date >= 2025-09-01")[0]).toBe("during 75d");
    // No lower end: no window covers it; the hint says where the window must end.
    const [none, hint] = offer("last_open_date < 2025-11-01");
    expect(none).toBeUndefined();
    expect(hint).toContain("'between DATE and 2025-10-31'");
  });

  it("warns when the default window runs past a bounded condition: last_*_date then means 'and not since'", () => {
    const text = "last_open_date >= 2024-01-10 and last_open_date <= 2024-01-25";
    const [warning] = compile(text, { now }).diagnostics;
    expect(warning?.code).toBe("OQ233");
    expect(warning?.message).toContain("runs past the end of this condition on last_open_date");
    expect(warning?.suggestions.map((s) => s.replacement.trim())).toEqual([
      "between 2024-01-10 and 2024-01-25",
    ]);
    const fixed = compile(applySuggestion(text, warning!), { now });
    expect(fixed.diagnostics).toEqual([]);
    // With 'between' the condition's error offers this rewrite; it then warns the same way.
    expect(
      compile("last_open_date >= 30d ago and last_open_date < 10d ago", { now }).diagnostics[0]?.code,
    ).toBe("OQ233");
  });

  it("stays quiet about conditions inside the window and about fields the window does not limit", () => {
    const quiet = (text: string) =>
      expect(
        compile(text, { now, fields: { birthday: "date" } }).diagnostics.filter((d) => d.code === "OQ233"),
        text,
      ).toEqual([]);
    quiet("last_open_date > 30d ago");
    quiet("last_open_date > 2023-12-01\nbetween 2023-11-01 and today");
    quiet("ocx_created_date < 2020-01-01");
    quiet("birthday < 2020-01-01");
    quiet("last_open_date != 2023-01-01");
    quiet("last_open_date is empty");
    // A chosen window bounds an open-ended condition on purpose.
    quiet("last_open_date < 45d ago\nduring 120d");
    quiet("last_open_date > 2024-01-10\nbetween 2024-01-01 and 2024-01-20");
    // Days after now hold no events.
    quiet("last_open_date > 2023-12-25\nduring 6w");
  });
});
