// The entry of the compiling commands' own bundle (dist/cli/compiling.cjs), which bin/oq.js runs
// for `oq compile`, `check`, `plan` and `explain`: the same program as oq.ts's with only the
// command that runs, handed the real process as oq.ts hands it, but for its standard output and
// error, written synchronously without Node's streams (syncOutput.ts: a faster start).
import { runCompilingCommand } from "./compilingCommands.js";
import { hostWritingSync } from "./syncOutput.js";

void runCompilingCommand(process.argv.slice(2), hostWritingSync(process));
