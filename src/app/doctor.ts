import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OngageClient } from "../client/client.js";
import { compile, formatDiagnostics } from "../compile.js";
import { builtinFields, type CustomFields } from "../check/fieldCatalog.js";
import type { ContactActivityRequest } from "../emit/payloadSchema.js";
import { andForcingReading, readingNames, type Findings, type ReadingName } from "../language/readings.js";
import { detailedExportColumns, fieldTypes, type FieldType } from "../language/vocabulary.js";
import { columnIndexes, namesEveryColumn } from "../runner/csvHeader.js";
import { byteOrderMark, CsvRecordReader } from "../runner/csvRecords.js";
import { ledgerOf, runReport, type RunSummary } from "../runner/runReport.js";
import type { StopSignal } from "./exitCodes.js";
import type { Host } from "./host.js";
import { interruptible } from "./interrupt.js";
import { oqRecoveryCommands } from "./recoveryCommands.js";

/*
 * `oq doctor`: settles the readings of language/readings.ts on the user's own list. It reads the
 * list's fields, takes two exports of every contact (the aggregated one: emails, statuses and
 * custom text, number and date fields; the detailed one: the mailings), and from them picks
 * values for a small report per reading whose answer differs between that reading and the
 * documented one (docs/semantics.md, "How oq doctor settles each reading"); the exports' own
 * bytes settle what their headers carry. Its compiles know no findings: a probe sends exactly
 * what it says. Every report is run by runReport in one ledger, drained at the end, so each is
 * deleted on every path out, a signal included.
 */

type Verdict = "holds" | "does not hold" | "could not tell";

interface ReadingVerdict {
  reading: ReadingName;
  verdict: Verdict;
  /** Why, in words; names of fields, columns and counts, never a contact's values. */
  why: string;
}

interface DoctorReport {
  /** The list probed (undefined: the account's default list). */
  listId: string | undefined;
  readings: ReadingVerdict[];
  /** API calls made, clean-up included. */
  calls: number;
  /** Reports created (each deleted unless `leftBehind` names it). */
  reports: number;
  /** Reports that could not be deleted. */
  leftBehind: string[];
  /** The run failed before any reading could be settled (the first export or the fields). */
  error?: string;
}

interface DoctorOptions {
  pollIntervalMs: number;
  timeoutMs: number;
  /** "Now" for the probes' windows (ms since the epoch; default the clock's). */
  now?: number | undefined;
}

/** The custom fields of each type exported at most, to find one with empty and non-empty values. */
const maxFieldsPerType = 10;
/** How far back the detailed export looks for a mailing (the window of the probes). */
const window = "during 365d";

/** The findings `oq doctor --save` records: only what was settled. */
export function findingsOf(report: DoctorReport): Findings {
  const findings: Partial<Record<ReadingName, "holds" | "fails">> = {};
  for (const { reading, verdict } of report.readings)
    if (verdict !== "could not tell") findings[reading] = verdict === "holds" ? "holds" : "fails";
  return findings;
}

/** An oq text literal (JSON's escapes are oq's). */
const text = (value: string) => JSON.stringify(value);
/** A field name as a query writes it, backquoted so that any name is one. */
const fieldName = (name: string) => `\`${name}\``;
const lower = (value: string) => value.toLowerCase();
/** Values oq can write as text literals: a control character would be refused there. */
const writable = (value: string) => value !== "" && !/\p{Cc}/u.test(value);
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** A CSV as its bytes show it: a BOM or not, the header's cells, the records after it. */
interface ReadCsv {
  bom: boolean;
  header: string[];
  records: string[][];
}

function readCsv(path: string): ReadCsv {
  let bytes = readFileSync(path);
  const bom = bytes.subarray(0, byteOrderMark.length).equals(byteOrderMark);
  if (bom) bytes = bytes.subarray(byteOrderMark.length);
  const reader = new CsvRecordReader();
  const [header = [], ...records] = [...reader.push(bytes), ...reader.end()];
  return { bom, header, records: records.filter((record) => !(record.length === 1 && record[0] === "")) };
}

/**
 * What a header carries for the columns a report asked for: their names (in any order and letter
 * case, among other columns or not: runner/csvHeader.ts), or other words in as many columns
 * (labels among them, which the runner reads too), read then by position; `undefined` when it is
 * neither.
 */
function headerColumns(
  header: readonly string[],
  asked: readonly string[],
): "names" | "other words" | undefined {
  // By name only: a header of labels is what header-labels asks about, though the runner reads it.
  if (namesEveryColumn(header, asked)) return "names";
  return header.length === asked.length ? "other words" : undefined;
}

/** The records of a CSV as objects by the asked column names (by position when the header has other words). */
function rowsOf(csv: ReadCsv, asked: readonly string[]): Record<string, string>[] | undefined {
  const carries = headerColumns(csv.header, asked);
  if (carries === undefined) return undefined;
  const indexes = carries === "names" ? columnIndexes(csv.header, asked) : asked.map((_, index) => index);
  return csv.records.map((record) =>
    Object.fromEntries(asked.map((column, index) => [column, record[indexes[index]!] ?? ""])),
  );
}

/** An export: the rows by column name, and its CSV as read (BOM, header). */
interface Export {
  rows: Record<string, string>[];
  csv: ReadCsv;
  /** The columns the request asked for, in its order. */
  asked: readonly string[];
}

class Probes {
  readonly summaries: RunSummary[] = [];
  private runs = 0;

  constructor(
    private readonly folder: string,
    private readonly fields: CustomFields,
    private readonly now: number | undefined,
    private readonly run: (
      request: ContactActivityRequest,
      path: string,
      detailed: boolean,
    ) => Promise<RunSummary>,
  ) {}

  /** What `query` selects (its export, or the detailed one), or the reason it could not be run. */
  async export(query: string, detailed = false): Promise<Export | { problem: string }> {
    const compiled = compile(`title "oq doctor"\n${query}`, {
      fields: this.fields,
      ...(this.now !== undefined ? { now: this.now } : {}),
    });
    if (!compiled.payload)
      return { problem: `oq could not compile its probe: ${formatDiagnostics(compiled).trim()}` };
    const path = join(this.folder, `${++this.runs}.csv`);
    const summary = await this.run(compiled.payload, path, detailed);
    this.summaries.push(summary);
    if (!summary.ok)
      return {
        problem:
          summary.error === "stopped"
            ? stoppedWords
            : `its report failed: ${summary.error ?? "unknown error"}`,
      };
    const csv = readCsv(path);
    const asked = detailed ? detailedExportColumns : compiled.payload.selected_fields;
    const rows = rowsOf(csv, asked);
    if (rows === undefined)
      return {
        problem: `its export's header has ${plural(csv.header.length, "column")}, not the ${asked.length} it asked for`,
      };
    return { rows, csv, asked };
  }

  /** The emails `condition` selects (every user type, the probes' window), or the reason it could not be run. */
  async emails(condition: string, clauses = "users all"): Promise<Set<string> | { problem: string }> {
    const selected = await this.export(`${condition}\n${clauses}\nselect email\n${window}`);
    if ("problem" in selected) return selected;
    return new Set(selected.rows.map((row) => lower(row["email"] ?? "")));
  }
}

/** A list's contacts as the first export has them: emails (lower case), statuses, custom values. */
interface Contacts {
  every: readonly Record<string, string>[];
  emails: readonly string[];
  /** Two contacts whose emails do not start one another (A preferably not active), if the list has them. */
  pair: { a: string; b: string } | undefined;
}

function contactsOf(every: readonly Record<string, string>[]): Contacts {
  const emails = [...new Set(every.map((row) => lower(row["email"] ?? "")))].sort();
  const active = new Set(
    every
      .filter((row) => lower(row["ocx_status"] ?? "") === "active")
      .map((row) => lower(row["email"] ?? "")),
  );
  const candidates = emails.filter(writable);
  const ordered = [
    ...candidates.filter((email) => !active.has(email)),
    ...candidates.filter((email) => active.has(email)),
  ];
  for (const a of ordered) {
    const b = candidates.find((email) => !email.startsWith(a) && !a.startsWith(email));
    if (b !== undefined) return { every, emails, pair: { a, b } };
  }
  return { every, emails, pair: undefined };
}

const noPair = "the list needs two contacts whose emails do not start one another";
const setsEqual = (a: ReadonlySet<string>, b: ReadonlySet<string>) =>
  a.size === b.size && [...a].every((x) => b.has(x));
const couldNotTell = (reading: ReadingName, why: string): ReadingVerdict => ({
  reading,
  verdict: "could not tell",
  why,
});

/** The flags clause that sends `combined_as_and` as `value` (undefined: left out). */
function flagsClause(value: boolean | undefined): string {
  return value === undefined ? "flags include_behavior" : `flags combined_as_and = ${value}`;
}
const flagWords = (value: boolean | undefined) =>
  value === undefined ? "without combined_as_and" : `with combined_as_and: ${value}`;

/**
 * forced-and, forced-and-false, forced-and-absent: `email = A or email starts B` sent with the
 * flag as each reading has it: A and B's contacts (each condition in force), or no one (AND).
 */
async function forcedAnd(
  probes: Probes,
  contacts: Contacts,
  value: boolean | undefined,
): Promise<ReadingVerdict> {
  const reading = andForcingReading(value);
  if (!contacts.pair) return couldNotTell(reading, noPair);
  const { a, b } = contacts.pair;
  const got = await probes.emails(
    `email = ${text(a)} or email starts ${text(b)}`,
    `users all\n${flagsClause(value)}`,
  );
  if ("problem" in got) return couldNotTell(reading, got.problem);
  const union = new Set(contacts.emails.filter((email) => email === a || email.startsWith(b)));
  const probe = `a report of two criteria marked 'or', sent ${flagWords(value)},`;
  if (got.size === 0)
    return { reading, verdict: "holds", why: `${probe} selected no one: its criteria were joined by AND` };
  if (setsEqual(got, union))
    return {
      reading,
      verdict: "does not hold",
      why: `${probe} selected the ${union.size} contacts of either criterion`,
    };
  return couldNotTell(
    reading,
    `${probe} selected ${got.size} contacts: neither the ${union.size} of either criterion nor the none of both`,
  );
}

/** `the 3 contacts`, `the one contact`. */
function contactsWord(count: number, noun: string): string {
  return count === 1 ? `the one ${noun}` : `the ${count} ${noun}s`;
}

/** What a probe stopped by a signal says instead of a finding. */
const stoppedWords = "stopped before its report was done";

/**
 * users-or: `users active` with `email = A or email starts B`, sent with a flag found to keep
 * `or`: the active contacts among A and B's, or every active contact and A and B's.
 */
async function usersOr(
  probes: Probes,
  contacts: Contacts,
  forced: readonly ReadingVerdict[],
): Promise<ReadingVerdict> {
  const reading = "users-or";
  if (!contacts.pair) return couldNotTell(reading, noPair);
  const keepsOr = ([true, undefined, false] as const).filter(
    (v) => forced.find((f) => f.reading === andForcingReading(v))?.verdict === "does not hold",
  );
  if (keepsOr.length === 0) {
    // Nothing was found because the probes it rests on were stopped: say that, not a finding.
    const stopped = forced.find((f) => f.verdict === "could not tell" && f.why.includes(stoppedWords));
    return couldNotTell(
      reading,
      stopped ? stoppedWords : "no value of combined_as_and was found to keep a list's 'or'",
    );
  }
  const value = keepsOr[0];
  const { a, b } = contacts.pair;
  const active = new Set(
    contacts.every
      .filter((row) => lower(row["ocx_status"] ?? "") === "active")
      .map((row) => lower(row["email"] ?? "")),
  );
  const union = new Set(contacts.emails.filter((email) => email === a || email.startsWith(b)));
  const documented = new Set([...union].filter((email) => active.has(email)));
  const alternative = new Set([...active, ...union]);
  if (setsEqual(documented, alternative))
    return couldNotTell(
      reading,
      "the list needs a contact that is not active, or an active one besides the two the probe picks",
    );
  const got = await probes.emails(
    `email = ${text(a)} or email starts ${text(b)}`,
    `users active\n${flagsClause(value)}`,
  );
  if ("problem" in got) return couldNotTell(reading, got.problem);
  const probe = "`users active` with two criteria marked 'or' selected";
  if (setsEqual(got, documented))
    return {
      reading,
      verdict: "does not hold",
      why: `${probe} ${contactsWord(documented.size, "active contact")} of either criterion`,
    };
  if (setsEqual(got, alternative))
    return {
      reading,
      verdict: "holds",
      why: `${probe} every active contact and those of either criterion, ${alternative.size}`,
    };
  return couldNotTell(
    reading,
    `${probe} ${got.size} contacts: neither the ${documented.size} active ones of either criterion nor the ${alternative.size} of every active contact and either criterion`,
  );
}

/** null-text: `F != v` over a text field with empty values: selects the empty ones, or not. */
async function nullText(
  probes: Probes,
  contacts: Contacts,
  textFields: readonly string[],
): Promise<ReadingVerdict> {
  const reading = "null-text";
  for (const field of textFields) {
    const empty = contacts.every.filter((row) => row[field] === "");
    const value = contacts.every.map((row) => row[field] ?? "").find(writable);
    if (empty.length === 0 || value === undefined) continue;
    const got = await probes.emails(`${fieldName(field)} != ${text(value)}`);
    if ("problem" in got) return couldNotTell(reading, got.problem);
    const kept = empty.filter((row) => got.has(lower(row["email"] ?? ""))).length;
    const probe = `of ${contactsWord(empty.length, "contact")} with an empty ${field}, \`${field} != ...\``;
    if (kept === 0)
      return { reading, verdict: "holds", why: `${probe} selected none: empty text is unknown, as NULL` };
    if (kept === empty.length)
      return { reading, verdict: "does not hold", why: `${probe} selected all: empty text is the text ""` };
    return couldNotTell(reading, `${probe} selected ${kept}: some, not all`);
  }
  return couldNotTell(
    reading,
    textFields.length === 0
      ? "the list has no custom text field"
      : "no custom text field of the list has both empty and non-empty values",
  );
}

/** A number as an oq literal, if the export's text is one. */
function numberLiteral(value: string): string | undefined {
  return /^-?\d+(\.\d+)?$/.test(value) && Number(value) > 0 ? value : undefined;
}

/** A date as an oq literal (`YYYY-MM-DD`, a day after the epoch's), if the export's text is one. */
function dateLiteral(value: string): string | undefined {
  const day = /^\d+$/.test(value)
    ? new Date(Number(value) * 1000).toISOString().slice(0, 10)
    : /^(\d{4}-\d{2}-\d{2})(?:[ T]|$)/.exec(value)?.[1];
  return day !== undefined && day > "1970-01-02" && !Number.isNaN(Date.parse(day)) ? day : undefined;
}

/**
 * empty-as-zero: `F < V` over a number (date) field with empty values, V the largest positive
 * value (latest date): selects the empty ones (0, the epoch, is below V), or none (unknown).
 */
async function emptyAsZero(
  probes: Probes,
  contacts: Contacts,
  fields: Readonly<Record<"numeric" | "date", readonly string[]>>,
): Promise<ReadingVerdict> {
  const reading = "empty-as-zero";
  const answers: { field: string; verdict: Verdict; why: string }[] = [];
  for (const type of ["numeric", "date"] as const) {
    const literal = type === "numeric" ? numberLiteral : dateLiteral;
    for (const field of fields[type]) {
      const empty = contacts.every.filter((row) => row[field] === "");
      const values = contacts.every.map((row) => literal(row[field] ?? "")).filter((v) => v !== undefined);
      if (empty.length === 0 || values.length === 0) continue;
      const top = type === "numeric" ? String(Math.max(...values.map(Number))) : values.sort().at(-1)!;
      const got = await probes.emails(`${fieldName(field)} < ${top}`);
      if ("problem" in got) {
        answers.push({ field, verdict: "could not tell", why: got.problem });
        break;
      }
      const kept = empty.filter((row) => got.has(lower(row["email"] ?? ""))).length;
      const probe = `of ${contactsWord(empty.length, "contact")} with an empty ${field}, \`${field} < ...\` (its ${type === "numeric" ? "largest value" : "latest day"})`;
      answers.push(
        kept === 0
          ? {
              field,
              verdict: "does not hold",
              why: `${probe} selected none: an empty ${type === "numeric" ? "number" : "date"} is unknown, as NULL`,
            }
          : kept === empty.length
            ? {
                field,
                verdict: "holds",
                why: `${probe} selected all: an empty ${type === "numeric" ? "number is 0" : "date is the epoch"}`,
              }
            : { field, verdict: "could not tell", why: `${probe} selected ${kept}: some, not all` },
      );
      break;
    }
  }
  if (answers.length === 0)
    return couldNotTell(
      reading,
      "no custom number or date field of the list has both empty and non-empty values",
    );
  const verdicts = new Set(answers.map((answer) => answer.verdict));
  // The same reason twice (both probes stopped by one Ctrl-C) is said once.
  const why = [...new Set(answers.map((answer) => answer.why))].join("; ");
  return verdicts.size === 1
    ? { reading, verdict: answers[0]!.verdict, why }
    : couldNotTell(reading, `the number and the date disagree: ${why}`);
}

/** none-of-list: `email != [A, B]`: every contact (either value differs), or every contact but A and B. */
async function noneOfList(probes: Probes, contacts: Contacts): Promise<ReadingVerdict> {
  const reading = "none-of-list";
  if (!contacts.pair || contacts.emails.length < 3)
    return couldNotTell(
      reading,
      "the list needs three contacts, two of whose emails do not start one another",
    );
  const { a, b } = contacts.pair;
  const got = await probes.emails(`email != [${text(a)}, ${text(b)}]`);
  if ("problem" in got) return couldNotTell(reading, got.problem);
  const others = contacts.emails.filter((email) => email !== a && email !== b);
  const probe = "`email != [A, B]` (two contacts' emails) selected";
  const othersKept = others.every((email) => got.has(email));
  if (othersKept && got.has(a) && got.has(b))
    return { reading, verdict: "does not hold", why: `${probe} every contact: the values are OR-ed` };
  if (othersKept && !got.has(a) && !got.has(b))
    return { reading, verdict: "holds", why: `${probe} every contact but those two: "none of them"` };
  return couldNotTell(reading, `${probe} ${got.size} of ${contactsWord(contacts.emails.length, "contact")}`);
}

/**
 * sent-not-opened: `not opened campaign M`, M a mailing the detailed export shows some contacts
 * were sent and others not: it selects the contacts not sent M too, or only those sent it.
 */
async function sentNotOpened(
  probes: Probes,
  contacts: Contacts,
  detailed: Export | { problem: string },
): Promise<ReadingVerdict> {
  const reading = "sent-not-opened";
  if ("problem" in detailed)
    return couldNotTell(
      reading,
      `the detailed export (for a mailing to probe with) could not be made: ${detailed.problem}`,
    );
  const touched = new Map<string, Set<string>>();
  const sent = new Map<string, number>();
  for (const row of detailed.rows) {
    const mailing = row["mailing_id"] ?? "";
    if (!/^\d+$/.test(mailing)) continue;
    if (!touched.has(mailing)) touched.set(mailing, new Set());
    touched.get(mailing)!.add(lower(row["email"] ?? ""));
    if (lower(row["activity"] ?? "").startsWith("sent")) sent.set(mailing, (sent.get(mailing) ?? 0) + 1);
  }
  const mailing = [...sent.keys()]
    .filter((id) => contacts.emails.some((email) => !touched.get(id)!.has(email)))
    .sort((x, y) => sent.get(y)! - sent.get(x)! || x.localeCompare(y))[0];
  if (mailing === undefined)
    return couldNotTell(
      reading,
      `the detailed export (${window}) shows no mailing that some contacts were sent and others not`,
    );
  const notSent = contacts.emails.filter((email) => !touched.get(mailing)!.has(email));
  const got = await probes.emails(`not opened campaign ${mailing}`);
  if ("problem" in got) return couldNotTell(reading, got.problem);
  const kept = notSent.filter((email) => got.has(email)).length;
  const probe = `of ${contactsWord(notSent.length, "contact")} not sent mailing ${mailing} (the detailed export shows no activity of theirs), \`not opened campaign ${mailing}\` selected`;
  if (kept === 0) return { reading, verdict: "holds", why: `${probe} none: only contacts sent it count` };
  if (kept === notSent.length) return { reading, verdict: "does not hold", why: `${probe} all` };
  return couldNotTell(reading, `${probe} ${kept}: some, not all`);
}

/** The header's columns as words (never a contact's values: a header holds names). */
const headerWords = (header: readonly string[]) => header.map((cell) => JSON.stringify(cell)).join(",");

/**
 * header-bom and header-labels, from the bytes of the first export and of the detailed one: a
 * BOM before the header or not; the header's cells the asked names (any order and letter case)
 * or other words.
 */
function headers(exports: readonly { kind: string; made: Export | { problem: string } }[]): ReadingVerdict[] {
  const made = exports.filter((e): e is { kind: string; made: Export } => !("problem" in e.made));
  const missing = exports
    .filter((e) => "problem" in e.made)
    .map((e) => `${e.kind}: ${(e.made as { problem: string }).problem}`);
  const settle = (
    reading: ReadingName,
    holds: (e: Export) => boolean,
    describe: (e: Export) => string,
  ): ReadingVerdict => {
    if (made.length === 0) return couldNotTell(reading, `no export was read (${missing.join("; ")})`);
    const why = made.map((e) => `${e.kind}: ${describe(e.made)}`).join("; ");
    const all = made.map((e) => holds(e.made));
    if (all.every(Boolean)) return { reading, verdict: "holds", why };
    if (all.every((x) => !x))
      return {
        reading,
        verdict: "does not hold",
        why: missing.length === 0 ? why : `${why} (${missing.join("; ")})`,
      };
    return couldNotTell(reading, `the exports differ: ${why}`);
  };
  return [
    settle(
      "header-bom",
      (e) => e.csv.bom,
      (e) => (e.csv.bom ? "a BOM before the header" : "no BOM"),
    ),
    settle(
      "header-labels",
      (e) => headerColumns(e.csv.header, e.asked) === "other words",
      (e) => {
        const asked = e.asked.join(",");
        const got = e.csv.header.join(",");
        return headerColumns(e.csv.header, e.asked) === "other words"
          ? `the header is ${headerWords(e.csv.header)}, not the names asked for`
          : got === asked
            ? "the header is the names asked for, in their order"
            : `the header is the names asked for, as ${headerWords(e.csv.header)}`;
      },
    ),
  ];
}

/**
 * Runs the probes on the list `client` talks to, under the host's signals (a signal stops them
 * and deletes every report made).
 */
export async function runDoctor(
  host: Host,
  client: OngageClient,
  options: DoctorOptions,
): Promise<{ report: DoctorReport; stoppedBy: StopSignal | undefined }> {
  const folder = mkdtempSync(join(tmpdir(), "oq-doctor-"));
  const fieldsClient = client.fork();
  try {
    const { result: report, stoppedBy } = await interruptible(host, async ({ signal, cleanupSignal }) => {
      const ledger = ledgerOf({ client, cleanupSignal, recoveryCommands: oqRecoveryCommands });
      const run = (request: ContactActivityRequest, path: string, detailed: boolean) =>
        runReport({
          client,
          request,
          destination: { kind: "file", path },
          detailed,
          // The header is what two of the probes read.
          anyHeader: true,
          // A probe's CSV answers one question here: a report whose export fails is deleted too.
          disposable: true,
          ledger,
          signal,
          cleanupSignal,
          pollIntervalMs: options.pollIntervalMs,
          timeoutMs: options.timeoutMs,
          recoveryCommands: oqRecoveryCommands,
        });
      const report: DoctorReport = {
        listId: client.listId,
        readings: [],
        calls: 0,
        reports: 0,
        leftBehind: [],
      };
      let summaries: RunSummary[] = [];
      try {
        const builtin = new Set(builtinFields.map((field) => field.name));
        const fields: Record<string, FieldType> = {};
        for (const field of await fieldsClient.listFields(signal)) {
          const type = field.type.toLowerCase();
          if (!builtin.has(field.name) && (fieldTypes as readonly string[]).includes(type))
            fields[field.name] = type as FieldType;
        }
        const ofType = (type: FieldType) =>
          Object.keys(fields)
            .filter((name) => fields[name] === type && !name.includes("`"))
            .slice(0, maxFieldsPerType);
        const probed = { string: ofType("string"), numeric: ofType("numeric"), date: ofType("date") };
        const work = new Probes(folder, fields, options.now, run);
        summaries = work.summaries;
        const columns = [
          "email",
          "ocx_status",
          ...[...probed.string, ...probed.numeric, ...probed.date].map(fieldName),
        ];
        const [first, detailed] = await Promise.all([
          work.export(`email is not empty\nusers all\nselect ${columns.join(", ")}\n${window}`),
          work.export(`email is not empty\nusers all\nselect email\n${window}`, true),
        ]);
        if ("problem" in first) {
          report.error = `the first export (every contact) could not be made: ${first.problem}`;
          return report;
        }
        const contacts = contactsOf(first.rows);
        if (contacts.emails.length === 0) {
          report.readings = readingNames.map((reading) => couldNotTell(reading, "the list has no contacts"));
          return report;
        }
        const forced = await Promise.all(
          [true, false, undefined].map((value) => forcedAnd(work, contacts, value)),
        );
        const settled = [
          ...forced,
          await usersOr(work, contacts, forced),
          ...(await Promise.all([
            nullText(work, contacts, probed.string),
            sentNotOpened(work, contacts, detailed),
            emptyAsZero(work, contacts, probed),
            noneOfList(work, contacts),
          ])),
          ...headers([
            { kind: "export", made: first },
            { kind: "export_detailed", made: detailed },
          ]),
        ];
        // In the order the readings are declared.
        report.readings = readingNames.map((name) => settled.find((verdict) => verdict.reading === name)!);
        return report;
      } catch (error) {
        report.error = (error as Error).message;
        return report;
      } finally {
        // Whatever a path left unsettled (a signal, an error) is deleted here.
        const drained = await ledger.drain({ keep: false });
        report.reports = summaries.length;
        report.calls = fieldsClient.calls + summaries.reduce((sum, summary) => sum + summary.calls, 0);
        report.leftBehind = [
          ...summaries.flatMap((summary) => summary.leftBehind),
          ...drained.flatMap((settlement) => settlement.leftBehind),
        ];
      }
    });
    return { report, stoppedBy };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
