import { describe, expect, it } from "vitest";
import { CallTimer } from "../src/client/callTimer.js";
import { FakeClock } from "./support/fakeClock.js";

/** A clock that counts the timers asked of it. */
class CountingClock extends FakeClock {
  timersMade = 0;
  override after(ms: number, action: () => void): () => void {
    this.timersMade++;
    return super.after(ms, action);
  }
}

describe("a call's idle timer", () => {
  it("expires exactly the idle time after the last touch, however many touches came before", () => {
    const clock = new CountingClock();
    const timer = new CallTimer(100, Infinity, undefined, clock);
    for (let at = 0; at < 1000; at += 10) {
      clock.advance(10);
      timer.touch();
    }
    // The last touch was at 1000: still waiting at 1099, expired at 1100.
    clock.advance(99);
    expect(timer.expired).toBeUndefined();
    expect(timer.signal.aborted).toBe(false);
    clock.advance(1);
    expect(timer.expired).toBe("idle");
    expect(timer.signal.aborted).toBe(true);
    // A touch only notes the time: the timer is set again when it rings, not at every touch
    // (setting it at every chunk of a download was a tenth of the download's time).
    expect(clock.timersMade).toBeLessThan(25);
  });

  it("has no timer while held, and the full idle time from the first touch after", () => {
    const clock = new FakeClock();
    const timer = new CallTimer(100, Infinity, undefined, clock);
    clock.advance(50);
    timer.hold();
    clock.advance(1000);
    expect(timer.expired).toBeUndefined();
    timer.touch();
    clock.advance(99);
    expect(timer.expired).toBeUndefined();
    clock.advance(1);
    expect(timer.expired).toBe("idle");
  });

  it("still ends the call at its deadline while chunks keep coming", () => {
    const clock = new FakeClock();
    const timer = new CallTimer(100, 500, undefined, clock);
    for (let i = 0; i < 49; i++) {
      clock.advance(10);
      timer.touch();
    }
    expect(timer.expired).toBeUndefined();
    clock.advance(10);
    expect(timer.expired).toBe("deadline");
  });
});
