import { wholeNumberOf } from "../language/numberText.js";
import { UsageError } from "../app/usageError.js";

/** A flag's value that must be a whole number (digits only: no sign, point or exponent). */
export function wholeNumberFlag(name: string, value: string): number {
  const number = wholeNumberOf(value);
  if (number === undefined) throw new UsageError(`${name} takes a whole number, not '${value}'`);
  return number;
}

/** `--port N`: a TCP port, 0 (any free one) to 65535. */
export function portFlag(value: string): number {
  const port = wholeNumberFlag("--port", value);
  if (port > 65_535)
    throw new UsageError(`--port takes a port from 0 to 65535 (0: any free port), not '${value}'`);
  return port;
}
