import { readFileSync } from "node:fs";
import { UsageError } from "./usageError.js";

/**
 * The JSON in `path`; a usage error naming the file (as `what`) if it cannot be read or parsed.
 * `check` sees the text once it parses (a usage error of its own refuses it).
 */
export function readJson(path: string, what: string, check?: (text: string) => void): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the ${what} ${path} is not valid JSON: ${(error as Error).message}`);
  }
  check?.(text);
  return json;
}
