/** The defaults of `oq run`'s --poll-interval and --timeout, which the REPL's `.run` shares. */
export const runDefaults = { pollInterval: "2s", timeout: "30m" } as const;
