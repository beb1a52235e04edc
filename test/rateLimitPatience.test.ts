import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { headerAuth } from "../src/client/auth.js";
import {
  cleanupBoundMs,
  defaultBackoff,
  rateLimitWait,
  type BackoffOptions,
  type RateLimitRun,
} from "../src/client/backoff.js";
import { OngageClient } from "../src/client/client.js";
import { compile } from "../src/index.js";
import { runReport } from "../src/runner/runReport.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { testSandbox } from "./support/sandbox.js";

/*
 * 429s are waited out by time, across Ongage's one-minute window, whatever Retry-After says;
 * and the clean-up's bound leaves room for a DELETE's whole patience (docs/running.md).
 */

let sandboxes: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
  sandboxes = [];
});

/** When each try of a call that meets 429s until `until` (ms after the first) happens, on the default schedule. */
function tries(
  until: number,
  retryAfterMs: number | undefined,
  isDelete: boolean,
  random: () => number,
): { at: number[]; gaveUp: boolean } {
  const run: RateLimitRun = { firstAt: undefined, retries: 0 };
  const at = [0];
  for (let now = 0; now < until;) {
    const wait = rateLimitWait(run, {}, retryAfterMs, isDelete, now, random);
    if (wait === undefined) return { at, gaveUp: true };
    now += wait;
    at.push(now);
  }
  return { at, gaveUp: false };
}

describe("429s are waited out by time", () => {
  it("a DELETE outlasts two full windows of 429s, with or without Retry-After, within the clean-up's bound", () => {
    for (const retryAfterMs of [undefined, 1000, 0]) {
      for (const random of [() => 0, () => 0.999]) {
        const { at, gaveUp } = tries(2 * 60_000 + 1, retryAfterMs, true, random);
        expect(gaveUp, `Retry-After ${retryAfterMs}`).toBe(false);
        // The try that succeeds, and a minute for the look-up and the calls themselves, fit in the bound.
        expect(at.at(-1)!).toBeLessThanOrEqual(defaultBackoff.deleteRateLimitPatienceMs);
        expect(at.at(-1)! + 30_000).toBeLessThan(cleanupBoundMs);
      }
    }
  });

  it("any other call keeps trying across Ongage's minute, even with a Retry-After of 1 s, in few tries", () => {
    for (const random of [() => 0, () => 0.999]) {
      const { at, gaveUp } = tries(Infinity, 1000, false, random);
      expect(gaveUp).toBe(true);
      expect(at.at(-1)!).toBe(defaultBackoff.rateLimitPatienceMs);
      // Five tries a second apart, then one every 45-60 s at most.
      expect(at.length).toBeLessThanOrEqual(6 + Math.ceil(defaultBackoff.rateLimitPatienceMs / 45_000));
    }
  });

  const quick: BackoffOptions = {
    baseMs: 1,
    maxMs: 5,
    rateLimitBaseMs: 20,
    rateLimitMaxMs: 100,
    rateLimitPatienceMs: 2000,
    deleteRateLimitPatienceMs: 3000,
  };

  async function run(sandbox: Sandbox, onDeleting?: () => void) {
    const client = new OngageClient({
      auth: headerAuth(sandbox.credentials),
      baseUrl: sandbox.url,
      listId: sandbox.listId,
      backoff: quick,
    });
    const dir = mkdtempSync(join(tmpdir(), "oq-429-"));
    return runReport({
      client,
      request: compile("in segment 3").payload!,
      destination: { kind: "file", path: join(dir, "q.csv") },
      pollIntervalMs: 20,
      onProgress: (progress) => {
        if (progress.state === "deleting") onDeleting?.();
      },
    });
  }

  it("a create met by more 429s with a short Retry-After than the retry count: it waits, and the run succeeds", async () => {
    const sandbox = await testSandbox({ faults: { rateLimitBurst: 12, retryAfterSeconds: 0 } });
    sandboxes.push(sandbox);
    const summary = await run(sandbox);
    expect(summary.error).toBeUndefined();
    expect(summary.ok).toBe(true);
    expect(sandbox.stats.rateLimited).toBe(12);
    expect(sandbox.stats.reportsCreated).toBe(1);
    expect(summary.deleted).toBe(true);
    expect(sandbox.liveReports()).toEqual([]);
  });

  it("the final DELETE met by more 429s than its retry count: waited out, and the report deleted", async () => {
    const sandbox = await testSandbox();
    sandboxes.push(sandbox);
    const summary = await run(sandbox, () =>
      Object.assign(sandbox.faults, { rateLimitBurst: 14, retryAfterSeconds: 0 }),
    );
    expect(summary.error).toBeUndefined();
    expect(sandbox.stats.rateLimited).toBe(14);
    expect(summary.deleted).toBe(true);
    expect(summary.leftBehind).toEqual([]);
    expect(sandbox.liveReports()).toEqual([]);
  });
});
