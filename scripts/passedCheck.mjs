// A check that passed, remembered by the contents of every file it read, so that `npm test` run
// again on the same sources skips it: the type check (with unused exports and the door) is the
// dearest step a second run would repeat, about 16 CPU-seconds. Any change to a file it read, a
// new file in its project or another install of the packages makes it run in full again.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";

/**
 * The record's file. node_modules may be shared by several checkouts (git worktrees), so the
 * record is named after the checkout's folder as well as the check: checkouts never read each
 * other's.
 */
export function passedCheckFile(root, check) {
  const checkout = createHash("sha256").update(resolve(root)).digest("hex").slice(0, 12);
  return join(root, "node_modules", ".cache", "oq", `${check}-${basename(resolve(root))}-${checkout}.json`);
}

/** A file's text as the check reads it, or undefined if there is none. */
export function readText(root, file) {
  try {
    return readFileSync(resolve(root, file), "utf8");
  } catch {
    return undefined;
  }
}

/** The files' paths (relative to root) and texts (a Map), as one hash. */
function fingerprint(texts) {
  const hash = createHash("sha256");
  for (const file of [...texts.keys()].sort()) {
    const text = texts.get(file);
    hash.update(`${file}\0${text === undefined ? "\0missing" : `${text.length}\0${text}`}\0`);
  }
  return hash.digest("hex");
}

const relativeTo = (root, file) => relative(root, resolve(root, file));

/**
 * Whether the check passed on exactly these sources: every one of `files` (the project's files
 * as its configuration lists them now, and the check's own inputs) was read by the passing run,
 * and every file that run read is as it was.
 */
export function alreadyPassed(root, check, files) {
  let record;
  try {
    record = JSON.parse(readFileSync(passedCheckFile(root, check), "utf8"));
  } catch {
    return false;
  }
  const read = new Set(record.files);
  if (!files.every((file) => read.has(relativeTo(root, file)))) return false;
  return (
    fingerprint(new Map(record.files.map((file) => [file, readText(root, file)]))) === record.fingerprint
  );
}

/**
 * Remembers that the check passed, having read these texts (a Map from file to text): the texts
 * it checked, not the files as they are now, so that a file changed during the check is checked
 * again next time.
 */
export function rememberPassed(root, check, texts) {
  const relativeTexts = new Map([...texts].map(([file, text]) => [relativeTo(root, file), text]));
  const file = passedCheckFile(root, check);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    JSON.stringify({ files: [...relativeTexts.keys()].sort(), fingerprint: fingerprint(relativeTexts) }),
  );
}

/** Folders a walk of the checkout never enters: packages, builds, caches, git's own. */
const notSources = new Set(["node_modules", "dist", "out", ".git", ".vitest-cache"]);

/**
 * Every file under `folders` of the checkout (paths relative to root), whatever its name: a check
 * reads more than its project's list of files (a package.json decides a module's format, a
 * declaration file beside a script is looked for), so a file that appears anywhere there, or
 * one git is told to ignore by a user's own settings, makes the check run again.
 */
export function filesUnder(root, folders) {
  const found = [];
  const walk = (folder) => {
    let entries;
    try {
      entries = readdirSync(resolve(root, folder), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (notSources.has(entry.name)) continue;
      const path = folder === "." ? entry.name : join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else found.push(path);
    }
  };
  for (const folder of folders) walk(folder);
  return found.sort();
}
