// `npm run bench`: measures oq against baselines timed in the same run (this machine is noisy,
// so only ratios and medians mean anything), prints the results and writes BENCHMARKS.md.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "../dist/lib/index.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const quick = process.argv.includes("--quick");

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median time of one call, in microseconds, over `batches` batches of `perBatch` calls. */
function timePerCall(fn, { batches = 25, perBatch = 2000, cleanHeap = false } = {}) {
  for (let i = 0; i < perBatch; i++) fn(); // warm up the JIT
  const samples = [];
  for (let b = 0; b < batches; b++) {
    // Large inputs: each sample starts from a clean heap (npm run bench passes --expose-gc).
    // Not for the small ones: a forced full GC every batch slows the next batch down.
    if (cleanHeap) globalThis.gc?.();
    const start = process.hrtime.bigint();
    for (let i = 0; i < perBatch; i++) fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1000 / perBatch);
  }
  return median(samples);
}

function wallTimeMs(args, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
  }
  return median(samples);
}

const results = [];
const now = "2024-02-01T00:00:00Z";

// 1. Compile throughput of the design card's query, next to JSON.parse of the payload it emits.
const designQuery = 'email ends "gmail.com" and opens >= 3 during 30d select email, opens';
const payloadText = JSON.stringify(compile(designQuery, { now }).payload);
const jsonParseUs = timePerCall(() => JSON.parse(payloadText));
const compileUs = timePerCall(() => compile(designQuery, { now }));
results.push({
  name: "compile the design card's query",
  baseline: `JSON.parse of its ${payloadText.length}-byte payload`,
  measured: `${compileUs.toFixed(1)} µs`,
  baselineMeasured: `${jsonParseUs.toFixed(2)} µs`,
  ratio: compileUs / jsonParseUs,
  target: "≤ 3x",
  met: compileUs / jsonParseUs <= 3,
});

// 2. Cold start of `oq compile` on a small file, next to `node -e 0`.
const dir = mkdtempSync(join(tmpdir(), "oq-bench-"));
const small = join(dir, "small.oq");
writeFileSync(small, designQuery);
const runs = quick ? 5 : 21;
const nodeMs = wallTimeMs(["-e", "0"], runs);
const oqMs = wallTimeMs(["bin/oq.js", "compile", small, "--now", now], runs);
const libMs = wallTimeMs(["--input-type=module", "-e", `import("${root}dist/lib/index.js").then((oq) => oq.compile('opens > 1'))`], runs);
results.push({
  name: "cold start: `oq compile small.oq` (bundled)",
  baseline: "`node -e 0`",
  measured: `${oqMs.toFixed(0)} ms`,
  baselineMeasured: `${nodeMs.toFixed(0)} ms`,
  ratio: oqMs / nodeMs,
  target: "≤ 1.5x",
  met: oqMs / nodeMs <= 1.5,
});
results.push({
  name: "for comparison: import the unbundled library and compile",
  baseline: "`node -e 0`",
  measured: `${libMs.toFixed(0)} ms`,
  baselineMeasured: `${nodeMs.toFixed(0)} ms`,
  ratio: libMs / nodeMs,
  target: "(none)",
  met: true,
});

// 3. A 1,000-condition query, and 2,000 and 4,000 to show the growth is linear.
const chain = (n) => Array.from({ length: n }, (_, i) => `opens != ${i}`).join(" and ");
const sizes = [1000, 2000, 4000];
const chainMs = sizes.map((n) => {
  const text = chain(n);
  return timePerCall(() => compile(text, { now }), { batches: quick ? 7 : 31, perBatch: 3, cleanHeap: true }) / 1000;
});
results.push({
  name: "compile a 1,000-condition query",
  baseline: "(absolute)",
  measured: `${chainMs[0].toFixed(2)} ms`,
  baselineMeasured: "",
  ratio: undefined,
  target: "well under 50 ms",
  met: chainMs[0] < 25,
});
results.push({
  name: "growth: 2,000 / 1,000 and 4,000 / 2,000 conditions",
  baseline: "linear is 2.0",
  measured: `${(chainMs[1] / chainMs[0]).toFixed(2)}x, ${(chainMs[2] / chainMs[1]).toFixed(2)}x`,
  baselineMeasured: "",
  ratio: undefined,
  target: "≈ 2x (linear)",
  met: chainMs[2] / chainMs[1] < 2.6 && chainMs[1] / chainMs[0] < 2.6,
});

const rows = results.map(
  (r) => `| ${r.name} | ${r.measured} | ${r.baseline}${r.baselineMeasured ? `: ${r.baselineMeasured}` : ""} | ${r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}x`} | ${r.target} | ${r.met ? "yes" : "**no**"} |`,
);
const table = ["| benchmark | oq | baseline (same run) | ratio | target | met |", "| --- | --- | --- | --- | --- | --- |", ...rows].join("\n");
const machine = `Node ${process.version}, ${process.platform}/${process.arch}, ${(await import("node:os")).cpus().length} cores; medians`;
process.stdout.write(`${table}\n\n${machine}\n`);

if (!quick) {
  const date = new Date().toISOString().slice(0, 10);
  writeFileSync(
    join(root, "BENCHMARKS.md"),
    `# Benchmarks\n\nThe latest \`npm run bench\` (${date}; ${machine}). Timings on these machines are noisy:\n` +
      `each line is a median, and each is measured next to its baseline in the same run.\n\n${table}\n\n` +
      `See the notes in bench/README.md for what each benchmark does and what limits it.\n`,
  );
}
