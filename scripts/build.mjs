// Builds the library (tsc: JavaScript and type declarations in dist/lib) and the command-line
// bundle (esbuild: dist/cli/cli.js and lazily loaded chunks, with their dependencies, for a fast start).
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { build } from "esbuild";

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: { cli: "src/cli/main.ts" },
  outdir: "dist/cli",
  // Commands that need more (zod, the formatter) load their chunk when they run.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  sourcemap: "linked",
  legalComments: "linked",
  // commander is CommonJS; inside an ES module bundle it needs a real `require` for node: builtins.
  banner: { js: "import { createRequire as __oqCreateRequire } from 'node:module'; const require = __oqCreateRequire(import.meta.url);" },
  logLevel: "warning",
});

execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], { stdio: "inherit" });
