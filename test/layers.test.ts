import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/*
 * The layer order of docs/ARCHITECTURE.md: a file imports only from its own layer or the layers
 * below it. Keep this list and the document's table the same.
 */

const src = resolve(import.meta.dirname, "../src");

/** Bottom to top. A layer is a folder of src/, or a file at its top. */
const layerOrder: readonly (readonly string[])[] = [
  ["language"],
  ["diagnostics"],
  ["lexer"],
  ["parser"],
  ["check"],
  ["emit"],
  ["plan"],
  ["compile.ts", "validateOptions.ts"],
  ["evaluate"],
  ["format", "explain"],
  ["client"],
  ["runner"],
  ["sandbox"],
  // The REPL sits beside the command line: each may import the other (never in a cycle).
  ["cli", "repl"],
  ["index.ts", "entry", "require"],
];

const rankOf = new Map(layerOrder.flatMap((names, rank) => names.map((name) => [name, rank] as const)));

function layerOf(srcPath: string): string {
  return srcPath.split("/")[0]!.replace(/\.js$/, ".ts");
}

function filesUnder(path: string): string[] {
  if (/\.(ts|cjs)$/.test(path)) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => filesUnder(join(path, entry.name)));
}

const allFiles = filesUnder(src).map((file) => relative(src, file));

/** The src/-relative paths a file imports (static, dynamic and type-only imports, re-exports, require). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(src, file), "utf8");
  return [...text.matchAll(/(?:from|import|require)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((match) =>
    relative(src, resolve(dirname(join(src, file)), match[1]!)).replace(/^\.\.\/dist\/lib\//, ""),
  );
}

/** Imports that point up the layer order (or out of it), as "file -> target". */
function upwardImports(files: readonly string[]): string[] {
  return files.flatMap((file) => {
    const rank = rankOf.get(layerOf(file));
    return importsOf(file)
      .filter((target) => {
        const targetRank = rankOf.get(layerOf(target));
        return rank === undefined || targetRank === undefined || targetRank > rank;
      })
      .map((target) => `${file} -> ${target}`);
  });
}

describe("layers", () => {
  it("every file of src/ is in a layer", () => {
    expect(allFiles.filter((file) => !rankOf.has(layerOf(file)))).toEqual([]);
  });

  for (const names of layerOrder) {
    it(`${names.join(", ")} import nothing from a layer above`, () => {
      expect(upwardImports(allFiles.filter((file) => names.includes(layerOf(file))))).toEqual([]);
    });
  }

  it("the runtime reads from the compiler only the contracts (request, plan) and the vocabulary", () => {
    const runtime = allFiles.filter((file) => ["client", "runner"].includes(layerOf(file)));
    const fromCompiler = runtime.flatMap((file) =>
      importsOf(file).filter((target) => (rankOf.get(layerOf(target)) ?? 0) < rankOf.get("client")!),
    );
    const contracts = ["emit/payloadSchema.js", "emit/planSchema.js"];
    const beyond = [...new Set(fromCompiler)].filter(
      (target) => !target.startsWith("language/") && !contracts.includes(target),
    );
    expect(beyond).toEqual([]);
    expect(fromCompiler).toContain("emit/payloadSchema.js");
  });

  it("the sandbox takes from the client only sleep", () => {
    const fromClient = allFiles
      .filter((file) => layerOf(file) === "sandbox")
      .flatMap((file) => importsOf(file).filter((target) => target.startsWith("client/")));
    expect([...new Set(fromClient)]).toEqual(["client/sleep.js"]);
  });

  it("no file imports itself through others (no cycles, even inside a layer)", () => {
    const importsByFile = new Map(
      allFiles.map((file) => [file, importsOf(file).map((target) => target.replace(/\.js$/, ".ts"))]),
    );
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...path.slice(path.indexOf(file)), file].join(" -> "));
        return;
      }
      state.set(file, "visiting");
      for (const target of importsByFile.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, "done");
    };
    for (const file of allFiles) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("finds an upward import when there is one (the check is not vacuous)", () => {
    // The entry point imports the runner; from the client's layer that import would point up.
    const entryImports = importsOf("entry/client.ts");
    expect(entryImports).toContain("runner/runReport.js");
    expect(rankOf.get(layerOf("runner/runReport.js"))!).toBeGreaterThan(rankOf.get("client")!);
    expect(upwardImports(["parser/syntaxErrors.ts"])).toEqual([]);
    const pretendLexerFile = "lexer/lexer.ts";
    const wouldBeUpward = ["parser/ast.js"].filter(
      (target) => rankOf.get(layerOf(target))! > rankOf.get(layerOf(pretendLexerFile))!,
    );
    expect(wouldBeUpward).toEqual(["parser/ast.js"]);
  });
});
