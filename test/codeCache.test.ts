import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scratch } from "./support/scratch.js";

/*
 * The code cache the compiling commands start with (bin/codeCache.cjs): V8 checks only the
 * length of the source a cache was made for, and nothing of the cache itself, so a stale cache
 * ran old code and a damaged one crashed Node (cold test of issue 21). A cache file holds a copy
 * of the bundle, then the cache twice: the cache is given to V8 only when the copy is this bundle
 * and the two copies of the cache are alike.
 */

const codeCache = createRequire(import.meta.url)("../bin/codeCache.cjs") as {
  readCache(cacheFile: string, source: Buffer): Buffer | undefined;
  compile(file: string, source: Buffer, cachedData?: Buffer): { cachedDataRejected?: boolean };
  requireWithCodeCache(file: string): { answer: number };
  writeCodeCache(file: string, runs: string[][]): Promise<void>;
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

  it("is not given to V8 with one bit of either copy flipped, or cut short (V8 could crash on it)", async () => {
    const { bundle, cacheFile } = await bundleWithCache("module.exports = { answer: 6 * 7 };\n");
    const source = readFileSync(bundle);
    const whole = readFileSync(cacheFile);
    const cache = codeCache.readCache(cacheFile, source)!;
    expect(whole.length).toBe(source.length + 2 * cache.length);
    // A flip in each copy of the cache, at its start, middle and end, then cuts of the file.
    const damaged = [source.length, source.length + cache.length].flatMap((at) =>
      [at, at + (cache.length >> 1), at + cache.length - 1].map((byte) => {
        const flipped = Buffer.from(whole);
        flipped[byte]! ^= 0x01;
        return flipped;
      }),
    );
    damaged.push(whole.subarray(0, whole.length - 1), whole.subarray(0, whole.length - 2));
    for (const stored of damaged) {
      writeFileSync(cacheFile, stored);
      expect(codeCache.readCache(cacheFile, source)).toBeUndefined();
    }
    // What is given to V8 is a cache V8 takes.
    const elsewhere = join(scratch({}), "bundle-whole.cjs");
    expect(codeCache.compile(elsewhere, source, cache).cachedDataRejected).toBe(false);
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
