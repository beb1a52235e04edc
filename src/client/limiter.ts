import { listenForAbort } from "./abortListener.js";
import { realClock, type Clock } from "./clock.js";

/** Ongage counts calls per minute. */
export const rateWindowMs = 60_000;

/**
 * A call holds its place until a window after its answer, and a little longer, for timer and
 * clock granularity: a second on Ongage's minute (less on the short windows of tests).
 */
function rateWindowSafetyMs(windowMs: number): number {
  return Math.min(1_000, windowMs / 60);
}

/** A place in the limiter, for one call. */
interface Permit {
  /** The server has answered (or the call failed): it has certainly arrived there by now. */
  answered(): void;
  /** The call is over: frees its place among the calls in flight. Answers it too, if not yet. */
  release(): void;
  /**
   * The call's request goes out again (the transport sends it a second time): the first has its
   * answer, and the second waits for a place in the window, as any call does. It keeps the
   * call's place in flight: asking for a second one could wait on itself.
   */
  again(signal?: AbortSignal): Promise<void>;
}

/**
 * Keeps calls within Ongage's limits: at most `perMinute` calls in any window of `windowMs`
 * as the server counts them, and at most `inFlight` at once. Callers wait their turn, in order.
 *
 * The server counts a call when it arrives, which is somewhere between our start and its
 * answer, so a call holds its place in the window from its start until `windowMs` (plus a
 * safety margin) after its answer. Counting from the start alone let the server see 310 calls
 * in one of its minutes when early calls arrived late.
 */
export class RateLimiter {
  /** Calls counted in the window: when each ends its hold (Infinity while not answered yet). */
  private readonly holds: { until: number }[] = [];
  private active = 0;
  private readonly waiting: ((hold: { until: number }) => void)[] = [];
  /** Calls in flight waiting for a place in the window for a request sent again: served first. */
  private readonly resending: ((hold: { until: number }) => void)[] = [];
  private cancelTimer: (() => void) | undefined;
  private readonly holdMs: number;
  /**
   * When the account last served one of these calls (any answer but a refusal by its rate
   * limit): the calls that share this limiter share their patience with 429s (SharedPatience).
   */
  lastServedAt: number | undefined;

  constructor(
    readonly perMinute: number,
    readonly inFlight: number,
    readonly windowMs = rateWindowMs,
    private readonly clock: Clock = realClock,
    safetyMs = rateWindowSafetyMs(windowMs),
  ) {
    this.holdMs = windowMs + safetyMs;
  }

  /** Resolves when a call may start. */
  async acquire(signal?: AbortSignal): Promise<Permit> {
    // The call's places in the window: one per request it sends.
    const holds = [await this.placeIn(this.waiting, signal)];
    let released = false;
    const answered = () => {
      const open = holds.filter((hold) => hold.until === Infinity);
      if (open.length === 0) return;
      for (const hold of open) hold.until = this.clock.now() + this.holdMs;
      this.pump();
    };
    return {
      answered,
      release: () => {
        if (released) return;
        released = true;
        this.active--;
        if (holds.some((hold) => hold.until === Infinity)) answered();
        else this.pump();
      },
      again: async (againSignal) => {
        answered();
        holds.push(await this.placeIn(this.resending, againSignal));
      },
    };
  }

  /** Waits in `queue` until pump() gives it a place in the window. */
  private placeIn(
    queue: ((hold: { until: number }) => void)[],
    signal: AbortSignal | undefined,
  ): Promise<{ until: number }> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const stopListening = listenForAbort(signal, () => {
        const index = queue.indexOf(ready);
        if (index >= 0) queue.splice(index, 1);
        this.pump();
        reject(signal!.reason);
      });
      const ready = (admitted: { until: number }) => {
        stopListening();
        resolve(admitted);
      };
      queue.push(ready);
      this.pump();
    });
  }

  /** The account served one of these calls (see lastServedAt). */
  served(): void {
    this.lastServedAt = this.clock.now();
  }

  /** How many calls the window holds now. */
  get callsInWindow(): number {
    this.expire(this.clock.now());
    return this.holds.length;
  }

  private expire(now: number): void {
    for (let index = this.holds.length - 1; index >= 0; index--)
      if (this.holds[index]!.until <= now) this.holds.splice(index, 1);
  }

  private pump(): void {
    const now = this.clock.now();
    this.expire(now);
    while (this.resending.length > 0 && this.holds.length < this.perMinute) {
      const hold = { until: Infinity };
      this.holds.push(hold);
      this.resending.shift()!(hold);
    }
    while (this.waiting.length > 0 && this.active < this.inFlight && this.holds.length < this.perMinute) {
      const hold = { until: Infinity };
      this.holds.push(hold);
      this.active++;
      this.waiting.shift()!(hold);
    }
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    // A wait for the window to move on. Not unref()ed: while a call waits its turn the process
    // must stay alive, or Node exits with every query unfinished (exit 13, nothing printed).
    if (this.resending.length > 0 || (this.waiting.length > 0 && this.active < this.inFlight)) {
      const next = Math.min(...this.holds.map((hold) => hold.until));
      if (Number.isFinite(next)) {
        this.cancelTimer = this.clock.after(Math.max(1, next - now), () => {
          this.cancelTimer = undefined;
          this.pump();
        });
      }
    }
  }
}
