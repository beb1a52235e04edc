// `npm run demo`: compiles every query in examples/ with the built `oq` command and shows the
// request body it would send to Ongage. (Run with the sandbox once the runner exists.)
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const examples = fileURLToPath(new URL("../examples/", import.meta.url));
const oq = fileURLToPath(new URL("../bin/oq.js", import.meta.url));
let failed = 0;

for (const file of readdirSync(examples).filter((name) => name.endsWith(".oq")).sort()) {
  process.stdout.write(`\n=== examples/${file}\n${readFileSync(examples + file, "utf8")}\n--- oq compile ${file}\n`);
  // Run in examples/, so that its oq.config.json (naming fields.json) applies, as it would for a user.
  const run = spawnSync(process.execPath, [oq, "compile", file], { cwd: examples, encoding: "utf8" });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  if (run.status !== 0) failed++;
}
process.stdout.write(`\n${failed === 0 ? "all examples compiled" : `${failed} example(s) failed`}\n`);
process.exitCode = failed === 0 ? 0 : 1;
