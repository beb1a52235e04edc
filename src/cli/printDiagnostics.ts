import type { Host } from "../app/host.js";
import { formatDiagnostics } from "../compile.js";
import { useColor } from "./useColor.js";

/**
 * Writes a result's diagnostics to stderr, coloured on a terminal. Whether stderr is a terminal
 * is asked only when there is something to write: the compiling commands' stderr may make Node's
 * stream to answer (syncOutput.ts), which a query without diagnostics never pays for.
 */
export function printDiagnostics(
  result: Parameters<typeof formatDiagnostics>[0],
  flags: { color?: boolean },
  host: Host,
): void {
  if (result.diagnostics.length === 0) return;
  const text = formatDiagnostics(result, { color: useColor(flags, host) });
  if (text) host.stderr.write(text);
}
