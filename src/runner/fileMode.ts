import { statSync } from "node:fs";

/**
 * The mode a file written at `path` should end with: that of the file it replaces, or else the
 * one any new file gets there (0666 less the umask). Temporary files are written 0600 and given
 * this mode only when they take the final name.
 */
export function modeFor(path: string): number {
  try {
    return statSync(path).mode & 0o7777;
  } catch {
    return 0o666 & ~process.umask();
  }
}
