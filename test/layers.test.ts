import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/*
 * The layer order of docs/layers.json (its one home): a file imports only from its own layer or
 * the layers below it. docs/ARCHITECTURE.md's table lists the same layers in the same order, and
 * every top-level folder and file of src/ is in exactly one layer.
 */

const src = resolve(import.meta.dirname, "../src");
const docs = resolve(import.meta.dirname, "../docs");

interface Layer {
  /** Folders of src/, or files at its top. */
  files: string[];
  /** May touch the process: argv, env, stdout/stderr, the exit code, signals. */
  process?: boolean;
  /** Layers below that this one may load only with `import()`, never statically. */
  lazy?: string[];
}

const layers: readonly Layer[] = (
  JSON.parse(readFileSync(join(docs, "layers.json"), "utf8")) as { layers: Layer[] }
).layers;

/** Bottom to top. */
const layerOrder: readonly (readonly string[])[] = layers.map((layer) => layer.files);

const rankOf = new Map(layerOrder.flatMap((names, rank) => names.map((name) => [name, rank] as const)));

function layerOf(srcPath: string): string {
  return srcPath.split("/")[0]!.replace(/\.js$/, ".ts");
}

/** The code under a path (a page's index.html beside it is not code, and imports nothing). */
function filesUnder(path: string): string[] {
  if (/\.(ts|cjs)$/.test(path)) return [path];
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() || /\.(ts|cjs)$/.test(entry.name))
    .flatMap((entry) => filesUnder(join(path, entry.name)));
}

const allFiles = filesUnder(src).map((file) => relative(src, file));

/** The package's own name: inside src/, `"oq"` or `"oq/client"` is an import of a layer through dist/. */
const selfImport = "<package oq>";

/**
 * The src/-relative paths a source text imports (static, dynamic with quotes or backquotes,
 * type-only, re-exports, require); an import of the package by its own name is selfImport.
 * With `staticOnly`, `import(...)` is left out: what the module loads only when it runs.
 * Comment lines (doc examples such as `import { compile } from "oq"`) are not imports.
 */
function importsOfText(text: string, file: string, staticOnly = false): string[] {
  const code = text
    .split("\n")
    .filter((line) => !/^\s*(?:\/\/|\/\*|\*)/.test(line))
    .join("\n");
  return [
    ...code.matchAll(/(from|import|require)\s*(\(?)\s*(["'`])((?:\.{1,2}\/|oq(?:\/|(?=["'`])))[^"'`]*)\3/g),
  ]
    .filter((match) => !(staticOnly && match[1] === "import" && match[2] === "("))
    .map((match) =>
      match[4]!.startsWith("oq")
        ? selfImport
        : relative(src, resolve(dirname(join(src, file)), match[4]!)).replace(/^\.\.\/dist\/lib\//, ""),
    );
}

/** The src/-relative paths a file of src/ imports (importsOfText). */
function importsOf(file: string, staticOnly = false): string[] {
  return importsOfText(readFileSync(join(src, file), "utf8"), file, staticOnly);
}

/** Imports of a file that point up the layer order (or out of it), as "file -> target". */
function upwardImportsOf(file: string, imports: readonly string[]): string[] {
  const rank = rankOf.get(layerOf(file));
  return imports
    .filter((target) => {
      const targetRank = rankOf.get(layerOf(target));
      return rank === undefined || targetRank === undefined || targetRank > rank;
    })
    .map((target) => `${file} -> ${target}`);
}

/** Imports that point up the layer order (or out of it), as "file -> target". */
function upwardImports(files: readonly string[]): string[] {
  return files.flatMap((file) => upwardImportsOf(file, importsOf(file)));
}

/**
 * The uses of `process` kept to the command line, the REPL and the entry points: reading argv or
 * the environment, writing stdout or stderr, setting the exit code, exiting, handling signals.
 * (Facts about the process such as its pid or umask may be read anywhere.)
 */
const processUse =
  /\bprocess\s*\.\s*(?:argv|env|stdout|stderr|stdin|exit|exitCode|on|once|off|kill|addListener|removeListener|removeAllListeners)\b/g;

/** The files where processUse belongs. */
const processLayers = layers.filter((layer) => layer.process).flatMap((layer) => layer.files);

/** The rows of docs/ARCHITECTURE.md's layer table, as the src/ names each lists (`src/cli/` -> cli). */
function documentedLayers(markdown: string): string[][] {
  const table = markdown.slice(markdown.indexOf("| # | layer |"));
  const rows = table
    .slice(0, table.search(/\n(?!\|)/))
    .split("\n")
    .slice(2);
  return rows.map((row) => [...row.split("|")[2]!.matchAll(/`src\/([^`]+?)\/?`/g)].map((match) => match[1]!));
}

function processUsesOfText(text: string, file: string): string[] {
  return [...text.matchAll(processUse)].map((match) => `${file}: ${match[0].replace(/\s+/g, "")}`);
}

describe("layers", () => {
  it("every file of src/ is in a layer", () => {
    expect(allFiles.filter((file) => !rankOf.has(layerOf(file)))).toEqual([]);
  });

  it("every top-level folder and file of src/ is in exactly one layer, and every layer names what is there", () => {
    const named = layerOrder.flat();
    expect(named.filter((name, index) => named.indexOf(name) !== index)).toEqual([]);
    const topLevel = readdirSync(src).filter((name) => !name.startsWith("."));
    expect([...named].sort()).toEqual([...topLevel].sort());
  });

  it("docs/ARCHITECTURE.md's table lists the layers of docs/layers.json, in the same order", () => {
    const documented = documentedLayers(readFileSync(join(docs, "ARCHITECTURE.md"), "utf8"));
    expect(documented).toEqual(layerOrder);
  });

  for (const layer of layers.filter((layer) => layer.lazy)) {
    it(`${layer.files.join(", ")} load ${layer.lazy!.join(", ")} only lazily (import())`, () => {
      const eager = allFiles
        .filter((file) => layer.files.includes(layerOf(file)))
        .flatMap((file) =>
          importsOf(file, true)
            .filter((target) => layer.lazy!.includes(layerOf(target)))
            .map((target) => `${file} -> ${target}`),
        );
      expect(eager).toEqual([]);
    });
  }

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

  it("the sandbox takes from the client only its clock", () => {
    const fromClient = allFiles
      .filter((file) => layerOf(file) === "sandbox")
      .flatMap((file) => importsOf(file).filter((target) => target.startsWith("client/")));
    expect([...new Set(fromClient)]).toEqual(["client/clock.js"]);
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

  it("only the layers marked `process` (the shells, the entry points) use process's argv, env, output, exit code or signals", () => {
    const outside = allFiles.filter((file) => !processLayers.includes(layerOf(file)));
    expect(outside.flatMap((file) => processUsesOfText(readFileSync(join(src, file), "utf8"), file))).toEqual(
      [],
    );
    expect(outside.length).toBeGreaterThan(50);
  });

  it("finds a use of process outside the command line (the check is not vacuous)", () => {
    const text =
      'process.exitCode = 1;\nprocess . stdout.write("x");\nprocess.on("SIGINT", stop);\nconst id = process.pid;';
    expect(processUsesOfText(text, "runner/x.ts")).toEqual([
      "runner/x.ts: process.exitCode",
      "runner/x.ts: process.stdout",
      "runner/x.ts: process.on",
    ]);
  });

  it("finds an upward import when there is one (the check is not vacuous)", () => {
    // The entry point imports the runner; from the client's layer that import would point up.
    const entryImports = importsOf("entry/client.ts");
    expect(entryImports).toContain("runner/runReport.js");
    expect(upwardImports(["parser/syntaxErrors.ts"])).toEqual([]);
    const upward = (text: string) => upwardImportsOf("lexer/lexer.ts", importsOfText(text, "lexer/lexer.ts"));
    expect(upward('import { Ast } from "../parser/ast.js";')).toEqual(["lexer/lexer.ts -> parser/ast.js"]);
    expect(upward("import type { Ast } from '../parser/ast.js';")).toEqual([
      "lexer/lexer.ts -> parser/ast.js",
    ]);
    expect(upward('export { x } from "../check/checker.js";')).toEqual([
      "lexer/lexer.ts -> check/checker.js",
    ]);
    expect(upward("const c = await import(`../check/criteria.js`);")).toEqual([
      "lexer/lexer.ts -> check/criteria.js",
    ]);
    expect(upward('const m = require("../cli/main.js");')).toEqual(["lexer/lexer.ts -> cli/main.js"]);
    expect(upward('import { compile } from "oq";')).toEqual([`lexer/lexer.ts -> ${selfImport}`]);
    expect(upward('import { runReport } from "oq/client";')).toEqual([`lexer/lexer.ts -> ${selfImport}`]);
    // Downward and sideways imports, and names that merely begin with "oq", pass.
    expect(
      upward('import { keywords } from "../language/keywords.js";\nimport { t } from "./tokens.js";'),
    ).toEqual([]);
    expect(upward('import x from "oqish";')).toEqual([]);
    // A lazy load is an import, but not a static one.
    const lazyLoad = 'const { repl } = await import("../../repl/repl.js");';
    expect(importsOfText(lazyLoad, "cli/commands/repl.ts")).toEqual(["repl/repl.js"]);
    expect(importsOfText(lazyLoad, "cli/commands/repl.ts", true)).toEqual([]);
    expect(importsOfText('import type { X } from "../repl/x.js";', "cli/x.ts", true)).toEqual(["repl/x.js"]);
    expect(upward(' * import { compile } from "oq";\n// import("../cli/main.js")')).toEqual([]);
  });
});
