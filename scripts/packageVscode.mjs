// `npm run package:vscode`: the VS Code extension (editors/vscode/) as out/vscode/oq.vsix, offline.
// Staged in out/vscode/extension/: the manifest, the language configuration, README, LICENSE,
// the generated grammars (editors/*.tmLanguage.json, as syntaxes/) and the client bundled with
// vscode-languageclient by esbuild, so the package needs no node_modules of its own.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const stage = `${root}out/vscode/extension`;
rmSync(`${root}out/vscode`, { recursive: true, force: true });
mkdirSync(`${stage}/syntaxes`, { recursive: true });
execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-p", `${root}editors/vscode`], {
  stdio: "inherit",
});
for (const file of ["package.json", "language-configuration.json", "README.md"])
  cpSync(`${root}editors/vscode/${file}`, `${stage}/${file}`);
cpSync(`${root}LICENSE`, `${stage}/LICENSE`);
for (const grammar of ["oq.tmLanguage.json", "oq.markdown.tmLanguage.json"])
  cpSync(`${root}editors/${grammar}`, `${stage}/syntaxes/${grammar}`);
await build({
  entryPoints: [`${root}editors/vscode/src/extension.ts`],
  outfile: `${stage}/out/extension.js`,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  external: ["vscode"],
  minify: true,
  logLevel: "warning",
});
// --no-dependencies: the bundle holds them; vsce then never runs npm.
execFileSync(
  process.execPath,
  [
    `${root}node_modules/@vscode/vsce/vsce`,
    "package",
    "--no-dependencies",
    "--allow-missing-repository",
    "--out",
    `${root}out/vscode/oq.vsix`,
  ],
  { cwd: stage, stdio: "inherit" },
);
