import { isReadingName, readingNames, type ReadingName } from "../language/readings.js";

/**
 * `--reading` on the command line: reading names separated by commas (language/readings.ts),
 * each once. An unknown name throws, naming the readings there are.
 */
export function parseReadings(spec: string): ReadingName[] {
  const names = spec
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0)
    throw new Error(`--reading takes one or more of ${readingNames.join(", ")}, separated by commas`);
  for (const name of names) {
    if (!isReadingName(name))
      throw new Error(`--reading: '${name}' is not a reading; the readings are ${readingNames.join(", ")}`);
  }
  return [...new Set(names as ReadingName[])];
}
