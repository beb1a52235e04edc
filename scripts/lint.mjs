// `npm run lint`: eslint, then prettier --check, over the checkout, each with its own cache of
// the files it passed (in node_modules/.cache). A run that passed is remembered besides
// (scripts/passedCheck.mjs), by the text of every file in the checkout that git does not
// ignore: run again on the same files, lint passes at once instead of loading both tools
// (about 4 CPU-seconds). Without git it always runs.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { alreadyPassed, readText, rememberPassed } from "./passedCheck.mjs";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));

/** The files lint reads: those of the checkout git does not ignore, and the packages installed. */
function lintedFiles() {
  try {
    // Only the checkout's .gitignore files: what a user's own git settings hide (.git/info/exclude,
    // core.excludesFile), eslint and prettier still read.
    const listed = execFileSync(
      "git",
      ["ls-files", "-z", "--cached", "--others", "--exclude-per-directory=.gitignore"],
      {
        cwd: root,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    return [...listed.split("\0").filter(Boolean), "node_modules/.package-lock.json"];
  } catch {
    return undefined;
  }
}

const files = lintedFiles();
if (files && alreadyPassed(root, "lint", files)) process.exit(0);
const texts = files && new Map(files.map((file) => [file, readText(root, file)]));
const run = (command, args) =>
  execFileSync(resolve(root, "node_modules/.bin", command), args, { cwd: root, stdio: "inherit" });
try {
  // By content: eslint's default cache trusts a file's size and time, which a copy with `cp -p`
  // keeps, and the memo above would then remember a file eslint did not read.
  run("eslint", [
    "--cache",
    "--cache-strategy",
    "content",
    "--cache-location",
    "node_modules/.cache/eslint/",
    ".",
  ]);
  run("prettier", [
    "--check",
    "--cache",
    "--cache-location",
    "node_modules/.cache/prettier/.cache",
    "--log-level",
    "warn",
    ".",
  ]);
} catch (error) {
  process.exit(error.status ?? 1);
}
if (texts) rememberPassed(root, "lint", texts);
