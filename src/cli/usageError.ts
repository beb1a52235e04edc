/** A mistake in how oq was invoked (exit status 2), as opposed to a mistake in a query (1). */
export class UsageError extends Error {
  override name = "UsageError";
}

export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

/** Stopped by a signal: 128 + the signal's number, as shells report it. */
export const signalExitCodes = { SIGHUP: 128 + 1, SIGINT: 128 + 2, SIGTERM: 128 + 15 } as const;
export type StopSignal = keyof typeof signalExitCodes;
