import { Session } from "node:inspector";
import { expect, vi } from "vitest";

/*
 * How much JavaScript a call runs, counted rather than timed (the tests never assert timings):
 * V8's block coverage counts every call of a function and every pass through a block of it (a
 * loop's body, each time round), exactly, whatever the machine's load. A quadratic shows as a
 * count that grows 16 times when the input grows 4 times.
 *
 * Copying an array with a spread, or going through it with for-of, is native code that V8 does
 * not count: each step of an array's iterator is counted too (a quadratic of copies, `[...group,
 * leaf]` per leaf, shows). Other native work (a regular expression, indexOf, slice) is not.
 *
 * V8 counts blocks only in code compiled while counting is on, and the tests share their modules
 * (vitest's isolate: false): so the modules to count are loaded afresh once counting has started.
 * Counting an array's steps takes V8's fast path for them away for the rest of the worker's life
 * (a few per cent of the file's time that follows; measured on the differential tests).
 */

type Coverage = { result: { url: string; functions: { ranges: { count: number }[] }[] }[] };

/** Calls the inspector of this thread: its answer comes before post() returns. */
function inspect(session: Session, method: string, params?: object): unknown {
  let answer: { error: Error | null; result?: unknown } | undefined;
  session.post(method, params, (error, result) => (answer = { error, result }));
  if (!answer) throw new Error(`the inspector did not answer ${method} at once`);
  if (answer.error) throw answer.error;
  return answer.result;
}

export interface WorkCounter<Module> {
  /** The modules, loaded afresh, whose work is counted. */
  module: Module;
  /** The calls and block passes of `run`, in the modules loaded by `load` (and any code they call). */
  count(run: () => unknown): number;
  stop(): void;
}

/** Starts counting, and loads the modules to count with `load` (e.g. `() => import("../src/index.js")`). */
export async function workCounter<Module>(load: () => Promise<Module>): Promise<WorkCounter<Module>> {
  const session = new Session();
  session.connect();
  inspect(session, "Profiler.enable");
  inspect(session, "Profiler.startPreciseCoverage", { callCount: true, detailed: true });
  vi.resetModules();
  const module = await load();
  const take = () => {
    const { result } = inspect(session, "Profiler.takePreciseCoverage") as Coverage;
    let calls = 0;
    let blocks = 0;
    for (const script of result)
      for (const { ranges } of script.functions) {
        calls += ranges[0]?.count ?? 0;
        for (const range of ranges.slice(1)) blocks += range.count;
      }
    return { calls, blocks };
  };
  const arrayIterator = Object.getPrototypeOf([][Symbol.iterator]()) as { next: () => unknown };
  const next = arrayIterator.next;
  let steps = 0;
  const countedNext = function (this: unknown) {
    steps++;
    return next.call(this);
  };
  return {
    module,
    count(run) {
      take();
      steps = 0;
      arrayIterator.next = countedNext;
      try {
        run();
      } finally {
        arrayIterator.next = next;
      }
      const { calls, blocks } = take();
      // Without block counts a loop's passes would go uncounted, and a quadratic loop unseen.
      if (blocks === 0)
        throw new Error("V8 counted no blocks: the modules were compiled before counting began");
      return calls + blocks + steps;
    },
    stop() {
      inspect(session, "Profiler.stopPreciseCoverage");
      inspect(session, "Profiler.disable");
      session.disconnect();
      // The next test file loads the modules again, compiled without the counters.
      vi.resetModules();
    },
  };
}

/**
 * Expects `run` to do linear work (or n log n) in n: the work for an input 4 times as large
 * grows less than 6 times (a quadratic's grows about 16 times once it dominates; choose n so that
 * it would). `run` goes once first, so that what happens only on a first call is not counted.
 */
export function expectLinearWork(
  counter: WorkCounter<unknown>,
  n: number,
  run: (n: number) => unknown,
): void {
  run(n);
  const small = counter.count(() => run(n));
  const large = counter.count(() => run(4 * n));
  expect(large / small, `work at n = ${n}: ${small}, at 4n: ${large}`).toBeLessThan(6);
}
