// What bench/run.mjs runs under callgrind to count instructions, not time: `node
// bench/compileLoop.mjs MODE N` warms up compile() of the design card's query and JSON.parse of
// its payload alike, then runs N of one of them (MODE compile or parse); bench/run.mjs counts
// N and 3N calls and takes the difference, so that the start and the warm-up cancel out.
import { compile } from "../dist/lib/index.js";

export const designQuery = 'email ends "gmail.com" and opens >= 3 during 30d select email, opens';
export const now = "2024-02-01T00:00:00Z";

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const [mode, count] = [process.argv[2], Number(process.argv[3])];
  const payloadText = JSON.stringify(compile(designQuery, { now }).payload);
  let kept = 0;
  // Long enough for V8's optimizing compiler to be done with both (its thread's instructions count too).
  for (let i = 0; i < 30_000; i++)
    kept += compile(designQuery, { now }).diagnostics.length + JSON.parse(payloadText).title.length;
  if (mode === "compile")
    for (let i = 0; i < count; i++) kept += compile(designQuery, { now }).diagnostics.length;
  if (mode === "parse") for (let i = 0; i < count; i++) kept += JSON.parse(payloadText).title.length;
  if (kept < 0) console.log(kept);
}
