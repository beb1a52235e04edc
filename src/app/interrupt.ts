import { signalExitCodes, type StopSignal } from "./exitCodes.js";

/** The signals that stop oq cleanly: Ctrl-C, `kill`/`timeout`/`docker stop`, a closed terminal. */
const stopSignals = Object.keys(signalExitCodes) as StopSignal[];

/** How long the clean-up after a signal may take before it is abandoned (ms). */
export const cleanupAfterSignalMs = 15_000;

interface Interruption {
  /** Aborted by the first signal: stop the work (and clean up). */
  signal: AbortSignal;
  /** Aborted when the clean-up must end: `cleanupAfterSignalMs` after the first signal, or at once on a second. */
  cleanupSignal: AbortSignal;
}

/**
 * The process, as the shell hands it over: its stop signals, its exit (the last resort) and its
 * stderr (whose write errors are ignored after a signal). The application layer never reaches
 * for `process` itself: only the shells touch it (docs/ARCHITECTURE.md).
 */
type HostProcess = Pick<NodeJS.Process, "on" | "off" | "exit" | "stderr">;

interface InterruptOptions {
  /** Told of the first signal (e.g. to stop a spinner and say what is being cleaned up). */
  onStop?: (signal: StopSignal) => void;
  /** Told of the second signal: the clean-up is being abandoned. */
  onAbandon?: () => void;
  /**
   * The process goes on after the work (the REPL): the last-resort exit is cancelled once the
   * work settles. Without it that exit stays armed, so a command that settled but left a handle
   * open still ends.
   */
  outlivesWork?: boolean;
}

/**
 * Runs `work` so that SIGINT, SIGTERM and SIGHUP all stop it the same way: the first aborts
 * `signal`, and the work is expected to clean up (delete the reports it made, drop partial
 * files) within a bound and then settle; the second abandons the clean-up; a third exits at
 * once. Resolves with the work's result and the signal that stopped it, if any; the caller
 * exits with that signal's code (signalExitCodes).
 */
export async function interruptible<T>(
  host: HostProcess,
  work: (interruption: Interruption) => Promise<T>,
  options: InterruptOptions = {},
): Promise<{ result: T; stoppedBy: StopSignal | undefined }> {
  const stop = new AbortController();
  const abandon = new AbortController();
  let stoppedBy: StopSignal | undefined;
  let received = 0;
  let cleanupTimer: NodeJS.Timeout | undefined;
  let lastResort: NodeJS.Timeout | undefined;
  // A closed terminal (SIGHUP) makes writes to it fail: that must not crash the clean-up.
  const ignoreWriteErrors = () => undefined;
  const onSignal = (signal: StopSignal) => {
    received++;
    if (received === 1) {
      stoppedBy = signal;
      host.stderr.on("error", ignoreWriteErrors);
      options.onStop?.(signal);
      stop.abort();
      cleanupTimer = setTimeout(() => abandon.abort(), cleanupAfterSignalMs);
      // The last resort, should anything not heed the abort: the process never outlives the bound by much.
      lastResort = setTimeout(() => host.exit(signalExitCodes[signal]), cleanupAfterSignalMs + 5000);
      lastResort.unref();
    } else if (received === 2) {
      options.onAbandon?.();
      abandon.abort();
    } else {
      host.exit(signalExitCodes[stoppedBy ?? signal]);
    }
  };
  const handlers = stopSignals.map((signal) => [signal, () => onSignal(signal)] as const);
  for (const [signal, handler] of handlers) host.on(signal, handler);
  try {
    const result = await work({ signal: stop.signal, cleanupSignal: abandon.signal });
    return { result, stoppedBy };
  } finally {
    clearTimeout(cleanupTimer);
    if (options.outlivesWork) clearTimeout(lastResort);
    for (const [signal, handler] of handlers) host.off(signal, handler);
    // After a signal the terminal may be gone for good: keep ignoring write errors.
    if (!stoppedBy) host.stderr.off("error", ignoreWriteErrors);
  }
}
