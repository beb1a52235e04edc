import { beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain JavaScript script, without type declarations.
import { findUnusedExports, readAllowList } from "../scripts/unusedExports.mjs";

/*
 * The check type-checks the whole project (a TypeScript program of src/ and test/), the dearest
 * thing in the suite: it runs once, without the allow-list, and both tests read that result
 * (the allow-list only filters what it finds).
 */
let everyUnused: string[] = [];
beforeAll(() => {
  everyUnused = findUnusedExports(new Set()) as string[];
}, 60_000);

describe("unused exports", () => {
  it("every export of src/ is used by another file, a test or the public API", () => {
    const allowed = readAllowList() as Set<string>;
    expect(everyUnused.filter((name) => !allowed.has(name))).toEqual([]);
  });

  it("finds unused exports: without the allow-list, it reports the ones listed there", () => {
    const allowed = [...(readAllowList() as Set<string>)];
    // Not vacuous: the check sees each listed export as unused (and each is still in the source).
    expect(everyUnused.slice().sort()).toEqual(allowed.slice().sort());
  });
});
