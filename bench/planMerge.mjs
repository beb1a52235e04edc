/*
 * The merge of a plan's results on its own, as runPlan does it (mergeResults into a CsvDownload,
 * saved under the final name), over CSV files already on disk: `node bench/planMerge.mjs DIR
 * OUT` merges DIR/r0.csv..r3.csv and prints its figures, peak RSS included, as JSON. bench/plan.mjs
 * runs it in a process of its own so that the peak is the merge's alone.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { Readable } from "node:stream";
import { join } from "node:path";
import { mergeResults } from "../dist/lib/runner/mergeResults.js";
import { CsvDownload } from "../dist/lib/runner/csvOutput.js";

const [dir, out] = process.argv.slice(2);
const report = (index) => ({ kind: "report", report: index });
const stats = { partitions: 0, spilledBytes: 0, contacts: 0 };
// The partition files go where runPlan puts them: a private folder of their own.
const folder = mkdtempSync(join(dir, "merge-"));
const started = process.hrtime.bigint();
const file = new CsvDownload({ kind: "file", path: out });
await file.receive(
  Readable.from(
    mergeResults(
      {
        files: [0, 1, 2, 3].map((index) => join(dir, `r${index}.csv`)),
        // (r0 or r1 or r2) and not r3
        combine: {
          kind: "difference",
          from: { kind: "union", of: [report(0), report(1), report(2)] },
          minus: report(3),
        },
        key: "email",
        columns: ["email", "city", "opens"],
        folder,
      },
      stats,
    ),
  ),
);
await file.commit();
rmSync(folder, { recursive: true, force: true });
const ms = Number(process.hrtime.bigint() - started) / 1e6;
process.stdout.write(
  `${JSON.stringify({ ms, rows: file.counter.rows, bytes: file.counter.bytes, ...stats, peakRssKb: process.resourceUsage().maxRSS })}\n`,
);
