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
const {
  closeSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
} = require("node:fs");
// Module (the CommonJS loader) without require("node:module"), whose loading costs more.
const { createRequire, wrap } = module.constructor;
const { dirname } = require("node:path");
const vm = require("node:vm");

/** Where the code cache of the bundle `file` is kept: beside it. */
const cacheFileOf = (file) => `${file}.cache`;

/**
 * What oq's bundles that run through here start and end with (scripts/build.mjs writes it around
 * them): the function require() wraps a module's code in. V8 then compiles the file's text as it
 * is, where joining the text to the wrapper made a second copy of all of it (~0.5 ms of a start
 * for the compiling bundle). A file without it (a test's bundle) is wrapped as require() does.
 */
const wrapper = { start: "(function (exports, require, module, __filename, __dirname) {", end: "})" };

/** The bundle compiled as require() compiles a CommonJS file, with `cachedData` when given. */
function compile(file, source, cachedData) {
  const text = source.toString("utf8");
  return new vm.Script(text.startsWith(wrapper.start) ? text : wrap(text), { filename: file, cachedData });
}

/** What a cache file holds: the bundle `source`, then `cache`, then its bytes in reverse order. */
function cacheFileContents(source, cache) {
  return Buffer.concat([source, cache, Buffer.from(cache).reverse()]);
}

/**
 * How much of a cache file's copy of the bundle and of its mirror image is read, and compared, at
 * a time: into one buffer, read into again and again. Only the cache itself, which V8 reads
 * whole, has a buffer of its own (`mapped` below): a fresh buffer costs more to fill than its bytes (the system maps
 * its memory page by page as it is first written: reading a cache file of 640 KB whole took
 * ~2.1 ms on a CI machine, and in parts of this size 0.55 ms).
 */
const partSize = 64 * 1024;

/** Fills `buffer` from `fd` at `position`; false when the file ends before it is full. */
function readFully(fd, buffer, position) {
  let filled = 0;
  while (filled < buffer.length) {
    const read = readSync(fd, buffer, filled, buffer.length - filled, position + filled);
    if (read === 0) return false;
    filled += read;
  }
  return true;
}

/**
 * Memory the system has mapped already, read into again, since a fresh buffer costs more to fill
 * than its bytes (above): the parts compared, and the cache of a second bundle (the recovering
 * parser's), read into the first bundle's, which V8 has done with once that bundle is compiled.
 */
const mapped = { part: undefined, cache: undefined };

/**
 * The code cache of `source` kept in `cacheFile`, or undefined when there is none, or it is not
 * this source's, or it is not its mirror image turned back. Read into `memory` when it is given
 * and large enough.
 */
function readCache(cacheFile, source, memory) {
  let fd;
  try {
    fd = openSync(cacheFile, "r");
  } catch {
    // No cache (a build that could not write one): compiled from source.
    return undefined;
  }
  try {
    const caches = fstatSync(fd).size - source.length;
    if (caches <= 0 || caches % 2 !== 0) return undefined;
    const length = caches / 2;
    const part = (mapped.part ??= Buffer.allocUnsafeSlow(partSize));
    for (let at = 0; at < source.length; at += part.length) {
      const stored = part.subarray(0, Math.min(part.length, source.length - at));
      if (!readFully(fd, stored, at) || !stored.equals(source.subarray(at, at + stored.length)))
        return undefined;
    }
    const cache =
      memory && memory.length >= length ? memory.subarray(0, length) : Buffer.allocUnsafeSlow(length);
    if (!readFully(fd, cache, source.length)) return undefined;
    // The mirror's bytes from `at` are the cache's bytes before `length - at`, in reverse order.
    for (let at = 0; at < length; at += part.length) {
      const mirrored = part.subarray(0, Math.min(part.length, length - at));
      if (!readFully(fd, mirrored, source.length + length + at)) return undefined;
      if (!mirrored.reverse().equals(cache.subarray(length - at - mirrored.length, length - at)))
        return undefined;
    }
    // A file longer than it was when measured (written to meanwhile) is not the one measured.
    return readSync(fd, part, 0, 1, source.length + caches) === 0 ? cache : undefined;
  } catch {
    // Unreadable (a folder, a read error): compiled from source.
    return undefined;
  } finally {
    closeSync(fd);
  }
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
  const cache = readCache(cacheFileOf(file), source, mapped.cache);
  const script = compile(file, source, cache);
  // V8 has read the cache: its memory can take the next bundle's.
  if (cache && cache.length > (mapped.cache?.length ?? 0)) mapped.cache = cache;
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

module.exports = { compile, readCache, requireWithCodeCache, wrapper, writeCodeCache };
