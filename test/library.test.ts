import { describe, expect, it } from "vitest";
import {
  check,
  compile,
  compileFilter,
  ContactActivityRequestSchema,
  decompile,
  emit,
  normalize,
  format,
  formatDiagnostics,
  parse,
  parseFieldSchema,
} from "../src/index.js";

const now = "2024-02-01T00:00:00Z";

describe("compile", () => {
  it("emits the design card's query", () => {
    const result = compile('email ends "gmail.com" and opens >= 3 during 30d select email, opens', { now });
    expect(result.ok).toBe(true);
    expect(result.payload).toEqual({
      title: 'email ends "gmail.com" and opens >= 3',
      include_behavior: true,
      filters: {
        criteria: [
          {
            field_name: "email",
            type: "email",
            operator: "_LIKE",
            operand: ["gmail.com"],
            case_sensitive: 0,
            condition: "and",
          },
          {
            field_name: "opens",
            type: "numeric",
            operator: ">=",
            operand: [3],
            case_sensitive: 0,
            condition: "and",
          },
        ],
        user_type: "all",
        from_date: Date.parse(now) / 1000 - 30 * 86_400,
        to_date: Date.parse(now) / 1000,
      },
      combined_as_and: true,
      selected_fields: ["email", "opens"],
    });
  });

  it("takes 'now' as a Date, epoch milliseconds or ISO text", () => {
    const text = "opens > 0 during 1d";
    const byText = compile(text, { now }).payload;
    expect(compile(text, { now: new Date(now) }).payload).toEqual(byText);
    expect(compile(text, { now: Date.parse(now) }).payload).toEqual(byText);
  });

  it("throws on a bad 'now' option: that is a programming error, not user input", () => {
    expect(() => compile("opens > 0", { now: "soon" })).toThrow(TypeError);
  });

  it("sends include_behavior and combined_as_and as true unless told otherwise", () => {
    const payload = compile("opens > 0", { requestFlags: { combined_as_and: false } }).payload!;
    expect(payload.include_behavior).toBe(true);
    expect(payload.combined_as_and).toBe(false);
    // decompile writes such flags as a `flags` clause, so the query sends them again whatever the settings.
    const back = decompile(payload);
    expect(back.source).toContain("flags include_behavior, combined_as_and = false");
    expect(back.problems).toEqual([]);
    expect(compile(back.source!).payload).toEqual(payload);
  });

  it("uses the file name as the default title", () => {
    expect(compile("opens > 0", { fileName: "reports/weekly-openers.oq" }).payload!.title).toBe(
      "weekly-openers",
    );
  });

  it("types custom fields from a schema", () => {
    const schema = parseFieldSchema({ fields: { age: "numeric" } });
    expect(schema.ok).toBe(true);
    const fields = schema.ok ? schema.fields : {};
    expect(compile("age > 30", { fields }).ok).toBe(true);
    const wrong = compile('age contains "3"', { fields });
    expect(wrong.diagnostics[0]!.code).toBe("OQ213");
  });

  it("renders diagnostics with the file name, a caret and help", () => {
    const result = compile("emial = 1", { fileName: "q.oq" });
    expect(formatDiagnostics(result)).toBe(
      [
        "q.oq:1:1: error: unknown field 'emial'",
        "  |",
        "1 | emial = 1",
        "  | ^^^^^ not a field of this list",
        "  = help: did you mean 'email'?",
        "",
        "1 error",
        "",
      ].join("\n"),
    );
  });

  it("returns the diagnostics with a fix a tool can apply", () => {
    const result = compile("emial = 1");
    const [suggestion] = result.diagnostics[0]!.suggestions;
    expect(suggestion).toMatchObject({
      replacement: "email",
      span: { start: { offset: 0 }, end: { offset: 5 } },
    });
  });
});

describe("a schema used for many compiles", () => {
  it("is checked once per fields object, not on every compile (300 fields made each compile 3.8x slower)", () => {
    const schema = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`field_${i}`, "string"]));
    let reads = 0;
    // Counts each listing of the schema's fields (Object.entries, for..in, Object.keys).
    const fields = new Proxy(schema, {
      ownKeys: (target) => (reads++, Reflect.ownKeys(target)),
    }) as Record<string, "string">;
    expect(compile('field_7 = "a"', { now, fields }).ok).toBe(true);
    const afterFirst = reads;
    expect(afterFirst).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) expect(compile(`field_${i} = "b"`, { now, fields }).ok).toBe(true);
    expect(reads).toBe(afterFirst);
  });

  it("still throws for a bad field type, on every call, and for each new object", () => {
    const bad = { x: "Text" } as unknown as Record<string, "string">;
    expect(() => compile('x = "a"', { fields: bad })).toThrow(/'fields.x' has the unknown type "Text"/);
    expect(() => compile('x = "a"', { fields: bad })).toThrow(TypeError);
    expect(() => compile('x = "a"', { fields: { ...bad } })).toThrow(TypeError);
  });
});

describe("the stages on their own", () => {
  it("parse -> check -> normalize -> emit gives what compile gives", () => {
    const text = 'title "T" in segment 5 users active';
    const parsed = parse(text);
    expect(parsed.ast?.kind).toBe("Query");
    const checked = check(parsed, { now });
    expect(checked.checked?.condition.kind).toBe("atom");
    const normalized = normalize(checked);
    expect(normalized.normalized?.filter.criteria).toHaveLength(1);
    expect(emit(normalized.normalized!)).toEqual(compile(text, { now }).payload);
  });

  it("emit honours the request flags compile takes", () => {
    const text = 'email ends "gmail.com" and opens >= 3 during 30d select email, opens';
    for (const requestFlags of [
      { include_behavior: false },
      { combined_as_and: false },
      { include_behavior: false, combined_as_and: false },
    ]) {
      const options = { now, requestFlags };
      const normalized = normalize(check(parse(text, options), options), options).normalized!;
      const payload = compile(text, options).payload!;
      expect(payload).toMatchObject(requestFlags);
      expect(emit(normalized, options.requestFlags)).toEqual(payload);
    }
  });

  it("carry each stage's diagnostics on, and report what compile reports", () => {
    // A warning from check (OQ206, a long title) and one from normalise (OQ233, outside the window).
    const text = `title "${"x".repeat(300)}" last_open_date < 2020-01-01`;
    const normalized = normalize(check(parse(text), { now }));
    expect(normalized.diagnostics.map((d) => d.code)).toEqual(["OQ206", "OQ233"]);
    expect(normalized.diagnostics).toEqual(compile(text, { now }).diagnostics);
  });

  it("parse reports syntax errors only", () => {
    const parsed = parse("emial = 1 and");
    expect(parsed.diagnostics.map((d) => d.code)).toEqual(["OQ113"]);
  });
});

describe("compileFilter", () => {
  it("gives just the criteria", () => {
    const result = compileFilter('email ends ["gmail.com", "yahoo.com"] or opens > 10');
    expect(result.criteria).toEqual([
      {
        field_name: "email",
        type: "email",
        operator: "_LIKE",
        operand: ["gmail.com", "yahoo.com"],
        case_sensitive: 0,
        condition: "or",
      },
      {
        field_name: "opens",
        type: "numeric",
        operator: ">",
        operand: [10],
        case_sensitive: 0,
        condition: "or",
      },
    ]);
  });

  it("says nothing of a window, which the caller sets", () => {
    const query = "last_open_date >= 2023-10-01 and last_open_date < 2023-11-01";
    expect(compile(query, { now: "2024-02-01T00:00:00Z" }).diagnostics.map((d) => d.code)).toEqual(["OQ233"]);
    expect(compileFilter(query, { now: "2024-02-01T00:00:00Z" }).diagnostics).toEqual([]);
  });

  it("refuses clauses, which belong to whole requests", () => {
    const result = compileFilter("opens > 1 select email");
    expect(result.criteria).toBeUndefined();
    expect(result.diagnostics.map((d) => d.code)).toEqual(["OQ250"]);
  });

  it("refuses clauses only of a condition it can send: other problems come first", () => {
    expect(compileFilter("nosuchfield > 1 select email").diagnostics.map((d) => d.code)).toEqual(["OQ212"]);
  });
});

describe("the request schema", () => {
  it("accepts the reference page's three examples", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const dir = new URL("./fixtures/ongage-examples/", import.meta.url);
    const files = readdirSync(dir);
    expect(files).toHaveLength(3);
    for (const file of files) {
      const result = ContactActivityRequestSchema.safeParse(
        JSON.parse(readFileSync(new URL(file, dir), "utf8")),
      );
      expect(result.success, file).toBe(true);
    }
  });

  it("is what oq emits for the reference page's three examples, written in oq", async () => {
    const { readFileSync } = await import("node:fs");
    const fixture = (name: string) =>
      JSON.parse(readFileSync(new URL(`./fixtures/ongage-examples/${name}.json`, import.meta.url), "utf8"));
    const golden = (name: string) =>
      compile(readFileSync(new URL(`./golden/valid/${name}.oq`, import.meta.url), "utf8")).payload!;
    expect(golden("seed-segment-one-month")).toEqual(fixture("segment-one-month"));
    expect(golden("seed-campaign-two-weeks")).toEqual(fixture("campaign-two-weeks"));
    // The first example leaves out the two flags, which the other two (and every known client) send.
    const { include_behavior, combined_as_and, ...first } = golden("seed-active-gmail");
    expect([include_behavior, combined_as_and]).toEqual([true, true]);
    expect(first).toEqual(fixture("active-gmail-contacts"));
  });

  it("rejects an operator the field type does not take", () => {
    const request = compile("opens > 1").payload!;
    request.filters.criteria[0]!.operator = "LIKE";
    expect(ContactActivityRequestSchema.safeParse(request).success).toBe(false);
  });
});

describe("format and decompile", () => {
  it("format keeps comments and lays clauses out canonically", () => {
    const result = format("# weekly\nSELECT email where opens>3 # busy\nDURING 7D\n");
    expect(result.formatted).toBe("# weekly\nopens > 3  # busy\nduring 7d\nselect email\n");
  });

  it("format refuses text with syntax errors", () => {
    const result = format("opens >");
    expect(result.formatted).toBeUndefined();
    expect(result.ok).toBe(false);
  });

  it("decompile explains what oq cannot write", () => {
    const request = compile("opens > 1 and clicks > 1").payload!;
    request.filters.criteria[1]!.condition = "or";
    expect(decompile(request).problems[0]).toContain("mix 'and' and 'or'");
  });
});
