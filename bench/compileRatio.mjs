// `node bench/compileRatio.mjs [DIST...]`: compile() of the design card's query against
// JSON.parse of its payload, measured as bench/run.mjs measures it (interleaved rounds, the median
// of the rounds' ratios), for this worktree's dist/ and for each other build given (the dist/ of
// another worktree, e.g. main's), all in one process and in the same rounds, so that a change is
// compared with what it changed under the same load. Prints each build's ratio.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { designQuery, now } from "./compileLoop.mjs";

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The median time of one call of each of `fns`, in microseconds, over `rounds` rounds in which
 * each runs a batch of `perBatch` calls in turn (the first first, the others in an order that
 * alternates); and, for each, the median over the rounds of its time against the first's.
 */
export function interleavedPerCallUs(fns, { rounds, perBatch }) {
  for (const fn of fns) for (let i = 0; i < perBatch * 5; i++) fn(); // warm up the JIT
  const samples = fns.map(() => []);
  const ratios = fns.map(() => []);
  const others = fns.map((_, f) => f).slice(1);
  for (let r = 0; r < rounds; r++) {
    for (const f of [0, ...(r % 2 ? [...others].reverse() : others)]) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < perBatch; i++) fns[f]();
      samples[f].push(Number(process.hrtime.bigint() - start) / 1000 / perBatch);
    }
    fns.forEach((_, f) => ratios[f].push(samples[f].at(-1) / samples[0].at(-1)));
  }
  return { perCallUs: samples.map(median), ratios: ratios.map(median) };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const dists = [
    new URL("../dist", import.meta.url).pathname,
    ...process.argv.slice(2).map((d) => resolve(d)),
  ];
  const compilers = await Promise.all(
    dists.map(async (dist) => (await import(pathToFileURL(`${dist}/lib/index.js`).href)).compile),
  );
  const payloadText = JSON.stringify(compilers[0](designQuery, { now }).payload);
  for (const [i, compile] of compilers.entries())
    if (JSON.stringify(compile(designQuery, { now }).payload) !== payloadText)
      throw new Error(`${dists[i]} emits another payload`);
  const { perCallUs, ratios } = interleavedPerCallUs(
    [() => JSON.parse(payloadText), ...compilers.map((compile) => () => compile(designQuery, { now }))],
    { rounds: 41, perBatch: 2000 },
  );
  console.log(`JSON.parse of the ${payloadText.length}-byte payload: ${perCallUs[0].toFixed(2)} µs`);
  dists.forEach((dist, i) =>
    console.log(
      `${dist}: compile ${perCallUs[i + 1].toFixed(2)} µs, ${ratios[i + 1].toFixed(2)}x JSON.parse`,
    ),
  );
}
