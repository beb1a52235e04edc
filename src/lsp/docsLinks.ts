import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/*
 * Each code's link, for an editor's diagnostic: its row of docs/diagnostics.md, as shipped in
 * the package (the command sits in dist/cli/ or dist/cli/chunks/; the sources in src/lsp/). A
 * `#L<line>` fragment is what editors open a file at.
 */

function findDocs(): string | undefined {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++, folder = dirname(folder)) {
    const candidate = join(folder, "docs", "diagnostics.md");
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Code -> link to its row; empty when the docs are not beside the command. */
export function diagnosticLinks(): Map<string, string> {
  const links = new Map<string, string>();
  const path = findDocs();
  if (!path) return links;
  const url = pathToFileURL(path).href;
  readFileSync(path, "utf8")
    .split("\n")
    .forEach((line, index) => {
      const code = /^\| (OQ\d{3}) \|/.exec(line)?.[1];
      if (code && !links.has(code)) links.set(code, `${url}#L${index + 1}`);
    });
  return links;
}
