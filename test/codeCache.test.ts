import fc from "fast-check";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scratch } from "./support/scratch.js";

/*
 * The code cache the compiling commands start with (bin/codeCache.cjs): V8 checks only the
 * length of the source a cache was made for, and nothing of the cache itself, so a stale cache
 * ran old code and a damaged one crashed Node (cold test of issue 21). A cache file holds a copy
 * of the bundle, then the cache, then the cache again with its halves swapped: the cache is given
 * to V8 only when the copy is this bundle and the second copy, its halves swapped back, is the cache.
 */

const codeCache = createRequire(import.meta.url)("../bin/codeCache.cjs") as {
  readCache(cacheFile: string, source: Buffer): Buffer | undefined;
  cacheFileLayout(
    sourceLength: number,
    cacheLength: number,
  ): { cache: number; byteValues: number; secondCopy: number; size: number };
  compile(file: string, source: Buffer, cachedData?: Buffer): { cachedDataRejected?: boolean };
  requireWithCodeCache(file: string): { answer: number };
  writeCodeCache(file: string, runs: string[][]): Promise<void>;
  wrapper: { start: string; end: string };
};

async function bundleWithCache(text: string): Promise<{ bundle: string; cacheFile: string }> {
  const folder = scratch({ "bundle.cjs": text });
  const bundle = join(folder, "bundle.cjs");
  const { argv, exitCode } = process;
  try {
    await codeCache.writeCodeCache(bundle, [[]]);
  } finally {
    process.argv = argv;
    process.exitCode = exitCode;
  }
  return { bundle, cacheFile: `${bundle}.cache` };
}

describe("a bundle's code cache", () => {
  it("is given to V8 when it is this bundle's, whole", async () => {
    const { bundle, cacheFile } = await bundleWithCache("module.exports = { answer: 6 * 7 };\n");
    expect(codeCache.readCache(cacheFile, readFileSync(bundle))?.length).toBeGreaterThan(0);
  });

  it("is not, once the bundle changed and kept its length (V8 would run the old code)", async () => {
    const { bundle, cacheFile } = await bundleWithCache("module.exports = { answer: 6 * 7 };\n");
    writeFileSync(bundle, "module.exports = { answer: 6 * 9 };\n");
    expect(codeCache.readCache(cacheFile, readFileSync(bundle))).toBeUndefined();
  });

  it("of the bundle before an edit of the same length: the edited bundle runs, not the old one", async () => {
    const { bundle, cacheFile } = await bundleWithCache("module.exports = { answer: 6 * 7 };\n");
    // A copy, which this process has not run yet (require() runs a file once per process).
    const folder = scratch({ "bundle.cjs": "module.exports = { answer: 6 * 9 };\n" });
    writeFileSync(join(folder, "bundle.cjs.cache"), readFileSync(cacheFile));
    expect(readFileSync(bundle).length).toBe(readFileSync(join(folder, "bundle.cjs")).length);
    expect(codeCache.requireWithCodeCache(join(folder, "bundle.cjs")).answer).toBe(54);
  });

  it("is not given to V8 damaged: a bit flipped, cut short, the same damage in both places, line endings converted (V8 could crash on it)", async () => {
    const { bundle, cacheFile } = await bundleWithCache("module.exports = { answer: 6 * 7 };\n");
    const source = readFileSync(bundle);
    const whole = readFileSync(cacheFile);
    const cache = codeCache.readCache(cacheFile, source)!;
    const layout = codeCache.cacheFileLayout(source.length, cache.length);
    expect(whole.length).toBe(layout.size);
    // A flip in the cache and in its second copy, at their start, middle and end, then cuts of the file.
    const damaged = [layout.cache, layout.secondCopy].flatMap((at) =>
      [at, at + (cache.length >> 1), at + cache.length - 1].map((byte) => {
        const flipped = Buffer.from(whole);
        flipped[byte]! ^= 0x01;
        return flipped;
      }),
    );
    damaged.push(whole.subarray(0, whole.length - 1), whole.subarray(0, whole.length - 2));
    // The same damage at the same place of both (a plain second copy let it through, and V8
    // crashed on it): a flipped bit, a block of zeros.
    for (const at of [3, cache.length >> 2, cache.length - 4]) {
      const twice = Buffer.from(whole);
      for (const start of [layout.cache, layout.secondCopy]) twice[start + at]! ^= 0x10;
      const zeroed = Buffer.from(whole);
      for (const start of [layout.cache, layout.secondCopy]) zeroed.fill(0, start + at, start + at + 3);
      damaged.push(twice, zeroed);
    }
    // Line endings converted through the whole file, the bundle's copy too.
    const crlf = Buffer.from(whole.toString("latin1").replace(/\n/g, "\r\n"), "latin1");
    expect(crlf.length).toBeGreaterThan(whole.length);
    damaged.push(crlf);
    for (const stored of damaged) {
      writeFileSync(cacheFile, stored);
      expect(codeCache.readCache(cacheFile, source)).toBeUndefined();
    }
    // What is given to V8 is a cache V8 takes.
    const elsewhere = join(scratch({}), "bundle-whole.cjs");
    expect(codeCache.compile(elsewhere, source, cache).cachedDataRejected).toBe(false);
  });

  it("is not given to V8 when the same damage, shorter than half the cache, is at the same place of the cache and of its second copy, wherever it is: its middle too (cold test: V8 crashed)", async () => {
    const { bundle, cacheFile } = await bundleWithCache(
      `const parts = [${Array.from({ length: 200 }, (_, i) => `(n) => n * ${i}`).join(", ")}];\nmodule.exports = { answer: parts[6](7) };\n`,
    );
    const source = readFileSync(bundle);
    const whole = readFileSync(cacheFile);
    const length = codeCache.readCache(cacheFile, source)!.length;
    expect(length).toBeGreaterThan(1024);
    const layout = codeCache.cacheFileLayout(source.length, length);
    expect(whole.length).toBe(layout.size);
    const cache = whole.subarray(layout.cache, layout.cache + length);
    /** The file with `bytes` written at `at` of the cache and at `at` of its second copy. */
    const damagedAt = (at: number, bytes: Uint8Array) => {
      const damaged = Buffer.from(whole);
      for (const start of [layout.cache, layout.secondCopy]) damaged.set(bytes, start + at);
      return damaged;
    };
    const refused = (damaged: Buffer) => {
      writeFileSync(cacheFile, damaged);
      return codeCache.readCache(cacheFile, source) === undefined;
    };
    // Centred on the middle: a second copy in reverse order (the scheme before) maps that place
    // onto itself, so the damage passed as its own mirror image, and V8 crashed on it.
    for (const size of [2, 8, 16, 64, 512]) {
      const zeros = new Uint8Array(size);
      const at = (length >> 1) - (size >> 1);
      // The damage happened: the cache's bytes there were not all zeros.
      expect(cache.subarray(at, at + size).every((byte) => byte === 0)).toBe(false);
      expect(refused(damagedAt(at, zeros)), `${size} zeros in the middle`).toBe(true);
    }
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: length - 1 }),
        fc.uint8Array({ minLength: 1, maxLength: 256 }),
        (at, bytes) => {
          const written = bytes.subarray(0, Math.min(bytes.length, length - at, (length >> 1) - 1));
          fc.pre(!Buffer.from(written).equals(cache.subarray(at, at + written.length)));
          return refused(damagedAt(at, written));
        },
      ),
      { numRuns: 300 },
    );
    writeFileSync(cacheFile, whole);
    expect(codeCache.readCache(cacheFile, source)?.equals(cache)).toBe(true);
  });

  it("is not given to V8 once one byte value is rewritten into another through the file, keeping its length (cold test: a CR -> LF conversion crashed V8)", async () => {
    const { bundle, cacheFile } = await bundleWithCache(
      `const parts = [${Array.from({ length: 200 }, (_, i) => `(n) => n * ${i}`).join(", ")}];\nmodule.exports = { answer: parts[6](7) };\n`,
    );
    const source = readFileSync(bundle);
    const whole = readFileSync(cacheFile);
    const rewritten = (file: Buffer, from: number, to: number) =>
      file.map((byte) => (byte === from ? to : byte));
    // Byte values of the cache the bundle has none of: rewriting them leaves the bundle's copy as
    // it was, as a CR -> LF conversion of a bundle with only LF line ends does.
    const inCacheOnly = [...new Set(whole.subarray(source.length))].filter((byte) => !source.includes(byte));
    expect(inCacheOnly.length).toBeGreaterThan(0);
    const refused = (damaged: Buffer, bundleText = source) => {
      // The damage happened: the file is another, of the same length.
      expect(damaged.equals(whole)).toBe(false);
      expect(damaged.length).toBe(whole.length);
      writeFileSync(cacheFile, damaged);
      return codeCache.readCache(cacheFile, bundleText) === undefined;
    };
    if (inCacheOnly.includes(0x0d)) expect(refused(Buffer.from(rewritten(whole, 0x0d, 0x0a)))).toBe(true);
    // LF -> CR through the bundle and its cache file alike: the bundle's copy still matches it.
    const macBundle = Buffer.from(rewritten(source, 0x0a, 0x0d));
    expect(refused(Buffer.from(rewritten(whole, 0x0a, 0x0d)), macBundle)).toBe(true);
    fc.assert(
      fc.property(fc.constantFrom(...inCacheOnly), fc.integer({ min: 0, max: 255 }), (from, to) => {
        fc.pre(from !== to);
        return refused(Buffer.from(rewritten(whole, from, to)));
      }),
      { numRuns: 100 },
    );
    writeFileSync(cacheFile, whole);
    expect(codeCache.readCache(cacheFile, source)?.length).toBeGreaterThan(0);
  });

  it("is read in parts of 64 KB: a large bundle's, whole, and not once any part of its copy, cache or second copy is damaged", async () => {
    // A string constant of 200 KB: the copy, the cache and the second copy each take several parts.
    const { bundle, cacheFile } = await bundleWithCache(
      `module.exports = { answer: 6 * 7, padding: "${"0123456789".repeat(20_000)}" };\n`,
    );
    const source = readFileSync(bundle);
    const whole = readFileSync(cacheFile);
    const cache = codeCache.readCache(cacheFile, source)!;
    expect(cache.length).toBeGreaterThan(3 * 64 * 1024);
    const layout = codeCache.cacheFileLayout(source.length, cache.length);
    expect(whole.length).toBe(layout.size);
    expect(cache.equals(whole.subarray(layout.cache, layout.cache + cache.length))).toBe(true);
    // A flipped byte in each part of the file, and at each part's edges.
    const damagedAt = [];
    for (let at = 0; at < whole.length; at += 64 * 1024) damagedAt.push(at, at + 1, at + 64 * 1024 - 1);
    damagedAt.push(source.length - 1, layout.cache, layout.byteValues, layout.secondCopy, whole.length - 1);
    for (const at of damagedAt.filter((at) => at < whole.length)) {
      const flipped = Buffer.from(whole);
      flipped[at]! ^= 0x01;
      writeFileSync(cacheFile, flipped);
      expect(codeCache.readCache(cacheFile, source)).toBeUndefined();
    }
    // Longer or shorter by a byte, or by two.
    for (const stored of [
      Buffer.concat([whole, Buffer.from([0])]),
      Buffer.concat([whole, Buffer.from([0, 0])]),
      whole.subarray(0, whole.length - 1),
      whole.subarray(0, whole.length - 2),
    ]) {
      writeFileSync(cacheFile, stored);
      expect(codeCache.readCache(cacheFile, source)).toBeUndefined();
    }
    writeFileSync(cacheFile, whole);
    expect(codeCache.readCache(cacheFile, source)?.equals(cache)).toBe(true);
  });

  it("of a second bundle is read into the memory of the first's, and both run as compiled", async () => {
    // The first bundle's cache is the larger; its functions, compiled into the cache, run after
    // the second bundle's cache was read over the memory V8 read the first's from.
    const first = await bundleWithCache(
      `const twice = (n) => n * 2; module.exports = { answer: twice(21), twice, padding: "${"x".repeat(50_000)}" };\n`,
    );
    const second = await bundleWithCache("module.exports = { answer: 6 * 9 };\n");
    expect(readFileSync(first.cacheFile).length).toBeGreaterThan(2 * readFileSync(second.cacheFile).length);
    const folder = scratch({});
    for (const [name, { bundle, cacheFile }] of Object.entries({ first, second })) {
      writeFileSync(join(folder, `${name}.cjs`), readFileSync(bundle));
      writeFileSync(join(folder, `${name}.cjs.cache`), readFileSync(cacheFile));
    }
    const one = codeCache.requireWithCodeCache(join(folder, "first.cjs")) as {
      answer: number;
      twice(n: number): number;
    };
    expect(codeCache.requireWithCodeCache(join(folder, "second.cjs")).answer).toBe(54);
    expect(one.answer).toBe(42);
    expect(one.twice(50)).toBe(100);
  });

  it("of a second bundle, read into the first's memory, is still refused when it is of another text of the same length", async () => {
    // The second bundle's bytes are read into the first's, and its checks read into the memory
    // of the first's bytes and cache: they must still compare the second's copy with its own text.
    const first = await bundleWithCache(
      `module.exports = { answer: 1, padding: "${"y".repeat(90_000)}" };\n`,
    );
    const old = await bundleWithCache("module.exports = { answer: 6 * 7 };\n");
    const folder = scratch({
      "first.cjs": readFileSync(first.bundle, "utf8"),
      "second.cjs": "module.exports = { answer: 6 * 9 };\n",
    });
    writeFileSync(join(folder, "first.cjs.cache"), readFileSync(first.cacheFile));
    writeFileSync(join(folder, "second.cjs.cache"), readFileSync(old.cacheFile));
    expect(codeCache.requireWithCodeCache(join(folder, "first.cjs")).answer).toBe(1);
    expect(codeCache.requireWithCodeCache(join(folder, "second.cjs")).answer).toBe(54);
  });

  it("is of the file's text as it is, for a bundle written inside require()'s wrapper (oq's own), and V8 takes it", async () => {
    const { start, end } = codeCache.wrapper;
    const text = `${start}\nmodule.exports = { answer: 6 * 7, file: __filename, exported: exports === module.exports };\n${end}\n`;
    const { bundle, cacheFile } = await bundleWithCache(text);
    const source = readFileSync(bundle);
    const cache = codeCache.readCache(cacheFile, source)!;
    expect(codeCache.compile(bundle, source, cache).cachedDataRejected).toBe(false);
    // A copy this process has not run yet.
    const folder = scratch({ "wrapped.cjs": text });
    writeFileSync(join(folder, "wrapped.cjs.cache"), readFileSync(cacheFile));
    expect(codeCache.requireWithCodeCache(join(folder, "wrapped.cjs"))).toEqual({
      answer: 42,
      file: join(folder, "wrapped.cjs"),
      exported: true,
    });
  });

  it("is not given to V8 once the copy of the bundle it starts with is damaged, or the file is empty", async () => {
    const { bundle, cacheFile } = await bundleWithCache("module.exports = { answer: 6 * 7 };\n");
    const flipped = readFileSync(cacheFile);
    flipped[3]! ^= 0x01;
    writeFileSync(cacheFile, flipped);
    expect(codeCache.readCache(cacheFile, readFileSync(bundle))).toBeUndefined();
    writeFileSync(cacheFile, "");
    expect(codeCache.readCache(cacheFile, readFileSync(bundle))).toBeUndefined();
  });
});
