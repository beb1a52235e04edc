import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sandbox } from "../../src/sandbox/server.js";
import { runOqAsync } from "./cli.js";
import type { CliRun } from "./oqInProcess.js";
import { lifetimeQuery } from "./lifetimeQuery.js";
import { sandboxEnv } from "./sandbox.js";

/* Helpers for the end-to-end tests of a report's lifetime (recovery and signals). */

/** A scratch folder with q.oq, and an oq.config.json if given. */
export function queryFolder(config?: object): string {
  const dir = mkdtempSync(join(tmpdir(), "oq-lifetime-"));
  writeFileSync(join(dir, "q.oq"), lifetimeQuery);
  if (config) writeFileSync(join(dir, "oq.config.json"), JSON.stringify(config));
  return dir;
}

/** `oq run q.oq` in `dir` against `sandbox`. */
export function runQuery(
  sandbox: Sandbox,
  dir: string,
  args: string[],
  onSpawn?: (child: ChildProcess) => void,
): Promise<CliRun> {
  return runOqAsync(["run", "q.oq", "--poll-interval", "20ms", ...args], {
    cwd: dir,
    env: sandboxEnv(sandbox),
    ...(onSpawn ? { onSpawn } : {}),
  });
}

export function partFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith(".part"));
}
