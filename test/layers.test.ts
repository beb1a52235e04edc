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
  // The language service (diagnose, complete, hover, colour): no Node, for any host.
  ["assist"],
  ["client"],
  ["runner"],
  ["sandbox"],
  // The REPL and the language server sit beside the command line: each may import the others (never in a cycle).
  ["cli", "repl", "lsp"],
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

/** The package's own name: inside src/, `"oq"` or `"oq/client"` is an import of a layer through dist/. */
const selfImport = "<package oq>";

/**
 * The src/-relative paths a source text imports (static, dynamic with quotes or backquotes,
 * type-only, re-exports, require); an import of the package by its own name is selfImport.
 * Comment lines (doc examples such as `import { compile } from "oq"`) are not imports.
 */
function importsOfText(text: string, file: string): string[] {
  const code = text
    .split("\n")
    .filter((line) => !/^\s*(?:\/\/|\/\*|\*)/.test(line))
    .join("\n");
  return [
    ...code.matchAll(/(?:from|import|require)\s*\(?\s*(["'`])((?:\.{1,2}\/|oq(?:\/|(?=["'`])))[^"'`]*)\1/g),
  ].map((match) =>
    match[2]!.startsWith("oq")
      ? selfImport
      : relative(src, resolve(dirname(join(src, file)), match[2]!)).replace(/^\.\.\/dist\/lib\//, ""),
  );
}

/** The src/-relative paths a file of src/ imports (importsOfText). */
function importsOf(file: string): string[] {
  return importsOfText(readFileSync(join(src, file), "utf8"), file);
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
const processLayers = ["cli", "repl", "index.ts", "entry", "require"];

function processUsesOfText(text: string, file: string): string[] {
  return [...text.matchAll(processUse)].map((match) => `${file}: ${match[0].replace(/\s+/g, "")}`);
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

  it("only cli/, the REPL and the entry points use process's argv, env, output, exit code or signals", () => {
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
    expect(upward(' * import { compile } from "oq";\n// import("../cli/main.js")')).toEqual([]);
  });
});
