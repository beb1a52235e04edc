// Builds the library (tsc: JavaScript and type declarations in dist/lib), the command
// (esbuild: dist/cli/cli.js plus chunks that commands load when they run, for a fast start) and
// the playground page (esbuild: dist/playground/).
import { execFileSync } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import { build } from "esbuild";

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

// The chevrotain parser, as a separate CommonJS file: the command loads it (synchronously,
// with require) only for a query the fast parser gives up on, so that a query without
// mistakes never pays for loading chevrotain.
await build({
  ...common,
  entryPoints: ["src/parser/recoveringParser.ts"],
  outfile: "dist/cli/recovering-parser.cjs",
  format: "cjs",
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
      contents: `
        import { existsSync } from "node:fs";
        import { createRequire } from "node:module";
        import { fileURLToPath } from "node:url";
        let recoveringParser;
        export function recoveringParse(source, diagnostics, limits) {
          if (!recoveringParser) {
            // This stand-in sits in dist/cli/ or in dist/cli/chunks/.
            const here = fileURLToPath(import.meta.url);
            const candidates = [new URL("./recovering-parser.cjs", import.meta.url), new URL("../recovering-parser.cjs", import.meta.url)].map((url) => fileURLToPath(url));
            recoveringParser = createRequire(here)(candidates.find((path) => existsSync(path)));
          }
          return recoveringParser.recoveringParse(source, diagnostics, limits);
        }`,
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
  plugins: [lazyRecoveringParser],
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
