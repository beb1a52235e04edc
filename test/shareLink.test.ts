import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readShareFragment, shareFragment, type SharedQuery } from "../src/playground/shareLink.js";

/** Well-formed Unicode text (what a file or a text box holds): any code point but a lone surrogate. */
const unicodeText = (maxLength: number) => fc.string({ unit: "binary", maxLength });

describe("share links", () => {
  it("keep everything in the fragment, never a query string", () => {
    const fragment = shareFragment({ query: "opens > 1", now: "2024-06-01T00:00:00Z", schema: "" });
    expect(fragment.startsWith("#q=")).toBe(true);
    expect(fragment).not.toMatch(/[?=]{2}|[?/+]/);
    expect(fragment).toBe("#q=b3BlbnMgPiAx&now=MjAyNC0wNi0wMVQwMDowMDowMFo");
    expect(readShareFragment(fragment)).toEqual({
      query: "opens > 1",
      now: "2024-06-01T00:00:00Z",
      schema: "",
    });
  });

  it("round-trip 10 KB of Unicode, multi-line text byte for byte", () => {
    const line = 'email ends "gmaïl.com" # 日本語 🎉 ελληνικά \u0000\t"quotes" `ticks` & = # ?\r\n';
    let query = "";
    while (new TextEncoder().encode(query).length < 10_240) query += line;
    const shared = { query, now: "2024-06-01T00:00:00+02:00", schema: '{"fields": {"prénom": "string"}}\n' };
    const back = readShareFragment(shareFragment(shared));
    expect(back).toEqual(shared);
    expect(Buffer.from(back!.query)).toEqual(Buffer.from(query));
    expect(new TextEncoder().encode(query).length).toBeGreaterThanOrEqual(10_240);
  });

  it("keep a byte order mark at the start of a value (a decoder drops it unless told)", () => {
    const shared = { query: "\uFEFFemail = 1", now: "", schema: "\uFEFF{}" };
    expect(readShareFragment(shareFragment(shared))).toEqual(shared);
  });

  it("round-trip any text (property)", () => {
    fc.assert(
      fc.property(
        fc.record({ query: unicodeText(3000), now: unicodeText(40), schema: unicodeText(500) }),
        (shared: SharedQuery) => {
          expect(readShareFragment(shareFragment(shared))).toEqual(shared);
        },
      ),
    );
  });

  it("read a fragment with no query as no link, and damaged or unknown parts as empty", () => {
    expect(readShareFragment("")).toBeUndefined();
    expect(readShareFragment("#section-2")).toBeUndefined();
    expect(readShareFragment("#now=MjAyNA")).toBeUndefined();
    expect(readShareFragment("#q=b3BlbnMgPiAx&theme=dark&schema=*not*base64")).toEqual({
      query: "opens > 1",
      now: "",
      schema: "",
    });
    // Bytes that are not UTF-8 (0xff) are no text.
    expect(readShareFragment("#q=_w")).toEqual({ query: "", now: "", schema: "" });
  });
});
