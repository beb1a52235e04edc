import { execFileSync, spawnSync } from "node:child_process";
import { rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { until } from "./until.js";

/*
 * A program in a real pseudo-terminal, driven through tmux: keys in, the screen out, as a person
 * at a terminal would type and see.
 *
 * Reading the screen costs a tmux process, and tests poll it (every 10 ms, `until`). So the
 * pane's output is also copied to a file (tmux's pipe-pane), and the screen is read again only
 * when that file grew, or 500 ms passed since the last read (a fallback); in between, the last
 * screen is the screen: it changes only by the program's output (a key the program does not
 * echo changes nothing).
 */

export const tmuxPath = "/usr/bin/tmux";

/** Whether tmux can be used here (the tests that need a terminal skip, saying why, when not). */
export function tmuxAvailable(): boolean {
  return spawnSync(tmuxPath, ["-V"], { encoding: "utf8" }).status === 0;
}

let sessions = 0;

/** How long a screen read stays fresh when the pane wrote nothing since (a fallback). */
const rereadMs = 500;

export class TmuxSession {
  private readonly socket = `oq-test-${process.pid}-${++sessions}`;
  /** The pane's output, as tmux copies it (pipe-pane): its size says whether the screen may have changed. */
  private readonly output = join(tmpdir(), `${this.socket}.out`);
  private readonly cache = new Map<string, { value: string; size: number; at: number }>();

  /** Starts `command` in a fresh tmux server, in a 120x50 terminal, with exactly `env` (plus PATH). */
  constructor(command: string[], env: Record<string, string>, cwd: string) {
    const assignments = Object.entries({
      PATH: process.env["PATH"] ?? "",
      TERM: "xterm-256color",
      ...env,
    }).map(([key, value]) => `${key}=${value}`);
    this.tmux(
      "-f",
      "/dev/null",
      "new-session",
      "-d",
      "-x",
      "120",
      "-y",
      "50",
      "-c",
      cwd,
      "env",
      "-i",
      ...assignments,
      // The exit status, written on the screen when the program ends (tmux's own is racy).
      "sh",
      "-c",
      '"$@"; echo "[exited with status $?]"; exec sleep 600',
      "sh",
      ...command,
    );
    this.tmux("pipe-pane", "-t", "0", `cat >> ${this.output}`);
  }

  /** The size of the pane's output so far. */
  private outputSize(): number {
    try {
      return statSync(this.output).size;
    } catch {
      return -1;
    }
  }

  /** `read()`, or its last value when the pane wrote nothing since, for a while. */
  private fresh(key: string, read: () => string): string {
    const size = this.outputSize();
    const cached = this.cache.get(key);
    if (cached && cached.size === size && Date.now() - cached.at < rereadMs) return cached.value;
    const value = read();
    this.cache.set(key, { value, size, at: Date.now() });
    return value;
  }

  private tmux(...args: string[]): string {
    return execFileSync(tmuxPath, ["-L", this.socket, ...args], { encoding: "utf8" });
  }

  /** Keys in tmux's names (`Tab`, `C-c`, `Enter`) or literal text (with `literal`). */
  keys(...keys: string[]): void {
    this.tmux("send-keys", "-t", "0", ...keys);
  }

  type(text: string): void {
    this.tmux("send-keys", "-t", "0", "-l", text);
  }

  /** What the terminal shows now (with `colours`, its escape sequences too): wrapped lines joined, spaces at line ends and blank lines at the end dropped. */
  screen({ colours = false } = {}): string {
    return this.fresh(colours ? "colours" : "screen", () =>
      this.tmux("capture-pane", "-p", "-J", ...(colours ? ["-e"] : []), "-t", "0", "-S", "-200")
        .replace(/[ \t]+$/gm, "")
        .replace(/\n+$/, "\n"),
    );
  }

  /** The column of the terminal's cursor (0-based). */
  cursorColumn(): number {
    return Number(
      this.fresh("cursor", () => this.tmux("display-message", "-p", "-t", "0", "#{cursor_x}").trim()),
    );
  }

  async waitFor(pattern: RegExp | string, what = String(pattern)): Promise<string> {
    let seen = "";
    await until(() => {
      seen = this.screen();
      return typeof pattern === "string" ? seen.includes(pattern) : pattern.test(seen);
    }, `${what}; the screen was:\n${seen}`).catch((error: Error) => {
      throw new Error(`${error.message}\n${seen}`);
    });
    return seen;
  }

  /** The program's exit status once it has ended, else undefined. */
  exitStatus(): number | undefined {
    const status = /\[exited with status (\d+)\]/.exec(this.screen())?.[1];
    return status === undefined ? undefined : Number(status);
  }

  async exited(): Promise<number> {
    await until(() => this.exitStatus() !== undefined, "the program to exit");
    return this.exitStatus()!;
  }

  close(): void {
    spawnSync(tmuxPath, ["-L", this.socket, "kill-server"]);
    rmSync(this.output, { force: true });
  }
}
