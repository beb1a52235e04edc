import { chmodSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { modeFor } from "../runner/fileMode.js";

/**
 * Writes beside the target and renames over it, so the file is never seen half-written. The
 * temporary file is its owner's alone while written; the result keeps the mode of the file it
 * replaces, or gets the mode any new file would.
 */
export function writeFileAtomically(path: string, text: string): void {
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`,
  );
  try {
    writeFileSync(temporary, text, { mode: 0o600, flag: "wx" });
    chmodSync(temporary, modeFor(path));
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
