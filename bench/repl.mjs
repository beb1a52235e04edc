// The REPL's figures: completion latency per keystroke over a 300-field schema, next to one
// compile() timed in the same run, and the time from `oq repl` to its prompt at a terminal,
// next to a bare node printing the same prompt. Run by bench/run.mjs, or alone:
// `npm run build --silent && node bench/repl.mjs [--quick]`.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { compile } from "../dist/lib/index.js";
import { complete } from "../dist/lib/assist/completion.js";
import { highlight } from "../dist/lib/repl/highlight.js";

const root = fileURLToPath(new URL("../", import.meta.url));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median µs per call of `fn` over batches. */
function microsPerCall(fn, batches, perBatch) {
  for (let i = 0; i < perBatch; i++) fn();
  const samples = [];
  for (let b = 0; b < batches; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perBatch; i++) fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1000 / perBatch);
  }
  return median(samples);
}

/** Milliseconds from spawning `command` in a pseudo-terminal (script(1)) to `marker` on its screen. */
function msToScreen(command, marker) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn("script", ["-qfec", command, "/dev/null"], { stdio: ["pipe", "pipe", "ignore"] });
    let text = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      text += chunk;
      if (text.includes(marker)) {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        child.kill("SIGKILL");
        resolve(ms);
      }
    });
    child.once("exit", () =>
      setTimeout(() => reject(new Error(`no '${marker}' from ${command}: ${text}`)), 100),
    );
  });
}

/**
 * Milliseconds from pasting a one-line query of `length` characters (and Enter) into `oq repl`
 * in a tmux terminal, with colours, to its summary on the screen; undefined without tmux.
 */
async function msToCompilePaste(length) {
  if (spawnSync("tmux", ["-V"]).status !== 0) return undefined;
  const socket = `oq-bench-${process.pid}`;
  const tmux = (...args) => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
  const screen = () => tmux("capture-pane", "-p", "-J", "-t", "0", "-S", "-300");
  const poll = async (test) => {
    const started = Date.now();
    while (!test(screen())) {
      if (Date.now() - started > 120_000) throw new Error("no summary after the paste");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const query = `opens > 1${" or clicks > 2".repeat(Math.ceil((length - 9) / 14))}`;
  tmux(
    "-f",
    "/dev/null",
    "new-session",
    "-d",
    "-x",
    "120",
    "-y",
    "50",
    "env",
    "-u",
    "NO_COLOR",
    "TERM=xterm-256color",
    process.execPath,
    `${root}bin/oq.js`,
    "repl",
    "--now",
    "2024-06-01T00:00:00Z",
  );
  try {
    await poll((text) => text.includes("oq>"));
    const start = process.hrtime.bigint();
    // tmux takes a few KB per command; a terminal reads a paste in pieces anyway.
    for (let at = 0; at < query.length; at += 4000)
      tmux("send-keys", "-t", "0", "-l", query.slice(at, at + 4000));
    tmux("send-keys", "-t", "0", "Enter");
    await poll((text) => text.includes("✓ opens > 1"));
    return Number(process.hrtime.bigint() - start) / 1e6;
  } finally {
    tmux("kill-server");
  }
}

export async function replBenchmarks({ quick }) {
  const fields = Object.fromEntries(
    Array.from({ length: 300 }, (_, i) => [`custom_field_${i}`, i % 3 ? "string" : "numeric"]),
  );
  // A line typed key by key: each prefix is what the completer sees at that keystroke.
  const line =
    'custom_field_150 contains "x" and opens >= 3 and not custom_field_299 ends "y" select email, custom_field_7';
  const prefixes = Array.from({ length: line.length }, (_, i) => line.slice(0, i + 1));
  let next = 0;
  const keystrokeUs = microsPerCall(
    () => complete(prefixes[next++ % prefixes.length], fields),
    quick ? 7 : 25,
    prefixes.length * 4,
  );
  // What every keystroke costs at a terminal with colours: the line redrawn, coloured.
  const colourUs = microsPerCall(
    () => highlight(prefixes[next++ % prefixes.length]),
    quick ? 7 : 25,
    prefixes.length * 4,
  );
  const designQuery = 'email ends "gmail.com" and opens >= 3 during 30d select email, opens';
  const compileUs = microsPerCall(
    () => compile(designQuery, { now: "2024-02-01T00:00:00Z", fields }),
    quick ? 7 : 25,
    2000,
  );
  const results = [
    {
      name: "REPL completion (Tab), per keystroke of a line, 300-field schema",
      baseline: "one `compile()` of the design card's query",
      measured: `${keystrokeUs.toFixed(0)} µs`,
      baselineMeasured: `${compileUs.toFixed(1)} µs`,
      ratio: keystrokeUs / compileUs,
      target: "under 5 ms",
      met: keystrokeUs < 5000,
    },
    {
      name: "REPL colouring of the line, per keystroke",
      baseline: "one `compile()` of the design card's query",
      measured: `${colourUs.toFixed(0)} µs`,
      baselineMeasured: `${compileUs.toFixed(1)} µs`,
      ratio: colourUs / compileUs,
      target: "under 5 ms",
      met: colourUs < 5000,
    },
  ];
  const node = process.execPath;
  const runs = quick ? 5 : 15;
  const replMs = [];
  const nodeMs = [];
  for (let i = 0; i < runs; i++) {
    nodeMs.push(
      await msToScreen(`${node} -e "process.stdout.write('oq> '); setTimeout(() => {}, 5000)"`, "oq> "),
    );
    replMs.push(await msToScreen(`${node} ${root}bin/oq.js repl`, "oq> "));
  }
  const [repl, bare] = [median(replMs), median(nodeMs)];
  results.push({
    name: "`oq repl` to its prompt, at a terminal",
    baseline: "node printing the same prompt",
    measured: `${repl.toFixed(0)} ms`,
    baselineMeasured: `${bare.toFixed(0)} ms`,
    ratio: repl / bare,
    target: "well under 500 ms",
    met: repl < 250,
  });
  const pasteMs = [];
  const typeMs = [];
  for (let i = 0; i < (quick ? 3 : 7); i++) {
    pasteMs.push(await msToCompilePaste(10_000));
    typeMs.push(await msToCompilePaste(100));
  }
  if (pasteMs[0] !== undefined) {
    const [paste, short] = [median(pasteMs), median(typeMs)];
    results.push({
      name: "`oq repl`: a 10 KB one-line paste to its summary, at a terminal with colours (tmux)",
      baseline: "a 100-character paste",
      measured: `${paste.toFixed(0)} ms`,
      baselineMeasured: `${short.toFixed(0)} ms`,
      ratio: paste / short,
      target: "under 2 s (it was 10-50 s)",
      met: paste < 2000,
    });
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await replBenchmarks({ quick: process.argv.includes("--quick") }))
    console.log(
      `${r.name}: ${r.measured} (${r.baseline}: ${r.baselineMeasured}, ${r.ratio.toFixed(2)}x; target ${r.target}: ${r.met ? "met" : "NOT met"})`,
    );
}
