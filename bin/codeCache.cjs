// V8's code cache for oq's CommonJS bundles: the bytecode V8 compiled for a bundle, written once
// when oq is built (scripts/build.mjs) and read back at each start, so that a command runs
// without parsing and compiling its JavaScript again (BENCHMARKS.md, "Cold start"). V8 checks
// that a cache belongs to the very source, V8 version and flags it is given, and turns one that
// does not away: the bundle is then compiled from source as require() would, only slower.
"use strict";
const { readFileSync, renameSync, writeFileSync } = require("node:fs");
// Module (the CommonJS loader) without require("node:module"), whose loading costs more.
const { createRequire, wrap } = module.constructor;
const { dirname } = require("node:path");
const vm = require("node:vm");

/** Where the code cache of the bundle `file` is kept: beside it. */
const cacheFileOf = (file) => `${file}.cache`;

/** The bundle compiled as require() compiles a CommonJS file, with `cachedData` when given. */
function compile(file, cachedData) {
  return new vm.Script(wrap(readFileSync(file, "utf8")), { filename: file, cachedData });
}

/** Runs a compiled bundle as require() runs it, and gives its exports. */
function run(script, file) {
  const module = { exports: {} };
  script
    .runInThisContext()
    .call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

/** The bundles this process compiled, by file: writeCodeCache writes the cache of each. */
const compiledBundles = new Map();

/**
 * Runs the CommonJS bundle `file` with its code cache, or from source when V8 turns the cache
 * away; once per process, as require() does.
 */
function requireWithCodeCache(file) {
  const loaded = compiledBundles.get(file);
  if (loaded) return loaded.exports;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFileOf(file));
  } catch {
    // No cache (a build that could not write one): compiled from source.
  }
  const script = compile(file, cachedData);
  const bundle = { script, exports: {} };
  compiledBundles.set(file, bundle);
  bundle.exports = run(script, file);
  return bundle.exports;
}

/**
 * Writes the code cache of the bundle `file`, and of each bundle it loaded with
 * requireWithCodeCache (the recovering parser), after running it once for each argv of `runs`
 * in this process (each run of the bundle runs its command with process.argv), so that the
 * caches hold the functions those commands compiled, not only the bundles' top level.
 */
async function writeCodeCache(file, runs) {
  const script = compile(file);
  compiledBundles.set(file, { script });
  for (const argv of runs) {
    process.argv = [process.argv[0], file, ...argv];
    run(script, file);
    // The commands are asynchronous: let each finish before the next.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The runs' exit statuses are theirs (a query with a mistake fails), not this process's.
  process.exitCode = 0;
  for (const [bundle, { script }] of compiledBundles) {
    const cache = cacheFileOf(bundle);
    writeFileSync(`${cache}.partial`, script.createCachedData());
    renameSync(`${cache}.partial`, cache);
  }
}

module.exports = { requireWithCodeCache, writeCodeCache };
