import { readdirSync, readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

/*
 * Three projects, so that the inner loop (`npm run test:unit`) runs in process only:
 * - golden: the compiler against test/golden/ (`npm run golden:update` rewrites them);
 * - e2e: the files that start processes (the built `oq`, tmux, npm): a file is one because it
 *   imports what starts them, so a test moved in process leaves this project by itself;
 * - unit: everything else.
 * `npm test` runs all three. The e2e project first checks that dist/ is fresh (freshBuild.ts).
 * All three share their modules between files (isolate: false): oq keeps no module-level
 * state, and loading chevrotain, zod and the compiler once per worker instead of once per file
 * more than halves the in-process projects' CPU time (117 -> 51 CPU-seconds, BENCHMARKS.md).
 * The command itself runs in process too (test/support/oqInProcess.ts: `main(argv, host)`), so
 * e2e keeps only what needs a real process: the bundle, OS signals, a terminal, pipes.
 */
const goldenFiles = ["test/golden.test.ts", "test/explain.test.ts", "test/plans.test.ts"];
const startsProcesses = /from "(?:\.\/support\/(?:cli|lifetime|tmux)\.js|node:child_process)"/;

const testFiles = readdirSync("test")
  .filter((name) => name.endsWith(".test.ts"))
  .map((name) => `test/${name}`);
const e2eFiles = testFiles.filter((file) => startsProcesses.test(readFileSync(file, "utf8")));
const unitFiles = testFiles.filter((file) => !goldenFiles.includes(file) && !e2eFiles.includes(file));

export default defineConfig({
  test: {
    setupFiles: ["test/setup.ts"],
    // The modules as transformed for the tests, kept between runs (by each file's text): a second
    // run transforms none again. In the checkout (git ignores it), as node_modules may be shared.
    experimental: { fsModuleCache: true, fsModuleCachePath: ".vitest-cache/modules" },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "unit", include: unitFiles, isolate: false } },
      { extends: true, test: { name: "golden", include: goldenFiles, isolate: false } },
      {
        extends: true,
        test: { name: "e2e", include: e2eFiles, isolate: false, globalSetup: ["test/support/freshBuild.ts"] },
      },
    ],
  },
});
