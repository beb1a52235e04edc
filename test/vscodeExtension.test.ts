import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/*
 * The VS Code extension (editors/vscode/): `npm run package:vscode` stages and packs it offline,
 * and every path its manifest contributes is in the package, with the grammars it names.
 */

const root = new URL("..", import.meta.url).pathname;
const stage = join(root, "out/vscode/extension");

interface Manifest {
  main: string;
  contributes: {
    languages: { id: string; extensions: string[]; configuration: string }[];
    grammars: { language?: string; scopeName: string; path: string }[];
  };
}

describe("the VS Code extension", () => {
  it("packs into a .vsix with every contributed path", () => {
    const packed = spawnSync(process.execPath, [join(root, "scripts/packageVscode.mjs")], {
      encoding: "utf8",
    });
    expect(packed.status, packed.stdout + packed.stderr).toBe(0);
    expect(statSync(join(root, "out/vscode/oq.vsix")).size).toBeGreaterThan(10_000);
    const manifest = JSON.parse(readFileSync(join(stage, "package.json"), "utf8")) as Manifest;
    const paths = [
      manifest.main,
      ...manifest.contributes.languages.map((language) => language.configuration),
      ...manifest.contributes.grammars.map((grammar) => grammar.path),
    ];
    expect(paths.filter((path) => !existsSync(join(stage, path)))).toEqual([]);
    for (const grammar of manifest.contributes.grammars) {
      const file = JSON.parse(readFileSync(join(stage, grammar.path), "utf8")) as { scopeName: string };
      expect(file.scopeName).toBe(grammar.scopeName);
    }
    expect(manifest.contributes.languages).toEqual([
      expect.objectContaining({ id: "oq", extensions: [".oq"] }),
    ]);
  }, 180_000);

  it("comments with #, and closes brackets, quotes and backquotes", () => {
    const configuration = JSON.parse(
      readFileSync(join(root, "editors/vscode/language-configuration.json"), "utf8"),
    ) as { comments: { lineComment: string }; autoClosingPairs: { open: string }[] };
    expect(configuration.comments.lineComment).toBe("#");
    expect(configuration.autoClosingPairs.map((pair) => pair.open)).toEqual(["(", "[", '"', "`"]);
  });
});
