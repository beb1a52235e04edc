import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, decompile, format, formatDiagnostics, parse } from "../src/index.js";
import { ContactActivityRequestSchema } from "../src/emit/payloadSchema.js";
import { expectGolden, goldenCases, goldenDir, goldenFields, goldenNow } from "./support/golden.js";
import { compactJson, withoutSpans } from "./support/withoutSpans.js";

/*
 * The compiler's golden fixtures: test/golden/valid/*.oq compile to the payload in the .json
 * beside them (and any warnings in the .txt), and parse to the syntax tree in the .ast.json
 * (spans left out, so that the tree shows the grouping and nothing of the layout);
 * test/golden/invalid/*.oq fail with the rendered diagnostics in the .txt. A NAME.params.json beside
 * NAME.oq binds its parameters (as `oq run` reads one). `npm run golden:update` rewrites the expectations: review the diff.
 */

const fields = goldenFields();

describe("valid queries", () => {
  for (const { name, file, text, bound } of goldenCases("valid")) {
    it(name, () => {
      const result = compile(text, { fileName: file, now: goldenNow, fields, ...bound });
      const rendered = formatDiagnostics(result) || undefined;
      expect(result.ok, rendered).toBe(true);
      const payloadJson = `${JSON.stringify(result.payload, null, 2)}\n`;
      const payload = expectGolden(join(goldenDir, "valid", `${name}.json`), payloadJson);
      expect(payload.actual).toBe(payload.expected);
      const warnings = expectGolden(join(goldenDir, "valid", `${name}.txt`), rendered);
      expect(warnings.actual).toBe(warnings.expected);
      // As sent: the JSON text, where an overflowing number would be null.
      expect(ContactActivityRequestSchema.safeParse(JSON.parse(payloadJson)).success).toBe(true);
    });

    it(`${name}: syntax tree`, () => {
      const { ast } = parse(text, { fileName: file });
      const tree = expectGolden(
        join(goldenDir, "valid", `${name}.ast.json`),
        `${compactJson(withoutSpans({ params: ast?.params, condition: ast?.condition, clauses: ast?.clauses }))}\n`,
      );
      expect(tree.actual).toBe(tree.expected);
    });

    it(`${name}: formats idempotently, to the same payload`, () => {
      const once = format(text, { fileName: file });
      expect(once.formatted, formatDiagnostics(once)).toBeDefined();
      expect(format(once.formatted!).formatted).toBe(once.formatted);
      const reformatted = compile(once.formatted!, { fileName: file, now: goldenNow, fields, ...bound });
      expect(reformatted.payload).toEqual(
        compile(text, { fileName: file, now: goldenNow, fields, ...bound }).payload,
      );
    });

    it(`${name}: decompiles to a query with the same payload`, () => {
      const payload = compile(text, { fileName: file, now: goldenNow, fields, ...bound }).payload!;
      const back = decompile(payload, { fields });
      expect(back.problems).toEqual([]);
      expect(back.warnings).toEqual([]);
      expect(compile(back.source!, { now: goldenNow, fields }).payload).toEqual(payload);
    });
  }
});

describe("invalid queries", () => {
  for (const { name, file, text, bound } of goldenCases("invalid")) {
    it(name, () => {
      const result = compile(text, { fileName: file, now: goldenNow, fields, ...bound });
      expect(result.ok).toBe(false);
      expect(result.payload).toBeUndefined();
      const golden = expectGolden(join(goldenDir, "invalid", `${name}.txt`), formatDiagnostics(result));
      expect(golden.actual).toBe(golden.expected);
    });
  }
});
