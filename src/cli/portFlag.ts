import { UsageError } from "../app/usageError.js";
import { wholeNumberFlag } from "./wholeNumberFlag.js";

/** `--port N`: a TCP port, 0 (any free one) to 65535. */
export function portFlag(value: string): number {
  const port = wholeNumberFlag("--port", value);
  if (port > 65_535)
    throw new UsageError(`--port takes a port from 0 to 65535 (0: any free port), not '${value}'`);
  return port;
}

/**
 * What to say when a server of oq's (`oq sandbox`, `oq playground`) cannot listen on `port`: the
 * machine's state, not a mistake in the command (exit 1), in one line, with the way out; or
 * undefined for any other error.
 */
export function portUnavailable(error: unknown, port: number): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== "EADDRINUSE" && code !== "EACCES") return undefined;
  const why = code === "EADDRINUSE" ? "is in use" : "may not be used by this user";
  return `oq: port ${port} ${why}; choose another with --port N, or --port 0 for any free port\n`;
}
