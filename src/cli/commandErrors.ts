import { exitCodes } from "../app/exitCodes.js";
import type { Host } from "../app/host.js";
import { terminalSafe, terminalSafeLines } from "../app/terminalText.js";

/**
 * What an error thrown by a command becomes: oq's message on stderr and an exit status, for a
 * wrong invocation (UsageError) or a failure of Ongage's API (OngageError); false for any other
 * error, a bug, which the caller rethrows. Shared by the program (program.ts) and the compiling
 * commands run without commander (compilingCommands.ts).
 */
export function reportCommandError(error: unknown, host: Host): boolean {
  // By name, not by class: the compiling commands' bundle holds no client, and importing its
  // OngageError here would put the client's modules into every compiling command's start.
  if (error instanceof Error && error.name === "UsageError") {
    // oq's own words, some of several lines (a schema's problems, one a line).
    host.stderr.write(`oq: ${terminalSafeLines(error.message)}\n`);
    host.exitCode = exitCodes.usage;
    return true;
  }
  if (error instanceof Error && error.name === "OngageError") {
    // The client's messages never hold credentials.
    host.stderr.write(`oq: ${terminalSafe(error.message)}\n`);
    host.exitCode =
      (error as Error & { kind?: string }).kind === "config" ? exitCodes.usage : exitCodes.failed;
    return true;
  }
  return false;
}
