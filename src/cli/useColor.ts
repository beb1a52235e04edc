/** Colours on stderr: only on a terminal, and never with NO_COLOR or --no-color. */
export function useColor(flags: { color?: boolean }): boolean {
  return flags.color !== false && process.stderr.isTTY === true && !process.env["NO_COLOR"];
}
