import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const configFileName = "oq.config.json";

/** The nearest oq.config.json in `startDirectory` or above it. */
export function findConfigPath(startDirectory: string): string | undefined {
  for (let directory = resolve(startDirectory); ; directory = dirname(directory)) {
    const candidate = join(directory, configFileName);
    if (existsSync(candidate)) return candidate;
    if (dirname(directory) === directory) return undefined;
  }
}
