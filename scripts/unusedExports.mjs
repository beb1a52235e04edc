// Lists the exports of src/ that nothing uses: not imported by another file (a static or dynamic
// import, or a re-export, from src/ or from the tests: a helper exported for its unit test is not
// dead) and not part of the public API (the package's entry points, whose own exports are the API,
// so what they re-export counts as used). Names in scripts/unusedExports.allow.txt are skipped.
// Prints them and exits 1 if there are any. With --types (`npm run typecheck`, run by `npm test`)
// it first reports the program's type errors, as `tsc -p tsconfig.test.json` does, and then the
// server's words printed without their door (scripts/serverTextDoor.mjs): one TypeScript program
// for all three checks, the dearest step of `npm test`, built once. A run that passed is
// remembered (scripts/passedCheck.mjs): run again on the same files, --types passes at once.
import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { alreadyPassed, filesUnder, readText, rememberPassed } from "./passedCheck.mjs";
import { findDoorLeaks } from "./serverTextDoor.mjs";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
/** The package's entry points: their exports are the public API. */
const entryPoints = ["src/index.ts", "src/entry/client.ts", "src/entry/sandbox.ts", "src/cli/oq.ts"];

/** The unused exports ("path: name"), apart from those in `allowed` (default: the allow-list file). */
export function findUnusedExports(allowed = readAllowList(), program = projectProgram()) {
  const checker = program.getTypeChecker();
  const ownFiles = program
    .getSourceFiles()
    .filter((file) => !file.isDeclarationFile && !relative(root, file.fileName).startsWith(".."));
  const sourceFiles = ownFiles.filter((file) => relative(root, file.fileName).startsWith("src/"));

  const resolveAlias = (symbol) =>
    symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const fileOf = (symbol) => symbol?.declarations?.[0]?.getSourceFile().fileName;

  // Every symbol that some file other than its own refers to.
  const used = new Set();
  const note = (symbol, from) => {
    for (let current = symbol; current;) {
      if (fileOf(current) !== from.fileName) used.add(current);
      const next =
        current.flags & ts.SymbolFlags.Alias ? checker.getImmediateAliasedSymbol(current) : undefined;
      current = next === current ? undefined : next;
    }
    const target = resolveAlias(symbol);
    if (target && fileOf(target) !== from.fileName) used.add(target);
  };
  for (const file of ownFiles) {
    const visit = (node) => {
      // `export * from "./x.js"` and `export type * as Ast from "./x.js"`: all of x's exports.
      if (
        ts.isExportDeclaration(node) &&
        node.moduleSpecifier &&
        (!node.exportClause || ts.isNamespaceExport(node.exportClause))
      ) {
        const target = checker.getSymbolAtLocation(node.moduleSpecifier);
        if (target) for (const exported of checker.getExportsOfModule(target)) note(exported, file);
      }
      if (ts.isIdentifier(node)) {
        note(checker.getSymbolAtLocation(node), file);
        // `const { name } = await import("./x.js")`: the name is a property of the module.
        if (ts.isBindingElement(node.parent) && ts.isObjectBindingPattern(node.parent.parent)) {
          const key = node.parent.propertyName ?? node.parent.name;
          if (ts.isIdentifier(key))
            note(checker.getTypeAtLocation(node.parent.parent).getProperty(key.text), file);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }

  const unused = [];
  for (const file of sourceFiles) {
    const path = relative(root, file.fileName);
    if (entryPoints.includes(path)) continue;
    const moduleSymbol = checker.getSymbolAtLocation(file);
    if (!moduleSymbol) continue;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      if (used.has(exported) || used.has(resolveAlias(exported))) continue;
      const name = `${path}: ${exported.name}`;
      if (!allowed.has(name)) unused.push(name);
    }
  }
  return unused.sort();
}

/** The project's configuration: src/ and test/ as `tsc -p tsconfig.test.json` sees them. */
function projectConfig() {
  const configPath = resolve(root, "tsconfig.test.json");
  return ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, root);
}

function projectProgram(config = projectConfig()) {
  return ts.createProgram(config.fileNames, { ...config.options, noEmit: true });
}

/**
 * What the checks read besides the project's own files: their configuration, these scripts, and
 * the installed packages (npm's record of them stands for their type declarations and TypeScript).
 */
const checkInputs = [
  "package.json",
  "tsconfig.json",
  "tsconfig.test.json",
  "scripts/unusedExports.mjs",
  "scripts/unusedExports.allow.txt",
  "scripts/serverTextDoor.mjs",
  "scripts/passedCheck.mjs",
  "node_modules/.package-lock.json",
];

/** The folders whose every file counts (scripts/: a test imports from it). */
const checkedFolders = ["src", "test", "scripts"];

export function readAllowList() {
  return new Set(
    readFileSync(resolve(root, "scripts/unusedExports.allow.txt"), "utf8")
      .split("\n")
      .map((line) => line.replace(/#.*/, "").trim())
      .filter(Boolean),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const config = projectConfig();
  const remembered = process.argv.includes("--types") && !process.argv.includes("--json");
  // Every file of the folders the check reads from, not only the project's: see filesUnder.
  const inputs = [...checkInputs, ...filesUnder(root, checkedFolders)];
  if (remembered && alreadyPassed(root, "typecheck", [...config.fileNames, ...inputs])) process.exit(0);
  const inputTexts = new Map(inputs.map((file) => [file, readText(root, file)]));
  const program = projectProgram(config);
  if (process.argv.includes("--types")) {
    const errors = ts.getPreEmitDiagnostics(program);
    if (errors.length > 0) {
      const host = {
        getCanonicalFileName: (name) => name,
        getCurrentDirectory: () => root,
        getNewLine: () => "\n",
      };
      console.error(ts.formatDiagnosticsWithColorAndContext(errors, host));
      process.exit(1);
    }
    const leaks = findDoorLeaks(program, root);
    if (leaks.length > 0) {
      console.error(
        `The server's words printed without their door (docs/ARCHITECTURE.md, "One door for the server's words"):\n${leaks.map((leak) => `  ${leak.file}:${leak.line}: ${leak.rule}`).join("\n")}`,
      );
      process.exit(1);
    }
  }
  const unused = findUnusedExports(readAllowList(), program);
  if (process.argv.includes("--json")) console.log(JSON.stringify(unused, null, 2));
  else if (unused.length > 0)
    console.error(
      `Exports that nothing uses (remove them, or stop exporting them):\n${unused.map((name) => `  ${name}`).join("\n")}`,
    );
  process.exitCode = unused.length > 0 ? 1 : 0;
  if (remembered && unused.length === 0) {
    // The texts the checks saw: the project's own files (those of the packages are in npm's record).
    for (const file of program.getSourceFiles())
      if (
        !relative(root, file.fileName)
          .split(/[\\/]/)
          .some((part) => part === ".." || part === "node_modules")
      )
        inputTexts.set(file.fileName, file.text);
    rememberPassed(root, "typecheck", inputTexts);
  }
}
