import { listenForAbort } from "./abortListener.js";

/**
 * Time as the runtime reads it and waits on it: the client's back-off, call clocks and rate
 * window, the runner's polls, deadline and clean-up bound, the sandbox's build times. The real
 * one by default; a test gives a fake one, so that minutes of waiting take milliseconds and
 * the waits can be asserted exactly.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Milliseconds on a clock that only moves forward, as timers count (a change of the system's
   * clock does not move it): what the idle timeout measures silence with. When absent, `now`.
   */
  monotonicNow?(): number;
  /** Waits `ms`; rejects with the signal's reason as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Runs `action` once `ms` have passed; the function returned cancels it. */
  after(ms: number, action: () => void): () => void;
}

/** setTimeout fires at once past 2^31-1 ms (about 24 days): a longer wait is as good as forever. */
const longestTimerMs = 2 ** 31 - 1;

/** The machine's clock. */
export const realClock: Clock = {
  now: () => Date.now(),
  // process.hrtime, not performance.now (which loads perf_hooks, nine modules, into a start).
  monotonicNow: () => Number(process.hrtime.bigint()) / 1e6,
  sleep: (ms, signal) => sleepOn(realClock, ms, signal),
  after(ms, action) {
    const timer = setTimeout(action, Math.min(ms, longestTimerMs));
    return () => clearTimeout(timer);
  },
};

/** A sleep on any clock's `after`: waits `ms`, or rejects with the signal's reason when it aborts. */
export function sleepOn(clock: Pick<Clock, "after">, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const cancel = clock.after(ms, () => {
      stopListening();
      resolve();
    });
    const stopListening = listenForAbort(signal, () => {
      cancel();
      reject(signal!.reason);
    });
  });
}

/**
 * A signal that aborts once `ms` have passed on `clock` (AbortSignal.timeout, on any clock);
 * `cancel` stops its timer when it is no longer needed.
 */
export function timeoutSignal(clock: Clock, ms: number): { signal: AbortSignal; cancel: () => void } {
  const controller = new AbortController();
  const cancel = clock.after(ms, () =>
    controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")),
  );
  return { signal: controller.signal, cancel };
}
