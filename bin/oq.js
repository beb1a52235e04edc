#!/usr/bin/env node
// CommonJS (bin/package.json): Node starts a CommonJS script sooner than an ES module.
"use strict";
const { existsSync } = require("node:fs");
const { join } = require("node:path");

/**
 * The commands with a bundle of their own, one synchronous CommonJS file run with V8's code
 * cache (codeCache.cjs), so that they start about as fast as Node itself (docs/ARCHITECTURE.md, "Start-up"). Kept equal to what
 * src/cli/compilingCommands.ts adds by a test (cli.test.ts).
 */
const compilingCommands = ["compile", "check", "plan", "explain"];

const dist = join(__dirname, "..", "dist", "cli");
if (!existsSync(join(dist, "cli.js"))) {
  // In a checkout, or installed from git with scripts turned off (the prepare script builds dist/).
  process.stderr.write(
    "oq: not built (no dist/): in a checkout of oq run `npm run build`; installed from git, reinstall without --ignore-scripts so that oq's prepare script builds it\n",
  );
  // exitCodes.usage (src/app/exitCodes.ts): dist/ is what is missing, so it cannot be imported here;
  // test/package.test.ts keeps the two the same.
  process.exit(2);
}
/** The whole program: the bundle of ES modules, whose chunks each command loads when it runs. */
const runWholeProgram = () => import(require("node:url").pathToFileURL(join(dist, "cli.js")).href);
if (compilingCommands.includes(process.argv[2])) {
  const { ran, endSoon } = require("./codeCache.cjs").requireWithCodeCache(join(dist, "compiling.cjs"));
  // What the compiling bundle leaves to the whole program: help, --version, a usage error. A
  // command it ran has finished: the process ends as soon as its output is written.
  ran.then((done) => (done ? endSoon() : runWholeProgram()));
}
// `oq reports ...`: a CommonJS bundle of its own with its code cache, so that an export starts sooner.
else if (process.argv[2] === "reports")
  require("./codeCache.cjs").requireWithCodeCache(join(dist, "reports.cjs"));
else runWholeProgram();
