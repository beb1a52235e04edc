import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseFieldSchema } from "../../src/check/fieldSchema.js";
import type { CustomFields } from "../../src/check/fieldCatalog.js";

export const goldenDir = new URL("../golden/", import.meta.url).pathname;
/** Every golden query is compiled at this instant, so relative dates are reproducible. */
export const goldenNow = "2024-02-01T00:00:00Z";
export const updating = process.env["OQ_UPDATE_GOLDEN"] === "1";

export function goldenFields(): CustomFields {
  const result = parseFieldSchema(JSON.parse(readFileSync(join(goldenDir, "fields.json"), "utf8")));
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.fields;
}

/** Parameter values for a case: `NAME.params.json` beside `NAME.oq`, as `oq run` reads it. */
export interface GoldenParams {
  params?: Record<string, string | number | (string | number)[]>;
  paramSources?: Record<string, string>;
}

export function goldenCases(
  folder: "valid" | "invalid" | "explain" | "plans",
): { name: string; file: string; text: string; bound: GoldenParams }[] {
  const dir = join(goldenDir, folder);
  return readdirSync(dir)
    .filter((file) => file.endsWith(".oq"))
    .sort()
    .map((file) => {
      const name = file.replace(/\.oq$/, "");
      return { name, file, text: readFileSync(join(dir, file), "utf8"), bound: paramsOf(dir, name) };
    });
}

function paramsOf(dir: string, name: string): GoldenParams {
  const path = join(dir, `${name}.params.json`);
  if (!existsSync(path)) return {};
  const params = JSON.parse(readFileSync(path, "utf8")) as NonNullable<GoldenParams["params"]>;
  const paramSources = Object.fromEntries(Object.keys(params).map((key) => [key, `${name}.params.json`]));
  return { params, paramSources };
}

/**
 * Compares `actual` with the expected file, or (OQ_UPDATE_GOLDEN=1) rewrites it. `undefined`
 * means the file must not exist.
 */
export function expectGolden(
  path: string,
  actual: string | undefined,
): { expected: string | undefined; actual: string | undefined } {
  if (updating) {
    if (actual === undefined) rmSync(path, { force: true });
    else writeFileSync(path, actual);
    return { expected: actual, actual };
  }
  const expected = existsSync(path) ? readFileSync(path, "utf8") : undefined;
  return { expected, actual };
}
