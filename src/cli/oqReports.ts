// The entry of `oq reports`' own bundle (dist/cli/reports.cjs), which bin/oq.js runs for
// `oq reports ...`: the program of program.ts with only the reports group, handed the real
// process as oq.ts hands it. Every argv of `oq reports` is answered here, help and usage errors
// included, by the same commander definitions as the whole program's (reportsCommands.ts).
import { runProgram } from "./program.js";
import { addReportsCommands } from "./reportsCommands.js";

/** Settles when the command has finished (scripts/reportsCodeCache.mjs waits for each run it caches). */
export const ran = runProgram(process.argv.slice(2), process, addReportsCommands);
