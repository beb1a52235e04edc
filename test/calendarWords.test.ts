import { describe, expect, it } from "vitest";
import { instantBefore } from "../src/check/calendar.js";
import { SourceText } from "../src/diagnostics/source.js";
import { compile, format } from "../src/index.js";
import { oq } from "./support/oqInProcess.js";

/*
 * Calendar words (months, years, word units, today/yesterday) and columns that count what a
 * reader sees. The goldens show the diagnostics; these pin the arithmetic and the data.
 */

const at = (iso: string) => Date.parse(iso) / 1000;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(".000", "");

describe("months and years on the UTC calendar", () => {
  it("keeps the time of day and clamps to the last day of a shorter month", async () => {
    expect(iso(instantBefore(at("2026-05-31T10:00:00Z"), 3, "mo"))).toBe("2026-02-28T10:00:00Z");
    expect(iso(instantBefore(at("2024-03-31T00:00:00Z"), 1, "mo"))).toBe("2024-02-29T00:00:00Z");
    expect(iso(instantBefore(at("2024-02-29T12:30:00Z"), 1, "y"))).toBe("2023-02-28T12:30:00Z");
    expect(iso(instantBefore(at("2024-01-15T00:00:00Z"), 13, "mo"))).toBe("2022-12-15T00:00:00Z");
    expect(iso(instantBefore(at("2024-01-15T00:00:00Z"), 2, "w"))).toBe("2024-01-01T00:00:00Z");
  });

  it("reads every spelling of a unit the same, in during and ago", async () => {
    const now = "2026-05-31T10:00:00Z";
    const windowOf = (text: string) => {
      const result = compile(`opens > 0 ${text}`, { now });
      expect(result.ok, text).toBe(true);
      return [result.payload!.filters.from_date, result.payload!.filters.to_date];
    };
    const threeMonths = windowOf("during 3mo");
    expect(threeMonths[0]).toBe(at("2026-02-28T10:00:00Z"));
    for (const text of [
      "during 3 months",
      "during 3MO",
      "last 3 Months",
      "during 3months",
      "between 3 months ago and today",
    ]) {
      expect(windowOf(text)[0], text).toBe(threeMonths[0]);
    }
    expect(windowOf("during 1 year")).toEqual(windowOf("during 12mo"));
    expect(windowOf("during 24 hours")).toEqual(windowOf("during 1d"));
    expect(windowOf("during 2 weeks")).toEqual(windowOf("during 14 days"));
  });

  it("reads today and yesterday as midnight UTC of the compile clock's day", async () => {
    const result = compile("ocx_created_date >= yesterday and ocx_created_date < Today", {
      now: "2026-05-31T23:59:59Z",
    });
    expect(result.ok).toBe(true);
    expect(result.payload!.filters.criteria.map((c) => c.operand)).toEqual([
      [at("2026-05-30T00:00:00Z")],
      [at("2026-05-31T00:00:00Z")],
    ]);
  });

  it("formats one canonical spelling", async () => {
    expect(format("opens > 0 during 3 Months").formatted).toBe("opens > 0\nduring 3mo\n");
    expect(format("last_open_date > 2 YEARS ago and last_open_date < TODAY").formatted).toBe(
      "last_open_date > 2y ago and last_open_date < today\n",
    );
    expect(format("opens > 0 during 24 hours").formatted).toBe("opens > 0\nduring 24h\n");
  });
});

describe("columns", () => {
  it("count code points, not UTF-16 units, and skip a leading byte order mark", async () => {
    const astral = new SourceText('email = "😀😀" and emial = 3');
    expect(astral.positionAt(astral.text.indexOf("emial")).column).toBe(18);
    const bom = new SourceText("\ufeffemial = 1\n😀 x");
    expect(bom.positionAt(1).column).toBe(1);
    expect(bom.lineText(1)).toBe("emial = 1");
    expect(bom.positionAt(bom.text.indexOf("x")).column).toBe(3);
  });

  it("are code points in --json too", async () => {
    const run = await oq(["check", "-", "--json"], { input: '\ufeffemail = "😀😀" and emial = 3\n' });
    expect(run.status).toBe(1);
    const [result] = JSON.parse(run.stdout);
    expect(result.diagnostics[0]).toMatchObject({ line: 1, column: 18, code: "OQ212" });
    expect(result.diagnostics[0].span.start).toEqual({ offset: 20, line: 1, column: 18 });
  });
});
