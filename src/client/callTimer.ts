import type { Clock } from "./clock.js";

/**
 * The clocks of one call: an idle timer (the longest silence tolerated, restarted by every
 * chunk that arrives) and a deadline for the whole call (which catches a server that trickles
 * a byte at a time, which an idle timer alone never would). Either one, or the caller's own
 * signal, aborts `signal`, which the transport is given.
 */
export class CallTimer {
  readonly signal: AbortSignal;
  /** Why the call was cut short by a clock, if it was. */
  expired: "idle" | "deadline" | undefined;
  private readonly controller = new AbortController();
  private cancelIdle: (() => void) | undefined;
  /** When something last arrived: the idle timer, when it rings, sees whether silence really lasted. */
  private lastTouch = 0;
  private cancelDeadline: (() => void) | undefined;
  private readonly onExpire: (() => void)[] = [];

  constructor(
    readonly idleMs: number,
    readonly deadlineMs: number,
    caller: AbortSignal | undefined,
    private readonly clock: Clock,
  ) {
    // AbortSignal.any follows the caller's signal without adding a listener to it (see abortListener.ts).
    this.signal = caller ? AbortSignal.any([caller, this.controller.signal]) : this.controller.signal;
    this.restart();
  }

  /**
   * Something arrived: the silence starts again. A download touches at every chunk, thousands of
   * times a second, so a touch only notes the time; the one idle timer, when it rings, waits on
   * for what is left of the silence since the last touch, or expires. It expires exactly when a
   * timer restarted at every touch would, at a fraction of the cost (restarting a timer at every
   * chunk was ~8% of an export's time on loopback).
   */
  touch(): void {
    // (Infinity turns the clock off.)
    if (this.expired || !Number.isFinite(this.idleMs)) return;
    this.lastTouch = this.monotonicNow();
    if (!this.cancelIdle) this.idleAfter(this.idleMs);
  }

  /** The time on the clock timers run by (a change of the system's clock must not end a download). */
  private monotonicNow(): number {
    return this.clock.monotonicNow?.() ?? this.clock.now();
  }

  private idleAfter(ms: number): void {
    this.cancelIdle = this.clock.after(ms, () => {
      this.cancelIdle = undefined;
      const left = this.lastTouch + this.idleMs - this.monotonicNow();
      if (left > 0) this.idleAfter(left);
      else this.expire("idle");
    });
  }

  /** Not waiting on the server for now (the reader is holding the data back): no idle timer until the next touch. */
  hold(): void {
    this.stopIdle();
  }

  private stopIdle(): void {
    this.cancelIdle?.();
    this.cancelIdle = undefined;
  }

  /** Not waiting on the server at all for now (the request waits to be sent again): no clock runs. */
  pause(): void {
    this.stop();
  }

  /** Both clocks start (again, when the request goes out again), as for a new call. */
  restart(): void {
    if (this.expired) return;
    this.cancelDeadline?.();
    if (Number.isFinite(this.deadlineMs))
      this.cancelDeadline = this.clock.after(this.deadlineMs, () => this.expire("deadline"));
    this.touch();
  }

  /** The deadline no longer applies (a download may take as long as it keeps moving). */
  endDeadline(): void {
    this.cancelDeadline?.();
  }

  /** Runs `action` when a clock runs out, before the transport is aborted. */
  whenExpired(action: () => void): void {
    this.onExpire.push(action);
  }

  /** The call is over. */
  stop(): void {
    this.stopIdle();
    this.cancelDeadline?.();
  }

  private expire(reason: "idle" | "deadline"): void {
    if (this.expired) return;
    this.expired = reason;
    this.stop();
    for (const action of this.onExpire) action();
    this.controller.abort(new Error(`call ${reason === "idle" ? "idle" : "deadline"} timeout`));
  }
}
