import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { findingWords, isReadingName, type Findings, type ReadingName } from "../language/readings.js";
import { findConfigPath } from "./findConfigFile.js";
import { readJson } from "./readJsonFile.js";
import { UsageError } from "./usageError.js";

/*
 * oq.findings.json: what `oq doctor --save` found of the readings on the user's account
 * (language/readings.ts), `{"findings": {"forced-and": "fails", ...}}`. It is written beside
 * oq.config.json (else in the working folder) and found as that file is, in a query's folder or
 * above, so that run, plan, check, explain and the REPL compile with it.
 */

const findingsFileName = "oq.findings.json";

/** Where `oq doctor --save` writes: beside the oq.config.json nearest `cwd`, else in `cwd`. */
export function findingsSavePath(cwd: string): string {
  const config = findConfigPath(cwd);
  return join(config ? dirname(config) : resolve(cwd), findingsFileName);
}

/** The nearest oq.findings.json in `startDirectory` or above it. */
function findFindingsPath(startDirectory: string): string | undefined {
  for (let directory = resolve(startDirectory); ; directory = dirname(directory)) {
    const candidate = join(directory, findingsFileName);
    if (existsSync(candidate)) return candidate;
    if (dirname(directory) === directory) return undefined;
  }
}

/** The findings of the nearest oq.findings.json (none: nothing is known); a usage error if it is not valid. */
export function loadFindings(startDirectory: string): Findings | undefined {
  const path = findFindingsPath(startDirectory);
  if (path === undefined) return undefined;
  const json = readJson(path, "findings file");
  const problem = (what: string) =>
    new UsageError(`${path} is not a valid findings file (run oq doctor --save again): ${what}`);
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw problem("not a JSON object");
  const { findings } = json as { findings?: unknown };
  if (typeof findings !== "object" || findings === null || Array.isArray(findings))
    throw problem('"findings" must be an object of reading -> "holds" or "fails"');
  const known: Partial<Record<ReadingName, (typeof findingWords)[number]>> = {};
  for (const [name, word] of Object.entries(findings)) {
    if (!isReadingName(name)) throw problem(`'${name}' is not a reading`);
    if (!(findingWords as readonly unknown[]).includes(word))
      throw problem(`${name} must be "holds" or "fails", not ${JSON.stringify(word)}`);
    known[name] = word as (typeof findingWords)[number];
  }
  return known;
}

/** The text of a findings file. */
export function findingsFileText(findings: Findings): string {
  return `${JSON.stringify({ findings }, null, 2)}\n`;
}
