// BENCHMARKS.md, which each benchmark script updates with its own section.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const path = fileURLToPath(new URL("../BENCHMARKS.md", import.meta.url));

/**
 * Puts `section` (starting with its `heading`) in BENCHMARKS.md in place of the section under that
 * heading, up to the next `## `; at the end when there is none yet.
 */
export function writeBenchmarksSection(heading, section) {
  const previous = readFileSync(path, "utf8");
  const at = previous.indexOf(heading);
  const after = at === -1 ? -1 : previous.indexOf("\n## ", at + heading.length);
  const kept = at === -1 ? `${previous.trimEnd()}\n\n` : previous.slice(0, at);
  writeFileSync(path, kept + section + (after === -1 ? "" : previous.slice(after)));
}
