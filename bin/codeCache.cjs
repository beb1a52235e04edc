// V8's code cache for oq's CommonJS bundles: the bytecode V8 compiled for a bundle, written once
// when oq is built (scripts/build.mjs) and read back at each start, so that a command runs
// without parsing and compiling its JavaScript again (BENCHMARKS.md, "Cold start"). V8 turns away
// a cache of another V8 version or other flags, but of the source it checks only the length, and
// of the cache nothing but its length (a flipped bit can crash it, or worse). So a cache file
// holds a copy of the bundle it was made from, then the cache, then the cache's bytes in reverse
// order (its mirror image):
// - the cache is given to V8 only when the copy is the bundle, byte for byte, and the mirror,
//   turned back, is the cache, byte for byte. Damage passes only if it changes a byte of the
//   cache and the byte at the mirrored place of the mirror alike: a flipped bit, a cut, a block
//   of zeros, the same change at the same place of both (a plain second copy let that through:
//   the cold test of issue 21 crashed V8 with it), line endings or characters converted through
//   the whole file (which shift the two differently) do not;
// - comparisons, because hashing in JavaScript costs more than reading a second copy, node:crypto
//   and node:zlib cost a start ~6 ms and ~4 ms to load, and V8's own checksum needs a V8 flag
//   switched on (node:v8, which loads Node's streams: ~3 ms) and only while compiling, since it
//   is one of the flags a cache must match.
// A cache not given to V8, or turned away by it, costs only time: the bundle is compiled from
// source as require() would.
"use strict";
const { readFileSync, renameSync, writeFileSync } = require("node:fs");
// Module (the CommonJS loader) without require("node:module"), whose loading costs more.
const { createRequire, wrap } = module.constructor;
const { dirname } = require("node:path");
const vm = require("node:vm");

/** Where the code cache of the bundle `file` is kept: beside it. */
const cacheFileOf = (file) => `${file}.cache`;

/** The bundle compiled as require() compiles a CommonJS file, with `cachedData` when given. */
function compile(file, source, cachedData) {
  return new vm.Script(wrap(source.toString("utf8")), { filename: file, cachedData });
}

/** What a cache file holds: the bundle `source`, then `cache`, then its bytes in reverse order. */
function cacheFileContents(source, cache) {
  return Buffer.concat([source, cache, Buffer.from(cache).reverse()]);
}

/**
 * The code cache of `source` kept in `cacheFile`, or undefined when there is none, or it is not
 * this source's, or it is not its mirror image turned back.
 */
function readCache(cacheFile, source) {
  let stored;
  try {
    stored = readFileSync(cacheFile);
  } catch {
    // No cache (a build that could not write one): compiled from source.
    return undefined;
  }
  const caches = stored.length - source.length;
  if (caches <= 0 || caches % 2 !== 0) return undefined;
  if (!source.equals(stored.subarray(0, source.length))) return undefined;
  const cache = stored.subarray(source.length, source.length + caches / 2);
  // Turned back in place: `stored` is this function's own.
  const mirror = stored.subarray(source.length + caches / 2).reverse();
  return cache.equals(mirror) ? cache : undefined;
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
 * in this process (each run of the bundle runs its command with process.argv, and the bundle
 * exports `ran`, a promise of the command's end), so that the caches hold the functions those
 * commands compiled, not only the bundles' top level.
 */
async function writeCodeCache(file, runs) {
  const source = readFileSync(file);
  const script = compile(file, source);
  compiledBundles.set(file, { script, source });
  for (const argv of runs) {
    process.argv = [process.argv[0], file, ...argv];
    // The commands are asynchronous: each bundle exports `ran`, which settles when its command
    // has finished; the next starts after it.
    await run(script, file).ran;
  }
  // The runs' exit statuses are theirs (a query with a mistake fails), not this process's.
  process.exitCode = 0;
  for (const [bundle, { script, source }] of compiledBundles) {
    const cacheFile = cacheFileOf(bundle);
    writeFileSync(`${cacheFile}.partial`, cacheFileContents(source, script.createCachedData()));
    renameSync(`${cacheFile}.partial`, cacheFile);
  }
}

module.exports = { compile, readCache, requireWithCodeCache, writeCodeCache };
