import childProcess from "node:child_process";
import { appendFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";

/*
 * Counts the processes the suite starts, for BENCHMARKS.md: with OQ_SPAWN_LOG set to a file,
 * every child process a test starts (however it starts it) appends one line there, naming the
 * test file. Off by default.
 */
const log = process.env["OQ_SPAWN_LOG"];
const starters = ["spawn", "spawnSync", "execFile", "execFileSync", "exec", "execSync", "fork"] as const;
/** Shared by the test files one worker runs (node:child_process is loaded once per worker). */
const counting = Symbol.for("oq.spawnCount");

export function countSpawns(testFile: string): void {
  if (!log) return;
  const shared = globalThis as { [counting]?: { testFile: string } };
  if (shared[counting]) {
    shared[counting].testFile = testFile;
    return;
  }
  const current = (shared[counting] = { testFile });
  for (const name of starters) {
    const original = childProcess[name] as (...args: unknown[]) => unknown;
    (childProcess as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      appendFileSync(log, `${current.testFile}\t${name}\t${String(args[0])}\n`);
      return original(...args);
    };
  }
  // ESM imports of node:child_process see the wrapped functions too.
  syncBuiltinESMExports();
}
