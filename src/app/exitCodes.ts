/** Stopped by a signal: 128 + the signal's number, as shells report it. */
export const signalExitCodes = { SIGHUP: 128 + 1, SIGINT: 128 + 2, SIGTERM: 128 + 15 } as const;
export type StopSignal = keyof typeof signalExitCodes;

/** The command's exit statuses; `interrupted` is Ctrl-C's (SIGINT's) 130. */
export const exitCodes = { ok: 0, failed: 1, usage: 2, interrupted: signalExitCodes.SIGINT } as const;
