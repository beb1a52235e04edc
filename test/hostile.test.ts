import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  check,
  compile,
  diagnosticToJson,
  format,
  formatDiagnostics,
  parse,
  plan,
  readingNames,
  type CompileOptions,
  type CompileResult,
} from "../src/index.js";
import { renderDiagnostics } from "../src/diagnostics/render.js";
import { closestMatch, editDistance } from "../src/diagnostics/suggest.js";
import { oq } from "./support/oqInProcess.js";
import { scratch } from "./support/scratch.js";
import { expectLinearWork, workCounter, type WorkCounter } from "./support/workCount.js";

/*
 * Hostile input: every query within the default limits compiles or fails in work linear in its
 * size (counted, not timed: test/support/workCount.ts), with output whose size does not grow with
 * the query. The inputs whose work is counted are only as large as a quadratic needs to show; a
 * few stay large for what only size shows (a spread of every line or operand overflows the
 * stack). Times: bench/run.mjs ("hostile input").
 */

/** Rendered diagnostics: 50 listed at a few hundred characters each, whatever the query. */
const maxRenderedChars = 64 * 1024;

function expectBoundedFailure(text: string, options: CompileOptions = {}): CompileResult {
  const result = compile(text, options);
  const rendered = formatDiagnostics(result);
  expect(result.ok).toBe(false);
  expect(result.diagnostics.length).toBeLessThanOrEqual(51);
  expect(rendered.length).toBeLessThan(maxRenderedChars);
  expect(JSON.stringify(result.diagnostics.map((d) => diagnosticToJson(d, "q.oq"))).length).toBeLessThan(
    maxRenderedChars * 4,
  );
  return result;
}

const schemaOf300 = Object.fromEntries(
  Array.from({ length: 300 }, (_, i) => [`custom_field_${i}`, "string" as const]),
);

describe("long lines", () => {
  it("renders a 100 KB one-line query with an error at every condition in bounded output", async () => {
    const text = Array.from({ length: 8_000 }, (_, i) => `nofield${i} > 1`).join(" and ");
    expect(text.length).toBeGreaterThan(100_000);
    const result = expectBoundedFailure(text);
    expect(result.diagnostics.at(-1)!.code).toBe("OQ010");
  });

  it("renders 350 KB of one-line '==' and '&&' without running out of memory", async () => {
    expectBoundedFailure("opens == 1 && ".repeat(25_000));
  });

  it("shows control characters as pictures, one column each, never raw (terminal escapes)", async () => {
    const text = 'opens > 1\x1b]0;pwned\x07 and email = "a\x7f\x9b"';
    const result = compile(text);
    const rendered = renderDiagnostics(result.diagnostics, result.source);
    expect(rendered).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(rendered).toContain("unexpected character '␛'");
    const sourceLine = rendered.split("\n").find((line) => line.startsWith("1 | "))!;
    expect(sourceLine).toBe('1 | opens > 1␛]0;pwned␇ and email = "a␡\ufffd"');
    const caretLine = rendered.split("\n")[rendered.split("\n").indexOf(sourceLine) + 1]!;
    expect(sourceLine[caretLine.indexOf("^")]).toBe("␛");
    const checked = await oq(["check", "-"], { input: text });
    expect(checked.stderr).toContain("␛]0;pwned␇");
    expect(checked.stdout + checked.stderr).not.toMatch(/[\u001b\u0007\u007f\u009b]/);
  });

  it("shows a window of a long line around the caret, with the caret under the word", async () => {
    const text = `${"opens > 1 and ".repeat(1_000)}emial ends "x" and ${"opens > 1 and ".repeat(1_000)}opens > 1`;
    const rendered = formatDiagnostics(compile(text));
    const lines = rendered.split("\n");
    for (const line of lines) expect(line.length).toBeLessThan(200);
    const sourceLine = lines.find((line) => line.startsWith("1 | "))!;
    const caretLine = lines[lines.indexOf(sourceLine) + 1]!;
    const caretAt = caretLine.indexOf("^");
    expect(sourceLine.slice(caretAt, caretAt + 5)).toBe("emial");
    expect(caretLine.slice(caretAt).startsWith("^^^^^ ")).toBe(true);
    expect(sourceLine).toMatch(/^1 \| \.\.\..*\.\.\.$/);
  });

  it("shortens a message that quotes a 100 KB word", async () => {
    const rendered = formatDiagnostics(compile(`${"x".repeat(100_000)} = 1`));
    expect(rendered.length).toBeLessThan(4_000);
    expect(rendered).toContain("unknown field 'xxx");
  });
});

describe("the command", () => {
  it("oq check of a 100 KB one-line query prints bounded text, and --json a bounded list", async () => {
    const dir = scratch({
      "long.oq": Array.from({ length: 8_000 }, (_, i) => `nofield${i} > 1`).join(" and "),
    });
    const text = await oq(["check", "long.oq"], { cwd: dir });
    expect(text.status).toBe(1);
    expect(text.stderr.length).toBeLessThan(maxRenderedChars);
    expect(text.stderr.trimEnd().split("\n").at(-1)).toBe("8000 errors");
    const json = await oq(["check", "--json", "long.oq"], { cwd: dir });
    expect(json.status).toBe(1);
    expect(json.stdout.length).toBeLessThan(maxRenderedChars * 4);
    const [file] = JSON.parse(json.stdout) as { diagnostics: { code: string; omitted?: unknown }[] }[];
    expect(file!.diagnostics).toHaveLength(51);
    expect(file!.diagnostics.at(-1)).toMatchObject({
      code: "OQ010",
      omitted: { errors: 7_950, warnings: 0, exact: true },
    });
  });
});

describe("many errors", () => {
  it("lists the first 50 and counts the rest in a closing OQ010", async () => {
    const text = Array.from({ length: 300 }, (_, i) => `nofield${i} > 1`).join("\nand ");
    const result = expectBoundedFailure(text);
    expect(result.diagnostics).toHaveLength(51);
    const closing = result.diagnostics.at(-1)!;
    expect(closing.code).toBe("OQ010");
    expect(closing.severity).toBe("error");
    expect(closing.omitted).toEqual({ errors: 250, warnings: 0, exact: true });
    expect(closing.message).toBe("and 250 more errors, not listed");
    expect(closing.span.start.line).toBe(51);
    expect(formatDiagnostics(result).trimEnd().split("\n").at(-1)).toBe("300 errors");
  });

  it("follows limits.maxDiagnostics", async () => {
    const text = Array.from({ length: 30 }, (_, i) => `nofield${i} > 1`).join(" and ");
    expect(compile(text, { limits: { maxDiagnostics: 5 } }).diagnostics.map((d) => d.code)).toEqual([
      ...Array(5).fill("OQ212"),
      "OQ010",
    ]);
    expect(compile(text).diagnostics).toHaveLength(30);
  });

  it("stops parsing broken syntax after the cap, and says the count is a floor", async () => {
    const result = expectBoundedFailure("select , ".repeat(2_000));
    const closing = result.diagnostics.at(-1)!;
    expect(closing.code).toBe("OQ010");
    expect(closing.omitted?.exact).toBe(false);
    expect(formatDiagnostics(result).trimEnd().split("\n").at(-1)).toMatch(/^at least \d+ errors$/);
  });

  it("does not parse at all when reading the text already found more problems than are listed", async () => {
    const result = expectBoundedFailure(`${"@ ".repeat(60)}${"select , ".repeat(100)}`);
    expect(result.diagnostics.filter((d) => d.code === "OQ003")).toHaveLength(50);
    expect(result.diagnostics.at(-1)!.message).toBe("and at least 10 more errors, not listed");
  });

  it("keeps the cap across parse and check", async () => {
    const parsed = parse("@ ".repeat(1_000));
    expect(parsed.diagnostics).toHaveLength(51);
    expect(parsed.diagnostics.at(-1)!.omitted).toEqual({ errors: 950, warnings: 0, exact: false });
    const checked = check(parsed);
    expect(checked.diagnostics).toHaveLength(51);
    expect(checked.diagnostics.at(-1)).toEqual(parsed.diagnostics.at(-1));
  });
});

describe("deep comments", () => {
  it("formats 130,000 comment lines without overflowing the stack", async () => {
    const text = `opens > 1\n${"# note\n".repeat(130_000)}`;
    expect(text.length).toBeLessThan(1_000_000);
    const result = format(text);
    expect(result.formatted!.split("\n").filter((line) => line === "# note")).toHaveLength(130_000);
  });
});

describe("huge schemas", () => {
  it("answers a long unknown name over a 300-field schema with one OQ212", async () => {
    const result = expectBoundedFailure(longName(4 * 5_000), { fields: schemaOf300 });
    expect(result.diagnostics.map((d) => d.code)).toEqual(["OQ212"]);
  });

  it("answers thousands of misspelt fields over a 300-field schema with the near names", async () => {
    const result = expectBoundedFailure(misspeltFields(4 * 200), { fields: schemaOf300 });
    expect(result.diagnostics[0]!.suggestions[0]!.replacement).toBe("custom_field_0");
  });

  it("still suggests the near names", async () => {
    expect(closestMatch("emial", ["email", "opens"])).toBe("email");
    expect(closestMatch("Email", ["email"])).toBe("email");
    expect(closestMatch("custom_feld_7", Object.keys(schemaOf300))).toBe("custom_field_7");
    expect(closestMatch("x".repeat(1_000), ["x".repeat(999)])).toBeUndefined();
  });

  it("bounds the edit distance without changing it below the bound", async () => {
    const words = [
      "",
      "a",
      "ab",
      "ba",
      "abc",
      "acb",
      "bca",
      "email",
      "emial",
      "mail",
      "e-mail",
      "opens",
      "open",
      "sent",
    ];
    for (const a of words) {
      for (const b of words) {
        const exact = editDistance(a, b);
        for (let max = 0; max <= 6; max++)
          expect(editDistance(a, b, max), `${a} ${b} ${max}`).toBe(Math.min(exact, max + 1));
      }
    }
    expect(editDistance("emial", "email")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });
});

describe("long or chains", () => {
  it("merges a 200,000-term or chain (raised limits) without overflowing the stack", async () => {
    // A spread of its operands (push(...operands)) overflowed the stack: this one is large for that.
    const terms = 200_000;
    const result = compile(orChain(terms), {
      limits: { maxTokens: 10_000_000, maxSourceLength: 100_000_000 },
    });
    expect(result.ok).toBe(true);
    expect(result.payload!.filters.criteria).toHaveLength(1);
    expect(result.payload!.filters.criteria[0]!.operand).toHaveLength(terms);
  });
});

describe("long and chains", () => {
  it("finds comparisons that contradict each other (OQ236) in a long and chain on one field", () => {
    const text = andChainOnOneField(4 * 1_000);
    const result = compile(text);
    expect(result.ok, formatDiagnostics(result)).toBe(true);
    const contradiction = `${text} and opens = [3, 7] and opens > 1`;
    expect(compile(contradiction).diagnostics.map((d) => d.code)).toEqual(["OQ236"]);
  });
});

const longName = (n: number) => `${"x".repeat(n)} = "a"`;
const misspeltFields = (n: number) =>
  Array.from({ length: n }, (_, i) => `custom_feld_${i} = "a"`).join(" or ");
const orChain = (n: number) => Array.from({ length: n }, (_, i) => `opens = ${i}`).join(" or ");
const andChainOnOneField = (n: number) => Array.from({ length: n }, (_, i) => `opens != ${i}`).join(" and ");

/**
 * Each hostile input, made n units long, and the n at which a quadratic would show in its work
 * (at 4n the inputs are still far below the default limits; the failures are bounded whatever n).
 */
const hostileInputs: [name: string, input: (n: number) => string, n: number][] = [
  [
    "an error at every condition",
    (n) => Array.from({ length: n }, (_, i) => `nofield${i} > 1`).join(" and "),
    250,
  ],
  ["one-line '==' and '&&'", (n) => "opens == 1 && ".repeat(n), 100],
  ["broken syntax", (n) => "select , ".repeat(n), 500],
  ["stray characters", (n) => "@ ".repeat(n), 500],
  ["single quotes", (n) => "'a' ".repeat(n), 250],
  ["bad escapes", (n) => 'opens = "\\q" or '.repeat(n), 250],
  ["empty backquotes", (n) => "`` = 1 or ".repeat(n), 250],
  ["doubled operators", (n) => "opens > > ".repeat(n), 500],
  ["dangling values", (n) => "email = ".repeat(n), 500],
  // Each ';' was checked for an open '[' by reading the text from its start: quadratic (cf61609).
  ["';' between a list's values", (n) => `email in [${'"a"; '.repeat(n)}"b"]`, 250],
];

describe("work linear in the input (counted: test/support/workCount.ts)", () => {
  let counter: WorkCounter<typeof import("../src/index.js")>;
  beforeAll(async () => {
    counter = await workCounter(() => import("../src/index.js"));
  });
  afterAll(() => counter.stop());
  const compiled = (text: string, options?: CompileOptions) => {
    const result = counter.module.compile(text, options);
    return counter.module.formatDiagnostics(result);
  };

  it.each(hostileInputs)("fails briefly on %s", (_name, input, n) => {
    expectLinearWork(counter, n, (size) => compiled(input(size)));
    expectBoundedFailure(input(4 * n));
  });

  it("formats comment lines", () => {
    expectLinearWork(counter, 1_000, (lines) =>
      counter.module.format(`opens > 1\n${"# note\n".repeat(lines)}`),
    );
  });

  it("answers a long unknown name over a 300-field schema", () => {
    expectLinearWork(counter, 5_000, (length) => compiled(longName(length), { fields: schemaOf300 }));
  });

  it("answers misspelt fields over a 300-field schema", () => {
    // A copy of the schema for each run: the compiler remembers its guesses per fields object
    // (check/fieldCatalog.ts), and a run at n answered from the guesses of the run before made
    // the growth to 4n look 14x in one run of the suite.
    expectLinearWork(counter, 200, (terms) =>
      compiled(misspeltFields(terms), { fields: { ...schemaOf300 } }),
    );
  });

  it("answers 100 misspelt fields over a schema of thousands", () => {
    const schemaOf = (size: number) =>
      Object.fromEntries(Array.from({ length: size }, (_, i) => [`custom_field_${i}`, "string" as const]));
    expectLinearWork(counter, 1_000, (size) => compiled(misspeltFields(100), { fields: schemaOf(size) }));
  });

  it("merges an or chain", () => {
    expectLinearWork(counter, 1_000, (terms) => compiled(orChain(terms)));
  });

  it("looks for contradictions (OQ236) in an and chain on one field", () => {
    // Grouping the comparisons by field one copy at a time was quadratic (0423820): half a minute
    // for a chain as long as the default limits allow.
    expectLinearWork(counter, 2_000, (terms) => compiled(andChainOnOneField(terms)));
  });
});

describe("library misuse", () => {
  it("throws a TypeError for text that is not a string", async () => {
    expect(() => compile(undefined as unknown as string)).toThrow(
      new TypeError("oq: compile() takes the query text as a string, not undefined"),
    );
    expect(() => parse(42 as unknown as string)).toThrow(TypeError);
    expect(() => format(null as unknown as string)).toThrow(TypeError);
  });

  it("throws a TypeError for a field type oq does not know", async () => {
    expect(() => compile("x = 1", { fields: { x: "Text" as "string" } })).toThrow(
      new TypeError(
        "oq: 'fields.x' has the unknown type \"Text\"; the types are email, string, numeric, date, id",
      ),
    );
  });

  it("throws a TypeError for malformed options", async () => {
    expect(() => compile("opens > 1", null as unknown as CompileOptions)).toThrow(
      /options of compile\(\) must be an object/,
    );
    expect(() => compile("opens > 1", { fields: ["x"] as unknown as CompileOptions["fields"] })).toThrow(
      /'fields' must be an object/,
    );
    expect(() => compile("opens > 1", { limits: { maxTokenz: 5 } as CompileOptions["limits"] })).toThrow(
      /'limits.maxTokenz' is not a limit/,
    );
    expect(() => compile("opens > 1", { limits: { maxTokens: -1 } })).toThrow(/whole number of at least 1/);
    expect(() =>
      compile("opens > 1", { requestFlags: { include_behavior: "yes" as unknown as boolean } }),
    ).toThrow(/true or false/);
    expect(() => compile("opens > 1", { fileName: 7 as unknown as string })).toThrow(
      /'fileName' must be a string/,
    );
    expect(() => plan("opens > 1", { findings: ["null-text"] as never })).toThrow(
      /'findings' must be an object/,
    );
    expect(() => plan("opens > 1", { findings: { null_text: "holds" } as never })).toThrow(
      `oq: 'findings.null_text' is not a reading; the readings are ${readingNames.join(", ")}`,
    );
    expect(() => plan("opens > 1", { findings: { "null-text": true } as never })).toThrow(
      /'findings.null-text' must be "holds" or "fails", not true/,
    );
  });

  it("accepts well-formed options", async () => {
    expect(
      compile("x = 1", {
        fields: { x: "numeric" },
        limits: { maxTokens: 10, maxDiagnostics: Infinity },
        requestFlags: { include_behavior: false },
        findings: { "null-text": "fails", "forced-and": undefined },
      }).ok,
    ).toBe(true);
  });
});
