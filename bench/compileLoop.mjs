// What bench/run.mjs runs under callgrind to count instructions, not time: `node
// --single-threaded bench/compileLoop.mjs MODE N` warms up compile() of the design card's query
// and JSON.parse of its payload alike, then runs N of one of them (MODE compile or parse) inside
// a JSON.parse reviver. The reviver is the marker: V8's JIT code has no symbols callgrind can
// name, but the C++ function that calls the reviver has (measuredFunction), so callgrind counts
// only while it runs (--collect-atstart=no --toggle-collect), and Node's start and the warm-up
// are never counted. The measured loops are the very functions the warm-up ran, so that they are
// already optimised, and --single-threaded has V8 compile and collect garbage on this thread, as
// the code asks, not on helper threads whose work lands in the count on their own schedule
// (bench/README.md: the spread of each way tried).
import { compile } from "../dist/lib/index.js";

export const designQuery = 'email ends "gmail.com" and opens >= 3 during 30d select email, opens';
export const now = "2024-02-01T00:00:00Z";

/** The C++ function (as callgrind names it) that runs the measured loop: JSON.parse's reviver call. */
export const measuredFunction = "v8::internal::JsonParseInternalizer::Internalize(*";

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const [mode, count] = [process.argv[2], Number(process.argv[3])];
  const payloadText = JSON.stringify(compile(designQuery, { now }).payload);
  let kept = 0;
  const loops = {
    compile(calls) {
      for (let i = 0; i < calls; i++) kept += compile(designQuery, { now }).diagnostics.length;
    },
    parse(calls) {
      for (let i = 0; i < calls; i++) kept += JSON.parse(payloadText).title.length;
    },
  };
  for (let round = 0; round < 20; round++) {
    loops.compile(500);
    loops.parse(500);
  }
  JSON.parse("0", () => {
    loops[mode](count);
    return 0;
  });
  if (kept < 0) console.log(kept);
}
