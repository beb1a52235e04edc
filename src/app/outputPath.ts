import { closeSync, mkdirSync, openSync, rmSync, statSync, type Stats } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { UsageError } from "./usageError.js";

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Whether `out` names a folder: an existing one, or any path written with a final slash. */
export function isFolderPath(out: string): boolean {
  return out.endsWith("/") || out.endsWith(sep) || statOf(out)?.isDirectory() === true;
}

/**
 * Makes sure files can be created in `folder` (creating it, and its parents, when `create`), by
 * creating and removing a probe file: permissions, a read-only disk or a missing folder are found
 * before any call to Ongage, not after a report has been made.
 */
export function checkFolder(flag: string, folder: string, create: boolean): void {
  const stats = statOf(folder);
  if (!stats) {
    if (!create) throw new UsageError(`${flag}: the folder ${folder} does not exist`);
    try {
      mkdirSync(folder, { recursive: true });
    } catch (error) {
      throw new UsageError(
        `${flag}: cannot create the folder ${folder} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
  } else if (!stats.isDirectory()) {
    throw new UsageError(`${flag}: ${folder} is not a folder`);
  }
  const probe = join(folder, `.oq-write-check-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    closeSync(openSync(probe, "wx", 0o600));
    rmSync(probe, { force: true });
  } catch (error) {
    throw new UsageError(
      `${flag}: cannot write in the folder ${folder} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

/**
 * The file `--out` means, checked before anything is sent: an existing folder (or a path ending
 * in a slash, created if missing) means `nameInFolder` inside it; otherwise the file's folder
 * must exist and be writable, and the file, if it exists, must be a regular file.
 */
export function outputFile(flag: string, out: string, nameInFolder: string): string {
  const path = resolve(out);
  if (isFolderPath(out)) {
    checkFolder(flag, path, true);
    return checkedFile(flag, join(path, nameInFolder));
  }
  checkFolder(flag, dirname(path), false);
  return checkedFile(flag, path);
}

/** A file the CSV may replace: absent, or a regular file. */
export function checkedFile(flag: string, path: string): string {
  const stats = statOf(path);
  if (stats?.isDirectory()) throw new UsageError(`${flag}: ${path} is a folder, not a file`);
  if (stats && !stats.isFile())
    throw new UsageError(`${flag}: ${path} is not a regular file (leave out ${flag} to write to stdout)`);
  return path;
}
