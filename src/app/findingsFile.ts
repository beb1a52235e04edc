import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  findingWords,
  isReadingName,
  readingNames,
  type Findings,
  type ReadingName,
} from "../language/readings.js";
import { isListId } from "../client/listId.js";
import { findConfigPath } from "./findConfigFile.js";
import { terminalSafe } from "./terminalText.js";
import { readJson } from "./readJsonFile.js";
import { UsageError } from "./usageError.js";

/*
 * oq.findings.json: what `oq doctor --save` found of the readings on the user's list
 * (language/readings.ts), `{"listId": "12345", "findings": {"forced-and": "fails", ...}}`
 * (`"listId": null`: the account's default list). It is written beside oq.config.json (else in
 * the working folder) and found as that file is, in a query's folder or above, so that run, plan,
 * check, explain and the REPL compile with it: only for the list it was found on. Another list
 * may read criteria otherwise, so a file of another list is ignored, with a warning. A reading
 * this oq does not know (a file saved by a newer oq, shared in git) is passed over, with a
 * warning: oq's plans never rest on a reading they do not know, so the rest still holds.
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

/** What the nearest findings file says of the list: its findings, or why it was ignored. */
interface LoadedFindings {
  findings?: Findings;
  /** The file, or part of it, was ignored, and why (it is of another list; a reading is unknown). */
  warning?: string;
}

const listWords = (listId: string | undefined) =>
  listId === undefined
    ? "the account's default list"
    : `list ${isListId(listId) ? listId : fromTheFile(listId)}`;

/**
 * A value taken from the file, for a message: a file shared in git may hold anything, so it is
 * shown as JSON (a string quoted, a number as it is), its controls escaped (terminalSafe), and
 * cut to a length that fits a line.
 */
function fromTheFile(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return terminalSafe(json.length > 64 ? `${json.slice(0, 64)}...` : json);
}

/**
 * The findings of the nearest oq.findings.json for list `listId` (undefined: the default list):
 * none when there is no file, a warning and none when the file is of another list; a usage
 * error if it is not valid.
 */
export function loadFindings(startDirectory: string, listId: string | undefined): LoadedFindings {
  const path = findFindingsPath(startDirectory);
  if (path === undefined) return {};
  const json = readJson(path, "findings file");
  const problem = (what: string) =>
    new UsageError(`${path} is not a valid findings file (run oq doctor --save again): ${what}`);
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw problem("not a JSON object");
  const { findings, listId: foundOn } = json as { findings?: unknown; listId?: unknown };
  if (foundOn !== null && typeof foundOn !== "string")
    throw problem(
      '"listId" must be the id of the list the findings are of, as text (null: the default list)',
    );
  if (typeof findings !== "object" || findings === null || Array.isArray(findings))
    throw problem('"findings" must be an object of reading -> "holds" or "fails"');
  const known: Partial<Record<ReadingName, (typeof findingWords)[number]>> = {};
  const unknown: string[] = [];
  for (const [name, word] of Object.entries(findings)) {
    if (!isReadingName(name)) {
      unknown.push(name);
      continue;
    }
    if (!(findingWords as readonly unknown[]).includes(word))
      throw problem(`${name} must be "holds" or "fails", not ${fromTheFile(word)}`);
    known[name] = word as (typeof findingWords)[number];
  }
  if ((foundOn ?? undefined) !== listId)
    return {
      warning: `ignoring ${path}: its findings are of ${listWords(foundOn ?? undefined)}, not of ${listWords(listId)} that this command uses (run oq doctor --save for it)`,
    };
  if (unknown.length > 0)
    return {
      findings: known,
      warning: `${path}: passing over ${namesOf(unknown)}, not ${unknown.length === 1 ? "a reading" : "readings"} this oq knows (saved by a newer oq? the readings are ${readingNames.join(", ")})`,
    };
  return { findings: known };
}

/** The first few of `names` from the file, each as fromTheFile shows it, and how many more. */
function namesOf(names: readonly string[]): string {
  const shown = 3;
  const listed = names.slice(0, shown).map(fromTheFile).join(", ");
  return names.length > shown ? `${listed} and ${names.length - shown} more` : listed;
}

/** The text of a findings file: what was found on list `listId` (undefined: the default list). */
export function findingsFileText(findings: Findings, listId: string | undefined): string {
  return `${JSON.stringify({ listId: listId ?? null, findings }, null, 2)}\n`;
}
