import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OngageClient } from "../client/client.js";
import { compile, formatDiagnostics } from "../compile.js";
import { builtinFields, type CustomFields } from "../check/fieldCatalog.js";
import type { ContactActivityRequest } from "../emit/payloadSchema.js";
import type { Findings, ReadingName } from "../language/readings.js";
import { fieldTypes, type FieldType } from "../language/vocabulary.js";
import { byteOrderMark, CsvRecordReader } from "../runner/csvRecords.js";
import { ledgerOf, runReport, type RunSummary } from "../runner/runReport.js";
import type { StopSignal } from "./exitCodes.js";
import type { Host } from "./host.js";
import { interruptible } from "./interrupt.js";
import { oqRecoveryCommands } from "./recoveryCommands.js";

/*
 * `oq doctor`: settles the readings of language/readings.ts on the user's own list. It reads the
 * list's fields, takes one export of every contact (their emails and custom text fields), and
 * from it picks values for one small report per reading whose answer differs between that
 * reading and the documented one (docs/semantics.md, "How oq doctor settles each reading").
 * Every report is run by runReport in one ledger, drained at the end, so each is deleted on
 * every path out, a signal included.
 */

type Verdict = "holds" | "does not hold" | "could not tell";

interface ReadingVerdict {
  reading: ReadingName;
  verdict: Verdict;
  /** Why, in words; names of fields and counts, never a contact's values. */
  why: string;
}

interface DoctorReport {
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
}

/** A mailing id no list has sent: `not opened` it selects every contact, or (sent-not-opened) no one. */
const unsentMailingId = "999999999";
/** The custom text fields exported at most, to find one with empty and non-empty values. */
const maxTextFields = 10;

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

/** A CSV's rows as objects by column name. */
function readCsv(path: string): Record<string, string>[] {
  let bytes = readFileSync(path);
  if (bytes.subarray(0, byteOrderMark.length).equals(byteOrderMark))
    bytes = bytes.subarray(byteOrderMark.length);
  const reader = new CsvRecordReader();
  const [header = [], ...records] = [...reader.push(bytes), ...reader.end()];
  return records
    .filter((record) => !(record.length === 1 && record[0] === ""))
    .map((record) => Object.fromEntries(header.map((column, index) => [column, record[index] ?? ""])));
}

const lower = (value: string) => value.toLowerCase();

class Probes {
  readonly summaries: RunSummary[] = [];
  private runs = 0;

  constructor(
    private readonly folder: string,
    private readonly fields: CustomFields,
    private readonly run: (request: ContactActivityRequest, path: string) => Promise<RunSummary>,
  ) {}

  /** The rows `query` selects, or the reason it could not be run. */
  async rows(query: string): Promise<Record<string, string>[] | { problem: string }> {
    const compiled = compile(`title "oq doctor"\n${query}\nusers all`, { fields: this.fields });
    if (!compiled.payload)
      return { problem: `oq could not compile its probe: ${formatDiagnostics(compiled).trim()}` };
    const path = join(this.folder, `${++this.runs}.csv`);
    const summary = await this.run(compiled.payload, path);
    this.summaries.push(summary);
    if (!summary.ok)
      return {
        problem:
          summary.error === "stopped"
            ? "stopped before its report was done"
            : `its report failed: ${summary.error ?? "unknown error"}`,
      };
    return readCsv(path);
  }
}

/** forced-and: `email = a or email starts b` with combined_as_and true: a and b's contacts, or no one. */
async function forcedAnd(probes: Probes, emails: readonly string[]): Promise<ReadingVerdict> {
  const reading = "forced-and";
  // Written as oq text (JSON's escapes); a control character would be refused there.
  const [a, ...others] = emails.filter((email) => email !== "" && !/\p{Cc}/u.test(email));
  const b =
    a === undefined
      ? undefined
      : others.find((email) => !lower(email).startsWith(lower(a)) && !lower(a).startsWith(lower(email)));
  if (a === undefined || b === undefined)
    return {
      reading,
      verdict: "could not tell",
      why: "the list needs two contacts whose emails do not start one another",
    };
  const rows = await probes.rows(
    `email = ${text(a)} or email starts ${text(b)}\nselect email\nflags combined_as_and = true`,
  );
  if ("problem" in rows) return { reading, verdict: "could not tell", why: rows.problem };
  const union = new Set(
    emails.filter((email) => lower(email) === lower(a) || lower(email).startsWith(lower(b))),
  );
  const got = new Set(rows.map((row) => row["email"] ?? ""));
  const probe = "a report of two criteria marked 'or', sent with combined_as_and: true,";
  if (got.size === 0)
    return { reading, verdict: "holds", why: `${probe} selected no one: its criteria were joined by AND` };
  if (got.size === union.size && [...got].every((email) => union.has(email)))
    return {
      reading,
      verdict: "does not hold",
      why: `${probe} selected the ${union.size} contacts of either criterion`,
    };
  return {
    reading,
    verdict: "could not tell",
    why: `${probe} selected ${got.size} contacts: neither the ${union.size} of either criterion nor the none of both`,
  };
}

/** null-text: `F != v` over a text field with empty values: selects the empty ones, or not. */
async function nullText(
  probes: Probes,
  every: readonly Record<string, string>[],
  textFields: readonly string[],
): Promise<ReadingVerdict> {
  const reading = "null-text";
  for (const field of textFields) {
    const empty = every.filter((row) => row[field] === "");
    const value = every.map((row) => row[field] ?? "").find((v) => v !== "" && !/\p{Cc}/u.test(v));
    if (empty.length === 0 || value === undefined) continue;
    const rows = await probes.rows(`${fieldName(field)} != ${text(value)}\nselect email`);
    if ("problem" in rows) return { reading, verdict: "could not tell", why: rows.problem };
    const got = new Set(rows.map((row) => row["email"] ?? ""));
    const kept = empty.filter((row) => got.has(row["email"] ?? "")).length;
    const probe = `of the ${empty.length} contacts with an empty ${field}, \`${field} != ...\``;
    if (kept === 0)
      return { reading, verdict: "holds", why: `${probe} selected none: empty text is unknown, as NULL` };
    if (kept === empty.length)
      return { reading, verdict: "does not hold", why: `${probe} selected all: empty text is the text ""` };
    return { reading, verdict: "could not tell", why: `${probe} selected ${kept}: some, not all` };
  }
  return {
    reading,
    verdict: "could not tell",
    why:
      textFields.length === 0
        ? "the list has no custom text field"
        : "no custom text field of the list has both empty and non-empty values",
  };
}

/** sent-not-opened: `not opened` a mailing no one was sent: every contact, or no one. */
async function sentNotOpened(probes: Probes, emails: readonly string[]): Promise<ReadingVerdict> {
  const reading = "sent-not-opened";
  const rows = await probes.rows(`not opened campaign ${unsentMailingId}\nselect email`);
  if ("problem" in rows) return { reading, verdict: "could not tell", why: rows.problem };
  const got = new Set(rows.map((row) => row["email"] ?? ""));
  const probe = `\`not opened campaign ${unsentMailingId}\` (a mailing no contact was sent) selected`;
  if (got.size === 0)
    return { reading, verdict: "holds", why: `${probe} no one: only contacts sent it count` };
  if (emails.every((email) => got.has(email)))
    return { reading, verdict: "does not hold", why: `${probe} all ${emails.length} contacts` };
  return { reading, verdict: "could not tell", why: `${probe} ${got.size} of the ${emails.length} contacts` };
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
      const run = (request: ContactActivityRequest, path: string) =>
        runReport({
          client,
          request,
          destination: { kind: "file", path },
          ledger,
          signal,
          cleanupSignal,
          pollIntervalMs: options.pollIntervalMs,
          timeoutMs: options.timeoutMs,
          recoveryCommands: oqRecoveryCommands,
        });
      const report: DoctorReport = { readings: [], calls: 0, reports: 0, leftBehind: [] };
      let summaries: RunSummary[] = [];
      try {
        const builtin = new Set(builtinFields.map((field) => field.name));
        const fields: Record<string, FieldType> = {};
        for (const field of await fieldsClient.listFields(signal)) {
          const type = field.type.toLowerCase();
          if (!builtin.has(field.name) && (fieldTypes as readonly string[]).includes(type))
            fields[field.name] = type as FieldType;
        }
        const textFields = Object.keys(fields)
          .filter((name) => fields[name] === "string" && !name.includes("`"))
          .slice(0, maxTextFields);
        const work = new Probes(folder, fields, run);
        summaries = work.summaries;
        const columns = ["email", ...textFields.map(fieldName)].join(", ");
        const every = await work.rows(`email is not empty\nselect ${columns}`);
        if ("problem" in every) {
          report.error = `the first export (every contact) could not be made: ${every.problem}`;
          return report;
        }
        const emails = every.map((row) => row["email"] ?? "").sort();
        if (emails.length === 0) {
          report.readings = (["forced-and", "null-text", "sent-not-opened"] as const).map((reading) => ({
            reading,
            verdict: "could not tell",
            why: "the list has no contacts",
          }));
          return report;
        }
        report.readings = await Promise.all([
          forcedAnd(work, emails),
          nullText(work, every, textFields),
          sentNotOpened(work, emails),
        ]);
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
