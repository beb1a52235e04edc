import type { ProgressLine } from "../progress.js";

/**
 * Runs `work` with a signal that Ctrl-C aborts. The work is expected to clean up (delete the
 * reports it made, drop partial files) and then settle; a second Ctrl-C exits at once.
 * Resolves with the work's result, or "interrupted" after a Ctrl-C.
 */
export async function interruptible<T>(progress: ProgressLine, work: (signal: AbortSignal) => Promise<T>, message?: string): Promise<T | "interrupted"> {
  const controller = new AbortController();
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    progress.stop();
    process.stderr.write(`\noq: stopping${message ? `; ${message}` : ""} (Ctrl-C again to quit at once)\n`);
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  try {
    const result = await work(controller.signal);
    return interrupted ? "interrupted" : result;
  } finally {
    process.off("SIGINT", onSigint);
  }
}
