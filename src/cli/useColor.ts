import type { Host } from "../app/host.js";
/** Colours on stderr: only on a terminal, and never with NO_COLOR or --no-color. */
export function useColor(flags: { color?: boolean }, host: Host): boolean {
  return flags.color !== false && host.stderr.isTTY === true && !host.env["NO_COLOR"];
}
