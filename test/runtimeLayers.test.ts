import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/*
 * The runtime half of the layer order in docs/ARCHITECTURE.md: each folder imports only from
 * the layers below it. (The compiler half's check comes with the compiler refactor.)
 */

const src = resolve(import.meta.dirname, "../src");
/** What each runtime folder must not import: the layers above it. */
const forbidden: Record<string, string[]> = {
  "emit/payloadSchema.ts": ["client", "runner", "sandbox", "evaluate", "cli", "entry"],
  client: ["runner", "sandbox", "evaluate", "cli", "entry"],
  runner: ["sandbox", "evaluate", "cli", "entry"],
  evaluate: ["client", "runner", "sandbox", "cli", "entry"],
  sandbox: ["runner", "cli", "entry"],
  cli: ["entry"],
};

function filesUnder(path: string): string[] {
  if (path.endsWith(".ts")) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => filesUnder(join(path, entry.name)));
}

/** The src/-relative paths a file imports (static, dynamic and type-only imports, re-exports). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((match) =>
    relative(src, resolve(dirname(file), match[1]!)),
  );
}

describe("runtime layers", () => {
  for (const [layer, above] of Object.entries(forbidden)) {
    it(`${layer} imports nothing from ${above.join(", ")}`, () => {
      const upward = filesUnder(join(src, layer)).flatMap((file) =>
        importsOf(file)
          .filter((target) => above.includes(target.split("/")[0]!))
          .map((target) => `${relative(src, file)} -> ${target}`),
      );
      expect(upward).toEqual([]);
    });
  }

  it("sandbox takes from the client only sleep", () => {
    const fromClient = filesUnder(join(src, "sandbox")).flatMap((file) =>
      importsOf(file).filter((target) => target.startsWith("client/")),
    );
    expect([...new Set(fromClient)]).toEqual(["client/sleep.js"]);
  });

  it("finds an upward import when there is one (the check is not vacuous)", () => {
    const entry = importsOf(join(src, "entry/client.ts"));
    expect(entry).toContain("runner/runReport.js");
    expect(entry.some((target) => forbidden["client"]!.includes(target.split("/")[0]!))).toBe(true);
  });
});
