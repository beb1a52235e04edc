import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scratch } from "./support/scratch.js";

/*
 * The code cache the compiling commands start with (bin/codeCache.cjs): V8 checks only the
 * length of the source a cache was made for, and nothing of the cache itself, so a stale cache
 * ran old code and a damaged one crashed Node (cold test of issue 21). A cache is given to V8
 * only when the copy of the bundle it starts with is this bundle, and V8 checks its checksum.
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

  it("is turned away by V8, not run, with one bit of it flipped or cut short (V8 could crash on it)", async () => {
    const { bundle, cacheFile } = await bundleWithCache("module.exports = { answer: 6 * 7 };\n");
    const source = readFileSync(bundle);
    const whole = readFileSync(cacheFile);
    const flipped = Buffer.from(whole);
    flipped[flipped.length - 5]! ^= 0x01;
    const damaged = [flipped, whole.subarray(0, whole.length - 1)];
    // Compiled under another name: V8 keeps what this process compiled, by source and name, and
    // would not look at the cache at all.
    const elsewhere = (i: number) => join(scratch({}), `bundle-${i}.cjs`);
    for (const [i, stored] of damaged.entries()) {
      writeFileSync(cacheFile, stored);
      // The copy of the bundle it starts with is whole: the damage is V8's to find, by its checksum.
      const cache = codeCache.readCache(cacheFile, source);
      expect(cache?.length).toBe(stored.length - source.length);
      expect(codeCache.compile(elsewhere(i), source, cache).cachedDataRejected).toBe(true);
    }
    expect(codeCache.compile(elsewhere(2), source, whole.subarray(source.length)).cachedDataRejected).toBe(
      false,
    );
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
