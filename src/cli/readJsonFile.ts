import { readFileSync } from "node:fs";
import { UsageError } from "./usageError.js";

/** The JSON in `path`; a usage error naming the file (as `what`) if it cannot be read or parsed. */
export function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the ${what} ${path} is not valid JSON: ${(error as Error).message}`);
  }
}
