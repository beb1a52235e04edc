// The entry of the compiling commands' own bundle (dist/cli/compiling.cjs), which bin/oq.js runs
// for `oq compile`, `check`, `plan` and `explain`: the command that runs, handed the real process
// as oq.ts hands it, but for its standard output and error, written synchronously without Node's
// streams (syncOutput.ts: a faster start). `ran` is false for an argv the bundle leaves to the
// whole program (help, --version, a usage error: compilingCommands.ts), which bin/oq.js then runs.
import { runCompilingCommand } from "./compilingCommands.js";
import { hostWritingSync } from "./syncOutput.js";

const host = hostWritingSync(process);
export const ran = runCompilingCommand(process.argv.slice(2), host);
/** Ends the process once the command's output is written (syncOutput.ts): bin/oq.js calls it after `ran`. */
export const endSoon = () => host.endSoon();
