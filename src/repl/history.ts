import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/*
 * The REPL's history across sessions: one query per entry (a multi-line query is one entry),
 * in the user's state folder. Piped sessions neither read nor write it.
 */

/** How many entries are kept. */
const historyLimit = 1000;

/**
 * Where the history lives: $XDG_STATE_HOME/oq/history wherever XDG_STATE_HOME is set; else
 * ~/.local/state/oq/history on Linux and other Unixes, ~/Library/Application Support/oq/history
 * on macOS, %LOCALAPPDATA%\oq\history on Windows.
 */
export function historyPath(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  const home = env["HOME"] || homedir();
  if (env["XDG_STATE_HOME"]) return join(env["XDG_STATE_HOME"], "oq", "history");
  if (platform === "darwin") return join(home, "Library", "Application Support", "oq", "history");
  if (platform === "win32")
    return join(env["LOCALAPPDATA"] || join(home, "AppData", "Local"), "oq", "history");
  return join(home, ".local", "state", "oq", "history");
}

/** The history file: one entry per line, each a JSON string (so that a multi-line query stays one entry). */
export class History {
  constructor(private readonly path: string) {}

  /** The entries, newest first (as readline wants them); none when the file is missing or unreadable. */
  load(): string[] {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch {
      return [];
    }
    const entries: string[] = [];
    for (const line of text.split("\n")) {
      try {
        const entry: unknown = JSON.parse(line);
        if (typeof entry === "string") entries.push(entry);
      } catch {
        // A line damaged by a crash mid-write: skipped, the rest is kept.
      }
    }
    return entries.slice(-historyLimit).reverse();
  }

  /** Appends an entry; trims the file when it has grown to twice the limit. Never fails the REPL. */
  add(entry: string, loaded: number): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      appendFileSync(this.path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
      if (loaded + 1 >= historyLimit * 2) {
        const kept = this.load().reverse();
        writeFileSync(this.path, kept.map((e) => `${JSON.stringify(e)}\n`).join(""), { mode: 0o600 });
      }
    } catch {
      // A read-only home or a full disk costs the history, not the session.
    }
  }
}
