// Builds the library (tsc: JavaScript and type declarations in dist/lib), the command
// (esbuild: dist/cli/cli.js plus chunks that commands load when they run, for a fast start) and
// the playground page (esbuild: dist/playground/).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

// --if-stale (`npm test`, the e2e tests' setup): build only when a source of the build changed
// after the last one; a fresh dist/ is used as it is.
if (process.argv.includes("--if-stale")) {
  const stale = staleBuild();
  if (stale === undefined) process.exit(0);
  process.stderr.write(`oq's build: ${stale}; building\n`);
}

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  minify: true,
  sourcemap: "linked",
  legalComments: "linked",
  logLevel: "warning",
};

/**
 * The CommonJS bundles, which bin/codeCache.cjs runs through node:vm: a script compiled so has no
 * loader for `import()` (it fails with ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so esbuild writes
 * each `import()` of a Node module (node:https, node:tls: src/client/tlsModules.ts) as a
 * `require` when it runs. test/cli.e2e.test.ts runs the reports bundle over https.
 */
const commonJs = { ...common, format: "cjs", supported: { "dynamic-import": false } };

/**
 * The CommonJS bundles bin/codeCache.cjs runs (not zod.cjs, which they require): written inside
 * the function require() wraps a module in, so that V8 compiles each file's text as it is, not a
 * copy joined to the wrapper (codeCache.cjs, `wrapper`). Only codeCache.cjs runs them.
 */
const { wrapper } = createRequire(import.meta.url)("../bin/codeCache.cjs");
const runWithCodeCache = { ...commonJs, banner: { js: wrapper.start }, footer: { js: wrapper.end } };

// The recovering parser, as a separate CommonJS file: the command loads it (synchronously,
// with require) only for a query the fast parser gives up on, so that a query without
// mistakes never pays for loading it.
await build({
  ...runWithCodeCache,
  entryPoints: ["src/parser/recoveringParser.ts"],
  outfile: "dist/cli/recovering-parser.cjs",
});

/** In the command's bundle, recoveringParser.ts is replaced by a stand-in that loads recovering-parser.cjs on first use. */
const lazyRecoveringParser = {
  name: "lazy-recovering-parser",
  setup(esbuild) {
    esbuild.onResolve({ filter: /\/recoveringParser\.js$/ }, (args) =>
      args.importer.endsWith("parser.ts") ? { path: "lazy-recovering-parser", namespace: "oq" } : undefined,
    );
    esbuild.onLoad({ filter: /.*/, namespace: "oq" }, () => ({
      loader: "js",
      // A CommonJS bundle (compiling.cjs) sits beside recovering-parser.cjs in dist/cli/.
      contents:
        esbuild.initialOptions.format === "cjs"
          ? `
        let recoveringParser;
        export function recoveringParse(source, diagnostics, limits, scanned) {
          // With its code cache, as bin/oq.js runs this bundle (dist/cli/ -> bin/).
          recoveringParser ??= require(__dirname + "/../../bin/codeCache.cjs").requireWithCodeCache(__dirname + "/recovering-parser.cjs");
          return recoveringParser.recoveringParse(source, diagnostics, limits, scanned);
        }`
          : `
        import { existsSync } from "node:fs";
        import { createRequire } from "node:module";
        import { fileURLToPath } from "node:url";
        let recoveringParser;
        export function recoveringParse(source, diagnostics, limits, scanned) {
          if (!recoveringParser) {
            // This stand-in sits in dist/cli/ or in dist/cli/chunks/; the bundle runs through
            // bin/codeCache.cjs, as the compiling bundle runs it (it is not a file require() runs).
            const up = existsSync(fileURLToPath(new URL("./recovering-parser.cjs", import.meta.url))) ? "./" : "../";
            const codeCache = createRequire(fileURLToPath(import.meta.url))(fileURLToPath(new URL(up + "../../bin/codeCache.cjs", import.meta.url)));
            recoveringParser = codeCache.requireWithCodeCache(fileURLToPath(new URL(up + "recovering-parser.cjs", import.meta.url)));
          }
          return recoveringParser.recoveringParse(source, diagnostics, limits, scanned);
        }`,
    }));
  },
};

/**
 * commander needs child_process only for a command that is a program of its own, which oq has
 * none of: it is required when used, not at every start (it loads Node's sockets, dgram and
 * more), in the bundles that hold commander: cli.js and reports.cjs (compiling.cjs holds none).
 */
const commanderWithoutChildProcess = {
  name: "commander-without-child-process",
  setup(esbuild) {
    esbuild.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer)
        ? { path: "child-process-when-used", namespace: "oq-commander" }
        : undefined,
    );
    esbuild.onLoad({ filter: /.*/, namespace: "oq-commander" }, () => ({
      loader: "js",
      contents: `module.exports = { spawn: (...args) => require("node:child_process").spawn(...args) };`,
    }));
  },
};
await build({
  ...common,
  entryPoints: { cli: "src/cli/oq.ts" },
  outdir: "dist/cli",
  format: "esm",
  // Commands that need more (zod, the formatter, the client) load their chunk when they run.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  plugins: [lazyRecoveringParser, commanderWithoutChildProcess],
  // commander is CommonJS; inside an ES module bundle it needs a real `require` for node: builtins.
  banner: {
    js: "import { createRequire as __oqCreateRequire } from 'node:module'; const require = __oqCreateRequire(import.meta.url);",
  },
});

// The playground (docs/playground.md): a static page and one classic script, so that it works
// opened from disk (a browser loads no module script from file://). Built for the browser, it
// also proves the compiler imports no `node:` module: esbuild cannot resolve one there.
await build({
  entryPoints: ["src/playground/page.ts"],
  outfile: "dist/playground/playground.js",
  bundle: true,
  platform: "browser",
  format: "iife",
  target: "es2022",
  minify: true,
  legalComments: "linked",
  logLevel: "warning",
});
cpSync(
  new URL("../src/playground/index.html", import.meta.url),
  new URL("../dist/playground/index.html", import.meta.url),
);

/**
 * zod (450 KB) in a file of its own beside the CommonJS bundles, dist/cli/zod.cjs, required where
 * a bundle first runs code that imports it: each schema of oq's is imported lazily (`await
 * import(...)`), so a bundle holds the schemas' own code but parses zod only when one is used.
 * Only zod, which holds no class of oq's, is shared between files: a schema file of oq's own
 * carried a second copy of the client's ServerText, which broke `oq reports` (cold test).
 */
const zodOnFirstUse = {
  name: "zod-on-first-use",
  setup(esbuild) {
    esbuild.onResolve({ filter: /^zod$/ }, () => ({ path: "zod", namespace: "oq-zod" }));
    esbuild.onLoad({ filter: /.*/, namespace: "oq-zod" }, () => ({
      loader: "js",
      contents: `module.exports = require(__dirname + "/zod.cjs");`,
    }));
  },
};
await build({
  ...commonJs,
  stdin: { contents: `export * from "zod";`, resolveDir: ".", sourcefile: "zod.ts", loader: "ts" },
  outfile: "dist/cli/zod.cjs",
});
// The compiling commands (compile, check, plan, explain) in one synchronous CommonJS file, which
// bin/oq.js runs for them: Node loads it without the ES module loader's work, so that they start
// about as fast as Node itself (BENCHMARKS.md, "Cold start").
await build({
  ...runWithCodeCache,
  entryPoints: ["src/cli/oqCompiling.ts"],
  outfile: "dist/cli/compiling.cjs",
  plugins: [lazyRecoveringParser, zodOnFirstUse],
});
// `oq reports ...` in a CommonJS file of its own, which bin/oq.js runs with its code cache
// (written below, once dist/lib is built, by exporting from a local sandbox).
await build({
  ...runWithCodeCache,
  entryPoints: ["src/cli/oqReports.ts"],
  outfile: "dist/cli/reports.cjs",
  plugins: [commanderWithoutChildProcess, zodOnFirstUse],
});

// V8's code cache of compiling.cjs and of recovering-parser.cjs (bin/codeCache.cjs), written by
// running the commands compiling.cjs holds on a query with no mistake, one with a misspelt field
// and one with syntax errors, in a Node process of their own: a cache
// is accepted only by the Node (V8 version and flags) that wrote it.
{
  const scratch = mkdtempSync(join(tmpdir(), "oq-code-cache-"));
  try {
    const good = join(scratch, "good.oq");
    const mistaken = join(scratch, "mistaken.oq");
    writeFileSync(good, 'email ends "gmail.com" and opens >= 3 during 30d select email, opens\n');
    writeFileSync(mistaken, 'opnes >= 3 and city = "Paris"\n');
    // A syntax error: the recovering parser's cache too.
    const broken = join(scratch, "broken.oq");
    writeFileSync(broken, "opens >= during 30d and (city = 'Paris'\n");
    const runs = [good, mistaken, broken].flatMap((file) =>
      ["compile", "check", "plan", "explain"].map((command) => [command, file]),
    );
    const codeCache = fileURLToPath(new URL("../bin/codeCache.cjs", import.meta.url));
    const bundle = fileURLToPath(new URL("../dist/cli/compiling.cjs", import.meta.url));
    execFileSync(
      process.execPath,
      [
        "-e",
        `require(${JSON.stringify(codeCache)}).writeCodeCache(${JSON.stringify(bundle)}, ${JSON.stringify(runs)})`,
      ],
      { cwd: scratch, stdio: ["ignore", "ignore", "pipe"] },
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// --inlineSources: the library's source maps carry the TypeScript they map to, as esbuild's do, so
// the package's maps point at nothing missing without shipping src/ (and inviting deep imports of it).
// --noCheck: emit only. The type check is `npm run typecheck` (src and test in one program, which
// `npm test` runs after the build); checking here too cost the suite a second full check.
execFileSync(
  process.execPath,
  ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json", "--inlineSources", "--noCheck"],
  { stdio: "inherit" },
);

// What require("oq"), require("oq/client") and require("oq/sandbox") load (package.json's
// "require" conditions): hand-written CommonJS that tsc does not compile, so copied as it is.
cpSync(new URL("../src/require", import.meta.url), new URL("../dist/lib/require", import.meta.url), {
  recursive: true,
});

// V8's code cache of reports.cjs, written by exporting from a local sandbox (dist/lib's) in a
// Node process of its own: in a folder of its own (no oq.config.json or findings file of the
// user's above it) and without the user's oq and Ongage settings, which are not the build's.
{
  const scratch = mkdtempSync(join(tmpdir(), "oq-reports-cache-"));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(OQ_|ONGAGE_)/.test(name)),
  );
  try {
    execFileSync(process.execPath, [fileURLToPath(new URL("reportsCodeCache.mjs", import.meta.url))], {
      cwd: scratch,
      env,
      stdio: ["ignore", "ignore", "inherit"],
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// Functions, not constants: --if-stale asks them before the module's constants exist.
/** What the build reads: a change to any of them (a file added or removed too) makes it stale. */
function buildSources() {
  return [
    "src",
    "scripts/build.mjs",
    "scripts/reportsCodeCache.mjs",
    "bin/codeCache.cjs",
    "package.json",
    "package-lock.json",
    "tsconfig.json",
  ];
}
/** What it writes that the tests use, each written after the sources were read (the code cache last). */
function buildOutputs() {
  return [
    "dist/cli/cli.js",
    "dist/cli/compiling.cjs.cache",
    "dist/cli/reports.cjs.cache",
    "dist/lib/index.js",
    "dist/playground/playground.js",
  ];
}

function newestChange(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, entry)));
  return newest;
}

/** Why dist/ is not the build of the sources as they are now, or undefined when it is. */
function staleBuild() {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const missing = buildOutputs().find((output) => !existsSync(join(root, output)));
  if (missing) return `${missing} is missing`;
  const built = Math.min(...buildOutputs().map((output) => statSync(join(root, output)).mtimeMs));
  const changed = buildSources().find((source) => newestChange(join(root, source)) > built);
  return changed ? `${changed} changed after the last build` : undefined;
}
