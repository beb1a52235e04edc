// The entry of the compiling commands' own bundle (dist/cli/compiling.cjs), which bin/oq.js runs
// for `oq compile`, `check`, `plan` and `explain`: the same program as oq.ts's with only the
// command that runs, handed the real process as oq.ts hands it.
import { runCompilingCommand } from "./compilingCommands.js";

void runCompilingCommand(process.argv.slice(2), process);
