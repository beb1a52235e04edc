import type { Redacted } from "../client/serverText.js";
import type { RunProgress } from "../runner/runReport.js";
import { formatMs } from "../runner/durations.js";
import { terminalSafe } from "./terminalText.js";

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * One status line on `stream` (the shell's stderr), redrawn in place, for runs in progress; drawn
 * only on a terminal (scripts and pipes get no progress noise).
 */
export class ProgressLine {
  private readonly states = new Map<string, RunProgress>();
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  readonly enabled: boolean;

  constructor(private readonly stream: NodeJS.WriteStream) {
    this.enabled = stream.isTTY === true;
  }

  update(name: string, progress: RunProgress): void {
    if (!this.enabled) return;
    // While a CSV goes to stdout, which may be this terminal too, nothing may be drawn.
    if (progress.state === "done" || progress.state === "saving") this.states.delete(name);
    else this.states.set(name, progress);
    if (this.states.size === 0) {
      this.stop();
      return;
    }
    this.timer ??= setInterval(() => this.draw(), 100);
    this.timer.unref();
  }

  /**
   * Prints a line (a finished query's summary, an error): above the status line on a terminal,
   * plainly elsewhere. Made by the client's door, as it speaks of reports.
   */
  log(line: Redacted): void {
    if (!this.enabled) {
      this.stream.write(`${line}\n`);
      return;
    }
    this.stream.write(`\r\x1b[K${line}\n`);
    if (this.states.size > 0) this.draw();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.enabled) this.stream.write("\r\x1b[K");
  }

  private draw(): void {
    if (this.states.size === 0) return;
    this.frame = (this.frame + 1) % spinner.length;
    const parts = [...this.states].map(([name, p]) => {
      const detail =
        p.state === "downloading"
          ? `${formatBytes(p.bytes)}, ${p.rows.toLocaleString("en-US")} rows`
          : p.state;
      return `${terminalSafe(name)} ${detail} ${formatMs(p.elapsedMs)}`;
    });
    const columns = this.stream.columns || 80;
    const line = `${spinner[this.frame]} ${parts.join(" · ")}`;
    this.stream.write(`\r\x1b[K${line.length > columns - 1 ? `${line.slice(0, columns - 2)}…` : line}`);
  }
}
