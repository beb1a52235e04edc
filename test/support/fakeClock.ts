import { setImmediate as turn } from "node:timers/promises";
import { sleepOn, type Clock } from "../../src/client/clock.js";
import { replySchemas } from "../../src/client/envelope.js";

interface FakeTimer {
  at: number;
  order: number;
  action: () => void;
}

/**
 * A clock whose time moves only when told to (`advance`), or, inside `run`, whenever the code
 * under test has nothing left to do but wait on it: then it jumps to the next timer. Minutes of
 * back-off, deadlines and clean-up bounds pass in milliseconds, and every wait asked for is
 * recorded in `sleeps`, so that a test can assert a schedule exactly.
 *
 * "Nothing left to do" is: a few turns of the event loop with no timer added or run, and
 * `busy()` false. Real I/O (a sandbox over HTTP) is not on the clock: `busy` says when it is
 * still under way (see inProcess.ts), so that time never jumps while an answer is coming.
 */
export class FakeClock implements Clock {
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];
  private time: number;
  private readonly timers: FakeTimer[] = [];
  private made = 0;
  private changes = 0;

  constructor(
    start = Date.parse("2024-06-01T00:00:00Z"),
    private readonly busy: () => boolean = () => false,
  ) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return sleepOn(this, ms, signal);
  }

  after(ms: number, action: () => void): () => void {
    const timer = { at: this.time + Math.max(0, ms), order: this.made++, action };
    this.timers.push(timer);
    this.changes++;
    return () => {
      const index = this.timers.indexOf(timer);
      if (index >= 0) this.timers.splice(index, 1);
    };
  }

  /** Moves time on by `ms`, running every timer that falls due, in order. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (let next = this.next(); next && next.at <= until; next = this.next()) this.fire(next);
    this.time = until;
  }

  /** How much time has passed since `from` (a `now()` taken earlier). */
  since(from: number): number {
    return this.time - from;
  }

  /** Awaits `work`, moving time to the next timer whenever nothing else can happen. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const done = work.finally(() => (settled = true));
    done.catch(() => undefined);
    // Loading a module is real I/O this clock cannot see, and the client loads the schemas of
    // Ongage's replies when it reads its first one: loaded before time may move.
    await replySchemas();
    const realPause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    while (!settled) {
      const before = this.changes;
      for (let i = 0; i < 10 && !settled; i++) await turn();
      if (settled) break;
      if (this.changes !== before || this.busy()) {
        await realPause(1);
        continue;
      }
      // Quiet twice, a real millisecond apart: nothing is under way but waits on this clock.
      await realPause(1);
      if (settled || this.changes !== before || this.busy()) continue;
      const next = this.next();
      if (next) this.fire(next);
      else await realPause(5);
    }
    return done;
  }

  private next(): FakeTimer | undefined {
    let first: FakeTimer | undefined;
    for (const timer of this.timers)
      if (!first || timer.at < first.at || (timer.at === first.at && timer.order < first.order))
        first = timer;
    return first;
  }

  private fire(timer: FakeTimer): void {
    this.timers.splice(this.timers.indexOf(timer), 1);
    this.time = Math.max(this.time, timer.at);
    this.changes++;
    timer.action();
  }
}
