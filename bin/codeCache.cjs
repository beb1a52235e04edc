// V8's code cache for oq's CommonJS bundles: the bytecode V8 compiled for a bundle, written once
// when oq is built (scripts/build.mjs) and read back at each start, so that a command runs
// without parsing and compiling its JavaScript again (BENCHMARKS.md, "Cold start"). V8 turns away
// a cache of another V8 version or other flags, but of the source it checks only the length, and
// of the cache nothing (a flipped bit can crash it): so each cache file starts with a SHA-1 of the
// bundle's bytes and the cache's, and one that does not match is not given to V8. The bundle is
// then compiled from source as require() would, only slower.
"use strict";
const { createHash } = require("node:crypto");
const { readFileSync, renameSync, writeFileSync } = require("node:fs");
// Module (the CommonJS loader) without require("node:module"), whose loading costs more.
const { createRequire, wrap } = module.constructor;
const { dirname } = require("node:path");
const vm = require("node:vm");

/** Where the code cache of the bundle `file` is kept: beside it. */
const cacheFileOf = (file) => `${file}.cache`;

/** The bytes a cache file starts with: what the cache belongs to, and that it is whole. */
const digestBytes = 20;
const digestOf = (source, cache) => createHash("sha1").update(source).update(cache).digest();

/** The bundle compiled as require() compiles a CommonJS file, with `cachedData` when given. */
function compile(file, source, cachedData) {
  return new vm.Script(wrap(source.toString("utf8")), { filename: file, cachedData });
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
  if (stored.length <= digestBytes) return undefined;
  const cache = stored.subarray(digestBytes);
  return digestOf(source, cache).equals(stored.subarray(0, digestBytes)) ? cache : undefined;
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
    const cache = script.createCachedData();
    writeFileSync(`${cacheFile}.partial`, Buffer.concat([digestOf(source, cache), cache]));
    renameSync(`${cacheFile}.partial`, cacheFile);
  }
}

module.exports = { readCache, requireWithCodeCache, writeCodeCache };
