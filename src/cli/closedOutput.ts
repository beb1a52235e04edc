import type { Host } from "../app/host.js";
import type { Writable } from "node:stream";
import { exitCodes } from "../app/exitCodes.js";

/*
 * A reader that stops early (`oq compile big.oq | head -1`) closes the pipe under oq's output:
 * the next write fails with EPIPE, which Node raises as an 'error' event and, with no listener,
 * as a crash with a stack trace. Nobody is left to read the rest, so this is not a failure: the
 * command ends as it would have (exit 0 when it succeeded), as `oq run` does (README, "Exit
 * status"). Other write errors (a full disk behind a redirect) are still reported.
 */

const readerGone = new Set(["EPIPE", "ERR_STREAM_DESTROYED"]);

/** Listens for write errors on `stream` (stdout or stderr) for the rest of the host. */
export function toleratePipeClosedByReader(stream: Writable, name: string, host: Host): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (readerGone.has(error.code ?? "")) return;
    if (stream !== host.stderr) host.stderr.write(`oq: cannot write to ${name}: ${error.message}\n`);
    host.exitCode = exitCodes.failed;
  });
}
