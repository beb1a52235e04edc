import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/*
 * The e2e project's global setup: its tests run the built `oq` (dist/), so dist/ must be built
 * from the source as it is now. When any source of the build is newer than the build, it is
 * built again first, so that no test ever runs stale code and passes or fails for it.
 */
const root = new URL("../../", import.meta.url).pathname;
/** What the build reads. */
const sources = ["src", "scripts/build.mjs", "bin/codeCache.cjs", "package.json", "tsconfig.json"];
/** What it writes that the tests use: the command's bundles (the compiling commands' code cache last), the library and the playground. */
const outputs = [
  "dist/cli/cli.js",
  "dist/cli/compiling.cjs.cache",
  "dist/lib/index.js",
  "dist/playground/playground.js",
];

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, entry)));
  return newest;
}

/** Why dist/ cannot be used as it is, or undefined when it is fresh. */
export function staleBuild(): string | undefined {
  const missing = outputs.find((output) => !existsSync(join(root, output)));
  if (missing) return `${missing} is missing`;
  const built = Math.min(...outputs.map((output) => statSync(join(root, output)).mtimeMs));
  const changed = sources.find((source) => newestChange(join(root, source)) > built);
  return changed ? `${changed} changed after the last build` : undefined;
}

export default function setup(): void {
  const stale = staleBuild();
  if (!stale) return;
  process.stderr.write(`e2e tests: ${stale}; building oq first (npm run build)\n`);
  execFileSync(process.execPath, [join(root, "scripts/build.mjs")], { cwd: root, stdio: "inherit" });
  const still = staleBuild();
  if (still)
    throw new Error(`dist/ is still stale after npm run build (${still}): the e2e tests would run old code`);
}
