import { afterEach, describe, expect, it, vi } from "vitest";
import { defaultBackoff } from "../src/client/backoff.js";
import { OngageError } from "../src/client/errors.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { fakeTimeSandbox } from "./support/inProcess.js";

/*
 * The 429 schedule as docs/running.md and backoff.ts promise it, wait by wait, on a fake clock:
 * a 429 without Retry-After waits 5, 10, 20, 40, then 60 s (less up to a quarter, the jitter),
 * and a call keeps trying until its patience has passed since its first 429 (5 minutes; 150 s
 * for a DELETE, which runs in the clean-up's bound), the last wait ending exactly then.
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await sandbox?.close();
  sandbox = undefined;
});

/** The least of each wait: the jitter takes off a quarter at most, and here all of it. */
const lowestJitter = () => vi.spyOn(Math, "random").mockReturnValue(0);

describe("429s without Retry-After, on the clock", () => {
  it("a GET waits 3.75, 7.5, 15, 30 s, then 45 s at the 60 s ceiling, then the rest of its 5 minutes, and gives up with the 429", async () => {
    const wired = await fakeTimeSandbox({ faults: { rateLimitBurst: 100, omitRetryAfter: true } });
    sandbox = wired.sandbox;
    lowestJitter();
    const started = wired.clock.now();
    const failure = await wired.clock.run(wired.client.listFields()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OngageError);
    expect((failure as OngageError).status).toBe(429);
    expect(wired.clock.sleeps).toEqual([
      3750, 7500, 15_000, 30_000, 45_000, 45_000, 45_000, 45_000, 45_000, 18_750,
    ]);
    expect(wired.clock.since(started)).toBe(defaultBackoff.rateLimitPatienceMs);
    expect(defaultBackoff.rateLimitPatienceMs).toBe(5 * 60_000);
    expect(sandbox.stats.rateLimited).toBe(11);
  });

  it("a DELETE keeps going past the retry count at the 60 s ceiling, until 150 s have passed", async () => {
    const wired = await fakeTimeSandbox({ faults: { rateLimitBurst: 100, omitRetryAfter: true } });
    sandbox = wired.sandbox;
    lowestJitter();
    const started = wired.clock.now();
    const failure = await wired.clock.run(wired.client.deleteReport("1000")).catch((error: unknown) => error);
    expect((failure as OngageError).status).toBe(429);
    expect(wired.clock.sleeps).toEqual([3750, 7500, 15_000, 30_000, 45_000, 45_000, 3750]);
    expect(wired.clock.since(started)).toBe(defaultBackoff.deleteRateLimitPatienceMs);
  });

  it("the jitter's other end: the full 5, 10, 20, 40 s, and a call that gets through after them", async () => {
    const wired = await fakeTimeSandbox({ faults: { rateLimitBurst: 4, omitRetryAfter: true } });
    sandbox = wired.sandbox;
    vi.spyOn(Math, "random").mockReturnValue(0.999_999_999);
    const fields = await wired.clock.run(wired.client.listFields());
    expect(fields.length).toBeGreaterThan(0);
    expect(wired.clock.sleeps).toEqual([4999, 9999, 19_999, 39_999]);
    expect(sandbox.stats.rateLimited).toBe(4);
  });
});
