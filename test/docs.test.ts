import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain JavaScript script, shared with `npm run docs`
import { renderDocExamples } from "../scripts/docExamples.mjs";

const root = new URL("../", import.meta.url);

describe("the documentation keeps its promises", () => {
  it("every example in grammar.md compiles to what the page shows", () => {
    const text = readFileSync(new URL("grammar.md", root), "utf8");
    expect(renderDocExamples(text)).toBe(text);
  });

  it("docs/diagnostics.md lists every diagnostic code the compiler can report, and no other", () => {
    const codes = new Set<string>();
    const visit = (dir: URL) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) visit(new URL(`${entry.name}/`, dir));
        else if (entry.name.endsWith(".ts"))
          for (const match of readFileSync(new URL(entry.name, dir), "utf8").matchAll(/"(OQ\d{3})"/g))
            codes.add(match[1]!);
      }
    };
    visit(new URL("src/", root));
    const documented = new Set(
      [...readFileSync(new URL("docs/diagnostics.md", root), "utf8").matchAll(/^\| (OQ\d{3}) \|/gm)].map(
        (m) => m[1]!,
      ),
    );
    expect([...documented].sort()).toEqual([...codes].sort());
  });
});
