// V8's code cache for oq's CommonJS bundles: the bytecode V8 compiled for a bundle, written once
// when oq is built (scripts/build.mjs) and read back at each start, so that a command runs
// without parsing and compiling its JavaScript again (BENCHMARKS.md, "Cold start"). V8 turns away
// a cache of another V8 version or other flags, but of the source it checks only the length, and
// of the cache nothing but its length (a flipped bit can crash it, or worse). So a cache file
// holds a copy of the bundle it was made from, then the cache, then every byte value once, then
// the cache again with its two halves swapped (its second copy, rotated by half its length):
// - the cache is given to V8 only when the copy is the bundle, byte for byte, and the second
//   copy, its halves swapped back, is the cache, byte for byte. A byte of the cache is checked
//   against the byte half the cache away in the second copy, so the same damage at the same
//   place of both passes only if it is longer than half the cache. Between the two lie every
//   byte value once, in order: a byte value rewritten into another through the file (CR -> LF),
//   which moving bytes keeps consistent, rewrites one of them. A flipped bit, a cut, a block of
//   zeros, the same change at the same place of both, line endings or characters converted
//   through the file do not pass. Earlier schemes let such damage through, and V8 crashed on it
//   in cold tests of issue 21: a plain second copy (any change at the same place of both), the
//   cache's bytes in reverse order (a change centred on the cache's middle, which reversing maps
//   onto itself), and either without the byte values between (CR -> LF through the file);
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
const { wrap } = module.constructor;
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

/**
 * The bundle compiled as require() compiles a CommonJS file, with `cachedData` when given.
 * `source` is its text, or its bytes.
 */
function compile(file, source, cachedData) {
  const text = typeof source === "string" ? source : source.toString("utf8");
  return new vm.Script(text.startsWith(wrapper.start) ? text : wrap(text), { filename: file, cachedData });
}

/** Where the cache's halves meet: its second copy starts with the bytes from here (the second half). */
const halfOf = (cacheLength) => cacheLength >> 1;

/**
 * Every byte value once, in order, between the cache and its second copy: a rewriting of one
 * byte value into another through the file, which a second copy made by moving bytes keeps
 * consistent (a CR -> LF conversion: cold test, V8 crashed), rewrites one of these too.
 */
const allByteValues = Buffer.from(Array.from({ length: 256 }, (_, value) => value));

/**
 * Where a cache file holds its parts (offsets in bytes), for a bundle of `sourceLength` bytes and
 * a cache of `cacheLength`: the copy of the bundle from 0, then the cache, every byte value and
 * the cache's second copy.
 */
function cacheFileLayout(sourceLength, cacheLength) {
  const cache = sourceLength;
  const byteValues = cache + cacheLength;
  const secondCopy = byteValues + allByteValues.length;
  return { cache, byteValues, secondCopy, size: secondCopy + cacheLength };
}

/**
 * What a cache file holds: the bundle `source`, then `cache`, then every byte value in order,
 * then `cache` with its halves swapped.
 */
function cacheFileContents(source, cache) {
  const half = halfOf(cache.length);
  return Buffer.concat([source, cache, allByteValues, cache.subarray(half), cache.subarray(0, half)]);
}

/**
 * How much of a cache file's copy of the bundle, and of the cache's second copy, is read and
 * compared at a time: into the memory after the bundle's bytes, then after the cache (`written`,
 * below).
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
 * Memory the process has written to already, read into again for each bundle: its bytes (V8
 * copies them into its own string), then its cache (V8 has done with it once the bundle is
 * compiled), and after them the parts the checks read into. The second bundle (the recovering
 * parser's) fits in the first's: only the first costs fresh memory, and one region where the
 * bytes, the cache and the parts had one each. Fresh memory costs more to fill than its bytes:
 * the system maps it page by page as it is first written, and on a virtual machine like this
 * project's CI a page costs ~13-28 µs (reading the compiling bundle's 132 KB into fresh memory
 * took 0.6 ms, into memory written before 0.015 ms).
 */
let written;

/** At least `length` bytes of memory: the process's own when it is large enough, else fresh (kept for the next bundle). */
function memoryOf(length) {
  if (!written || written.length < length) written = Buffer.allocUnsafeSlow(length);
  return written;
}

/** How much memory checking a cache of `cacheLength` bytes, of a bundle of `sourceLength`, reads into. */
const memoryToCheck = (sourceLength, cacheLength) => Math.max(sourceLength, cacheLength) + partSize;

/** Whether the bytes of `fd` from `position` are `expected`; read in parts into `scratch`. */
function holds(fd, position, expected, scratch) {
  for (let at = 0; at < expected.length; at += scratch.length) {
    const stored = scratch.subarray(0, Math.min(scratch.length, expected.length - at));
    if (!readFully(fd, stored, position + at)) return false;
    if (!stored.equals(expected.subarray(at, at + stored.length))) return false;
  }
  return true;
}

/** The cache's length in a cache file of `size` bytes of a bundle of `sourceLength`; undefined when none fits. */
function cacheLengthOf(size, sourceLength) {
  const caches = size - sourceLength - allByteValues.length;
  return caches > 0 && caches % 2 === 0 ? caches / 2 : undefined;
}

/**
 * The code cache of `source` in the cache file `fd`, which holds one of `length` bytes (its size
 * says: cacheLengthOf), or undefined when it is not this source's, or its second copy, halves
 * swapped back, is not it. Read into `memory`, which must hold memoryToCheck bytes and is written
 * over from its start: `source` may be its first bytes, which are compared before the cache is
 * read over them.
 */
function checkedCache(fd, source, length, memory) {
  const layout = cacheFileLayout(source.length, length);
  const scratchAfter = (end) => memory.subarray(end, end + partSize);
  if (!holds(fd, 0, source, scratchAfter(source.length))) return undefined;
  const cache = memory.subarray(0, length);
  if (!readFully(fd, cache, layout.cache)) return undefined;
  if (!holds(fd, layout.byteValues, allByteValues, scratchAfter(length))) return undefined;
  // The second copy: the cache's second half, then its first half.
  const half = halfOf(length);
  const { secondCopy } = layout;
  if (!holds(fd, secondCopy, cache.subarray(half), scratchAfter(length))) return undefined;
  if (!holds(fd, secondCopy + length - half, cache.subarray(0, half), scratchAfter(length))) return undefined;
  // A file longer than it was when measured (written to meanwhile) is not the one measured.
  return readSync(fd, memory, length, 1, layout.size) === 0 ? cache : undefined;
}

/** The size of the open file `fd`, or undefined when it cannot be read (a folder, a read error). */
function sizeOf(fd) {
  try {
    return fstatSync(fd).size;
  } catch {
    return undefined;
  }
}

/** `file` opened to read, or undefined when there is none (a build that could not write a cache). */
function openToRead(file) {
  try {
    return openSync(file, "r");
  } catch {
    return undefined;
  }
}

/**
 * The code cache of `source` kept in `cacheFile`, or undefined when there is none, or it is not
 * this source's, or its second copy, halves swapped back, is not it; in fresh memory.
 */
function readCache(cacheFile, source) {
  const fd = openToRead(cacheFile);
  if (fd === undefined) return undefined;
  try {
    const size = sizeOf(fd);
    const length = size === undefined ? undefined : cacheLengthOf(size, source.length);
    if (length === undefined) return undefined;
    return checkedCache(fd, source, length, Buffer.allocUnsafeSlow(memoryToCheck(source.length, length)));
  } catch {
    // Unreadable (a read error): compiled from source.
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * The text of the bundle `file` and its code cache (undefined when there is none, or it is not
 * this text's, whole): the bytes and the cache read into the process's memory (`written`).
 */
function readBundleAndCache(file) {
  const fd = openSync(file, "r");
  const cacheFd = openToRead(cacheFileOf(file));
  try {
    const sourceLength = fstatSync(fd).size;
    const cacheSize = cacheFd === undefined ? undefined : sizeOf(cacheFd);
    const cacheLength = cacheSize === undefined ? undefined : cacheLengthOf(cacheSize, sourceLength);
    const memory = memoryOf(
      cacheLength === undefined ? sourceLength : memoryToCheck(sourceLength, cacheLength),
    );
    const source = memory.subarray(0, sourceLength);
    if (!readFully(fd, source, 0)) throw new Error(`${file} was cut short while it was read`);
    const text = source.toString("utf8");
    let cache;
    try {
      cache = cacheLength === undefined ? undefined : checkedCache(cacheFd, source, cacheLength, memory);
    } catch {
      // Unreadable (a read error): compiled from source.
    }
    return { text, cache };
  } finally {
    closeSync(fd);
    if (cacheFd !== undefined) closeSync(cacheFd);
  }
}

/**
 * Runs a compiled bundle as require() runs it, and gives its exports. Its `require` is this
 * file's: a bundle requires only Node's modules and files by absolute path (esbuild writes
 * `__dirname + "/zod.cjs"`; test/package.test.ts checks the built ones), which any require finds
 * alike, and making one for each file (createRequire) cost a syntax error's start ~0.5-1 ms.
 */
function run(script, file) {
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, require, module, file, dirname(file));
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
  const { text, cache } = readBundleAndCache(file);
  // V8 reads the cache while it compiles: its memory is free for the next bundle afterwards.
  const script = compile(file, text, cache);
  const bundle = { script, exports: {} };
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
  const script = compile(file, readFileSync(file));
  compiledBundles.set(file, { script });
  for (const argv of runs) {
    process.argv = [process.argv[0], file, ...argv];
    // The commands are asynchronous: each bundle exports `ran`, which settles when its command
    // has finished; the next starts after it.
    await run(script, file).ran;
  }
  // The runs' exit statuses are theirs (a query with a mistake fails), not this process's.
  process.exitCode = 0;
  for (const [bundle, { script }] of compiledBundles) {
    const cacheFile = cacheFileOf(bundle);
    // The bundle's bytes again: the memory requireWithCodeCache read them into has been read into since.
    const source = readFileSync(bundle);
    writeFileSync(`${cacheFile}.partial`, cacheFileContents(source, script.createCachedData()));
    renameSync(`${cacheFile}.partial`, cacheFile);
  }
}

module.exports = { cacheFileLayout, compile, readCache, requireWithCodeCache, wrapper, writeCodeCache };
