import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, decompile, format, formatDiagnostics } from "../src/index.js";
import { ContactActivityRequestSchema } from "../src/emit/payloadSchema.js";
import { oq } from "./support/oqInProcess.js";
import { scratch } from "./support/scratch.js";

/*
 * What the compiler sends is exactly what was written: "now" without an offset, default titles,
 * fmt and decompile. (Ids, numbers, dates and escapes have golden fixtures.)
 */

const seedFolders = [
  "/work/shared/ongage/examples",
  new URL("./fixtures/ongage-examples/", import.meta.url).pathname,
];

function seedExamples(): { name: string; json: string }[] {
  const seen = new Map<string, string>();
  for (const folder of seedFolders) {
    let files: string[];
    try {
      files = readdirSync(folder).filter((file) => file.endsWith(".json"));
    } catch {
      continue; // the shared folder is not on every machine; the fixtures are
    }
    for (const file of files)
      seen.set(`${folder.replace(/\/$/, "")}/${file}`, readFileSync(join(folder, file), "utf8"));
  }
  return [...seen].map(([name, json]) => ({ name, json }));
}

describe("--now and OQ_NOW without an offset mean UTC, as every date in a query", () => {
  const query = "opens > 1\nduring 1d\n";
  const nowUtcSeconds = Date.parse("2024-01-31T10:00:00Z") / 1000;

  for (const [how, args, env] of [
    ["--now", ["compile", "-", "--now", "2024-01-31T10:00:00"], {}],
    ["OQ_NOW", ["compile", "-"], { OQ_NOW: "2024-01-31T10:00" }],
  ] as const) {
    it(`${how}: the same window in New York, Tokyo and UTC`, async () => {
      // The machine's zone, changed in this process as TZ changes it for a process (Node reads it anew).
      const windows = [];
      const machineZone = process.env["TZ"];
      try {
        for (const zone of ["America/New_York", "Asia/Tokyo", "UTC"]) {
          process.env["TZ"] = zone;
          expect(new Date(2024, 0, 31).getTimezoneOffset()).toBe(
            { "America/New_York": 300, "Asia/Tokyo": -540, UTC: 0 }[zone],
          );
          const run = await oq([...args], { input: query, env: { ...env, TZ: zone } });
          expect(run.status, run.stderr).toBe(0);
          const { from_date, to_date } = JSON.parse(run.stdout).filters;
          windows.push({ from_date, to_date });
        }
      } finally {
        if (machineZone === undefined) delete process.env["TZ"];
        else process.env["TZ"] = machineZone;
      }
      expect(windows[0]).toEqual({ from_date: nowUtcSeconds - 86_400, to_date: nowUtcSeconds });
      expect(windows[1]).toEqual(windows[0]);
      expect(windows[2]).toEqual(windows[0]);
    });
  }

  it("an offset, when written, is honoured", async () => {
    const run = await oq(["compile", "-", "--now", "2024-01-31T12:00:00+02:00"], {
      input: query,
      env: { TZ: "Asia/Tokyo" },
    });
    expect(JSON.parse(run.stdout).filters.to_date).toBe(nowUtcSeconds);
  });

  it("text that is not a date of the language is a usage error", async () => {
    const run = await oq(["compile", "-", "--now", "Jan 31 2024 10:00"], { input: query });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("UTC unless an offset is written");
  });

  it("the library's `now` text is read the same way, whatever the process's time zone", async () => {
    const zone = process.env["TZ"];
    try {
      for (const tz of ["America/New_York", "Asia/Tokyo"]) {
        process.env["TZ"] = tz; // Node applies a new TZ at once
        expect(compile(query, { now: "2024-01-31T10:00:00" }).payload!.filters.to_date).toBe(nowUtcSeconds);
      }
    } finally {
      if (zone === undefined) delete process.env["TZ"];
      else process.env["TZ"] = zone;
    }
    expect(() => compile(query, { now: "31/01/2024" })).toThrow(TypeError);
  });
});

describe("default titles", () => {
  it("are cut on character boundaries, never inside an emoji", async () => {
    for (const prefix of ["", "x", "xx"]) {
      const text = `email = "${prefix}${"😀".repeat(60)}"`;
      const title = compile(text, { now: "2024-02-01T00:00:00Z" }).payload!.title;
      expect(title.endsWith("...")).toBe(true);
      expect(title.length).toBeLessThanOrEqual(100);
      expect(title).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
      expect(
        ContactActivityRequestSchema.safeParse(compile(text, { now: "2024-02-01T00:00:00Z" }).payload)
          .success,
      ).toBe(true);
    }
  });

  it("keep a flag (two regional letters, one grapheme) whole", async () => {
    // Flags of 4 UTF-16 units each, placed so that a cut after unit 97 splits one between its two letters.
    const text = `email = "${"x".repeat(74)}${"🇫🇷".repeat(10)}"`;
    const title = compile(text, { now: "2024-02-01T00:00:00Z" }).payload!.title;
    const kept = title.slice(0, -3);
    expect(text.includes(kept)).toBe(true);
    // Regional indicators come in pairs: an odd number would be half a flag.
    expect((kept.match(/[\u{1F1E6}-\u{1F1FF}]/gu) ?? []).length % 2).toBe(0);
  });
});

describe("oq fmt", () => {
  it("writes durations digit for digit, never in exponent form", async () => {
    const long = `during 0${"9".repeat(30)}d`;
    const formatted = format(`opens > 1 ${long}`).formatted!;
    expect(formatted).toBe(`opens > 1\nduring ${"9".repeat(30)}d\n`);
    expect(formatted).not.toMatch(/e\+/);
    // Too long for a window: the same error before and after formatting.
    const codes = (text: string) =>
      compile(text, { now: "2024-02-01T00:00:00Z" }).diagnostics.map((d) => d.code);
    expect(codes(formatted)).toEqual(["OQ217"]);
    expect(codes(`opens > 1 ${long}`)).toEqual(["OQ217"]);
  });
});

describe("oq decompile", () => {
  const sorted = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sorted)
      : value && typeof value === "object"
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
          )
        : value;

  it("finds the seed examples", async () => {
    expect(seedExamples().length).toBeGreaterThanOrEqual(3);
  });

  for (const { name, json } of seedExamples()) {
    it(`round-trips ${name.split("/").slice(-2).join("/")} byte for byte (key order aside), through the command`, async () => {
      const dir = scratch({ "request.json": json });
      const back = await oq(["decompile", "request.json"], { cwd: dir });
      expect(back.status, back.stderr).toBe(0);
      expect(back.stderr).toBe("");
      const again = await oq(["compile", "-", "--compact"], { input: back.stdout, cwd: dir });
      expect(again.status, again.stderr).toBe(0);
      expect(JSON.stringify(sorted(JSON.parse(again.stdout)))).toBe(JSON.stringify(sorted(JSON.parse(json))));
    });
  }

  it("writes flags the request leaves out as a flags clause (the active-gmail example has none)", async () => {
    const request = JSON.parse(
      seedExamples().find(({ name }) => name.endsWith("active-gmail-contacts.json"))!.json,
    );
    const back = decompile(request);
    expect(back.source).toContain("\nflags none\n");
    const payload = compile(back.source!).payload!;
    expect("include_behavior" in payload).toBe(false);
    expect("combined_as_and" in payload).toBe(false);
    expect(decompile({ ...request, include_behavior: false }).source).toContain(
      "\nflags include_behavior = false\n",
    );
  });

  it("warns about every key it does not carry over, and says why", async () => {
    const request = JSON.parse(seedExamples()[0]!.json);
    request.list_id = "777";
    request.filters.type = "contacts";
    request.filters.criteria[0].group = 1;
    request.color = "red";
    const back = decompile(request);
    expect(back.source).toBeDefined();
    expect(back.problems).toEqual([]);
    expect(back.warnings).toHaveLength(4);
    expect(back.warnings.join("\n")).toMatch(
      /list_id "777" is not carried over: oq sends a report to the list of its connection/,
    );
    expect(back.warnings.join("\n")).toMatch(/filters\.type "contacts" is not carried over/);
    expect(back.warnings.join("\n")).toMatch(/'group' of criterion 1/);
    expect(back.warnings.join("\n")).toMatch(/'color'/);
    const run = await oq(["decompile", "-"], { input: JSON.stringify(request) });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("<stdin>: warning: list_id");
  });

  it("warns about unknown keys at any depth, inside a campaign operand too", async () => {
    const request = JSON.parse(seedExamples()[0]!.json);
    request.filters.criteria = [
      {
        field_name: "opened",
        type: "behavioral",
        operator: "=",
        operand: { mailing_ids: ["1"], x: 2 },
        case_sensitive: 0,
        condition: "and",
      },
    ];
    const back = decompile(request);
    expect(back.source).toContain("opened campaign 1");
    expect(back.warnings).toEqual([
      "the key filters.criteria.0.operand.x is not carried over: oq does not know it and never sends it",
    ]);
    const run = await oq(["decompile", "-"], { input: JSON.stringify(request) });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(
      "<stdin>: warning: the key filters.criteria.0.operand.x is not carried over",
    );
  });

  it("writes ids as text exactly, warning when the request sent one as a number", async () => {
    const request = JSON.parse(seedExamples()[0]!.json);
    request.filters.criteria = [
      {
        field_name: "id",
        type: "id",
        operator: "=",
        operand: ["12345678901234567890", "007", "5aae312578464ae01f8b4567", 5],
        case_sensitive: 0,
        condition: "and",
      },
    ];
    const back = decompile(request);
    expect(back.source).toContain('id = [12345678901234567890, "007", "5aae312578464ae01f8b4567", 5]');
    expect(back.warnings).toEqual(['criterion 1 (id): 5 is sent as a number; oq sends ids as text, "5"']);
  });

  it("refuses, with the reason, what its query would send differently", async () => {
    const request = JSON.parse(seedExamples()[0]!.json);
    const like = (value: string) => ({
      field_name: "email",
      type: "email",
      operator: "_LIKE",
      operand: [value],
      case_sensitive: 0,
      condition: "or",
    });
    request.filters.criteria = [like("a.com"), like("b.com")];
    const back = decompile(request);
    expect(back.source).toBeUndefined();
    expect(back.problems[0]).toMatch(
      /^oq cannot write this request exactly: at filters\.criteria it has .*a\.com.*, and the query would send .*"a\.com","b\.com"/,
    );
  });

  it("refuses numbers and dates it cannot write exactly", async () => {
    const request = JSON.parse(seedExamples()[0]!.json);
    request.filters.criteria = [
      {
        field_name: "opens",
        type: "numeric",
        operator: ">",
        operand: [1e21],
        case_sensitive: 0,
        condition: "and",
      },
    ];
    expect(decompile(request).problems[0]).toContain("cannot be written exactly");
    request.filters.criteria = [
      {
        field_name: "last_open_date",
        type: "date",
        operator: ">",
        operand: [-99_999_999_999],
        case_sensitive: 0,
        condition: "and",
      },
    ];
    expect(decompile(request).problems[0]).toContain("outside the years 0000-9999");
  });
});

describe("lone \\r line endings (old Mac files)", () => {
  const now = "2024-02-01T00:00:00Z";

  it("end a comment, so the next line is still part of the query", async () => {
    const cr = compile('opens > 1 # more than one\rand email = "y"\r', { now });
    const lf = compile('opens > 1 # more than one\nand email = "y"\n', { now });
    expect(cr.ok).toBe(true);
    expect(cr.payload!.filters.criteria).toEqual(lf.payload!.filters.criteria);
    expect(cr.payload!.filters.criteria).toHaveLength(2);
    expect(format('opens > 1 # x\rand email = "y"\r').formatted).toBe(
      format('opens > 1 # x\nand email = "y"\n').formatted,
    );
  });

  it("are line breaks in diagnostics: the right line and column, no raw \\r in the excerpt", async () => {
    const rendered = formatDiagnostics(compile('opens > 1\rand emial = "x"\r', { now, fileName: "cr.oq" }));
    expect(rendered).toContain("cr.oq:2:5: error: unknown field 'emial'");
    expect(rendered).toContain('2 | and emial = "x"\n');
    expect(rendered).not.toContain("\r");
  });
});
