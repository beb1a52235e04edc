// V8's code cache for oq's CommonJS bundles: the bytecode V8 compiled for a bundle, written once
// when oq is built (scripts/build.mjs) and read back at each start, so that a command runs
// without parsing and compiling its JavaScript again (BENCHMARKS.md, "Cold start"). V8 turns away
// a cache of another V8 version or other flags, but of the source it checks only the length, and
// of the cache nothing unless asked (a flipped bit can crash it). So:
// - each cache file starts with a copy of the bundle it was made from, and is given to V8 only
//   when that copy is the bundle, byte for byte (a comparison, where hashing cost a start-up
//   ~8 ms, most of it loading node:crypto);
// - V8 writes a checksum into the cache and checks it (--verify-snapshot-checksum), switched on
//   only while a bundle is compiled or its cache made: it is part of the flags a cache must
//   match, and left on, every built-in module loaded later would be compiled without its own
//   cache. A cache V8 turns away costs only time: the bundle is compiled from source as
//   require() would.
"use strict";
const { readFileSync, renameSync, writeFileSync } = require("node:fs");
// Module (the CommonJS loader) without require("node:module"), whose loading costs more.
const { createRequire, wrap } = module.constructor;
const { dirname } = require("node:path");
const { setFlagsFromString } = require("node:v8");
const vm = require("node:vm");

/** Where the code cache of the bundle `file` is kept: beside it. */
const cacheFileOf = (file) => `${file}.cache`;

/** Runs `work` with V8 checking (or, making a cache, writing) a code cache's checksum. */
function withCacheChecksum(work) {
  setFlagsFromString("--verify-snapshot-checksum");
  try {
    return work();
  } finally {
    setFlagsFromString("--no-verify-snapshot-checksum");
  }
}

/** The bundle compiled as require() compiles a CommonJS file, with `cachedData` when given. */
function compile(file, source, cachedData) {
  return withCacheChecksum(
    () => new vm.Script(wrap(source.toString("utf8")), { filename: file, cachedData }),
  );
}

/** The code cache of `source` kept in `cacheFile`, or undefined when there is none or it is not this source's, whole. */
function readCache(cacheFile, source) {
  let stored;
  try {
    stored = readFileSync(cacheFile);
  } catch {
    // No cache (a build that could not write one): compiled from source.
    return undefined;
  }
  if (stored.length <= source.length) return undefined;
  return source.equals(stored.subarray(0, source.length)) ? stored.subarray(source.length) : undefined;
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
  const source = readFileSync(file);
  const script = compile(file, source, readCache(cacheFileOf(file), source));
  const bundle = { script, source, exports: {} };
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
  const source = readFileSync(file);
  const script = compile(file, source);
  compiledBundles.set(file, { script, source });
  for (const argv of runs) {
    process.argv = [process.argv[0], file, ...argv];
    run(script, file);
    // The commands are asynchronous: let each finish before the next.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The runs' exit statuses are theirs (a query with a mistake fails), not this process's.
  process.exitCode = 0;
  for (const [bundle, { script, source }] of compiledBundles) {
    const cacheFile = cacheFileOf(bundle);
    const cache = withCacheChecksum(() => script.createCachedData());
    writeFileSync(`${cacheFile}.partial`, Buffer.concat([source, cache]));
    renameSync(`${cacheFile}.partial`, cacheFile);
  }
}

module.exports = { compile, readCache, requireWithCodeCache, writeCodeCache };
