import { spawn, spawnSync } from "node:child_process";
import { commandEnv as childEnv, type CliRun } from "./oqInProcess.js";

export const oqBin = new URL("../../bin/oq.js", import.meta.url).pathname;

/** Runs the built `oq` command as a user would, without a terminal. */
export function runOq(
  args: string[],
  options: { cwd?: string; input?: string; env?: Record<string, string | undefined> } = {},
): CliRun {
  const env = childEnv(options.env);
  const result = spawnSync(process.execPath, [oqBin, ...args], {
    cwd: options.cwd,
    input: options.input ?? "",
    env,
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs `oq` without blocking this process, so that a sandbox served from this process can
 * answer it. `onSpawn` gets the child, e.g. to send it SIGINT.
 */
export function runOqAsync(
  args: string[],
  options: {
    cwd?: string;
    input?: string;
    env?: Record<string, string | undefined>;
    onSpawn?: (child: import("node:child_process").ChildProcess) => void;
  } = {},
): Promise<CliRun> {
  const env = childEnv(options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [oqBin, ...args], {
      cwd: options.cwd,
      env,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    options.onSpawn?.(child);
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}
