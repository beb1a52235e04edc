/**
 * Keeps calls within Ongage's limits: at most `perMinute` calls started in any 60 seconds,
 * and at most `inFlight` at once. Callers wait their turn, in order.
 */
export class RateLimiter {
  private readonly started: number[] = [];
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly perMinute: number,
    readonly inFlight: number,
    private readonly windowMs = 60_000,
  ) {}

  /** Resolves when a call may start; call the returned function when it ends. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    await new Promise<void>((resolve, reject) => {
      const ready = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(ready);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal!.reason);
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(ready);
      this.pump();
    });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.pump();
    };
  }

  private pump(): void {
    const now = Date.now();
    while (this.started.length > 0 && this.started[0]! <= now - this.windowMs) this.started.shift();
    while (this.waiting.length > 0 && this.active < this.inFlight && this.started.length < this.perMinute) {
      this.active++;
      this.started.push(now);
      this.waiting.shift()!();
    }
    if (this.waiting.length > 0 && this.started.length >= this.perMinute && !this.timer) {
      const wait = this.started[0]! + this.windowMs - now;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, Math.max(1, wait));
      this.timer.unref();
    }
  }
}
