import { describe, expect, it } from "vitest";
import { compile } from "../src/index.js";
import { namesSharingParts } from "../src/diagnostics/suggest.js";

/* Unknown fields: a near spelling first, else the fields whose names share its parts. */

describe("names that share parts", () => {
  const fields = ["email", "ocx_status", "last_open_date", "last_sent_date", "opens", "avg_open_time"];

  it("finds a name by a part of it, whatever its endings", () => {
    expect(namesSharingParts("status", fields)).toEqual(["ocx_status"]);
    expect(namesSharingParts("last_opened", fields)).toEqual(["last_open_date"]);
    expect(namesSharingParts("lastOpened", fields)).toEqual(["last_open_date"]);
    expect(namesSharingParts("date", fields)).toEqual(["last_open_date", "last_sent_date"]);
  });

  it("finds nothing when no part is shared", () => {
    expect(namesSharingParts("city", fields)).toEqual([]);
    expect(namesSharingParts("__", fields)).toEqual([]);
    expect(namesSharingParts("x".repeat(1_000), fields)).toEqual([]);
  });
});

describe("unknown fields", () => {
  const offered = (text: string) => compile(text).diagnostics[0]!.suggestions.map((s) => s.replacement);

  it("offers the field a part names", () => {
    expect(offered('status = "active"')).toEqual(["ocx_status"]);
    expect(offered("last_opened > 2026-11-01")).toEqual(["last_open_date"]);
    expect(offered("opend > 3")).toEqual(["opens"]);
  });

  it("lists the fields when a part names too many to guess", () => {
    const [diagnostic] = compile("date > 2026-11-01").diagnostics;
    expect(diagnostic!.suggestions).toEqual([]);
    expect(diagnostic!.hints.join("\n")).toMatch(/fields named like it: .*last_open_date/);
  });
});
