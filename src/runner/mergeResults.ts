import { open, stat } from "node:fs/promises";
import type { ContactSet } from "../emit/planSchema.js";
import { OngageError } from "../client/errors.js";
import { contactSetChooser } from "./contactSetEvaluation.js";
import { ContactKeys } from "./contactKey.js";
import { columnIndexes, missingColumn } from "./csvHeader.js";
import {
  CsvScanner,
  byteOrderMark,
  csvLine,
  recordFields,
  splitRecord,
  type CsvRecordView,
} from "./csvRecords.js";
import { KeyPartitions, forEachRecord } from "./keyPartitions.js";
import { PartitionIndex } from "./partitionIndex.js";

/** The default memory for one partition's rows (bytes of CSV); its index costs about as much again. */
const defaultMergeBudgetBytes = 8 << 20;
const outputChunkBytes = 64 << 10;

interface MergeOptions {
  /** The reports' CSV files, in the plan's order. */
  files: readonly string[];
  combine: ContactSet;
  key: string;
  /** Keys in other letter cases are one contact (an email address: contactKey.ts). */
  keyIgnoresCase?: boolean;
  /** How errors name each report (default `report N`). */
  names?: readonly string[];
  /** The merged CSV's columns, in order; all of the first report's, in its order, if not given. */
  columns?: readonly string[] | undefined;
  /** One row per event (export_detailed): a contact keeps every row of the report it is taken from. */
  detailed?: boolean;
  /** A private folder for the partition files. */
  folder: string;
  budgetBytes?: number;
  signal?: AbortSignal | undefined;
}

export interface MergeStats {
  /** How many partitions the rows were split into (1: merged in memory). */
  partitions: number;
  /** Bytes written to partition files (0 when merged in memory). */
  spilledBytes: number;
  /** Contacts in the merged CSV. */
  contacts: number;
}

/**
 * The merged CSV of a plan, as chunks: a header of `columns`, then the rows of the contacts in
 * `combine`, each contact once (or, detailed, with every row of one report).
 *
 * The reports' CSVs are read by the runtime's one CSV reader (csvRecords.ts), as their exports
 * were checked: columns are found by name in any letter case, a contact is its key's value
 * (contactKey.ts), and a row that is not as long as the header, or has no key, fails the merge
 * naming its report and line, rather than being taken for a contact with an empty key.
 *
 * Memory stays bounded for any size: each report's rows are projected onto `columns` and
 * split by a hash of their key into partitions (files, when the reports' CSVs exceed the
 * budget), and one partition at a time is indexed in memory (key -> the reports holding it,
 * where its rows are), the set expression evaluated per key, and the chosen rows streamed out.
 *
 * Row order: partition by partition (partition = FNV-1a hash of the key's value modulo their count),
 * and within a partition in the order the contacts first appear in reports 0, 1, 2... When
 * everything fits in one partition, that is simply the order of first appearance.
 */
export async function* mergeResults(options: MergeOptions, stats: MergeStats): AsyncGenerator<Buffer> {
  const budget = options.budgetBytes ?? defaultMergeBudgetBytes;
  const sizes = await Promise.all(options.files.map(async (file) => (await stat(file)).size));
  const partitions = new KeyPartitions(
    sizes.reduce((sum, size) => sum + size, 0),
    budget,
    options.folder,
  );
  stats.partitions = partitions.count;
  const choose = contactSetChooser(options.combine);
  const keys = new ContactKeys(options.keyIgnoresCase ?? false);
  // The merged CSV is written the way the first report's is: its line break, its BOM.
  let lineBreak: string | undefined;
  let bom: boolean | undefined;
  let columns = options.columns;
  // One buffer for all the reading: the reader copies what it keeps.
  const readBuffer = Buffer.allocUnsafe(1 << 20);

  for (const [report, file] of options.files.entries()) {
    const name = options.names?.[report] ?? `report ${report + 1}`;
    const scanner = new CsvScanner();
    let keyIndex = -1;
    let headerFields = 0;
    let indexes: Int32Array | undefined;
    let rowBreak = Buffer.alloc(0);
    const take = (record: CsvRecordView) => {
      if (!indexes) {
        const header = recordFields(record);
        headerFields = record.count;
        columns ??= header;
        const missing = missingColumn(header, [options.key, ...columns]);
        if (missing !== undefined)
          throw new OngageError("protocol", `${name}: its CSV has no column ${missing}`);
        keyIndex = columnIndexes(header, [options.key])[0]!;
        indexes = columnIndexes(header, columns);
        lineBreak ??= scanner.lineBreak ?? "\r\n";
        bom ??= scanner.bom;
        rowBreak = Buffer.from(lineBreak);
        return;
      }
      splitRecord(record);
      // A row of another length has lost or gained fields: which is its key cannot be told.
      if (record.count !== headerFields)
        throw new OngageError(
          "protocol",
          `${name}: the row at line ${record.line} has ${record.count} field${record.count === 1 ? "" : "s"} where the header has ${headerFields}`,
        );
      const key = keys.of(record, keyIndex);
      if (key.length === 0)
        throw new OngageError("protocol", `${name}: the row at line ${record.line} has no ${options.key}`);
      partitions.add(report, record, key, indexes, rowBreak);
    };
    const handle = await open(file, "r");
    try {
      for (;;) {
        if (options.signal?.aborted) throw new OngageError("aborted", "stopped");
        const { bytesRead } = await handle.read(readBuffer, 0, readBuffer.length, null);
        if (bytesRead === 0) break;
        scanner.push(readBuffer.subarray(0, bytesRead), take);
        await partitions.flush();
      }
    } finally {
      await handle.close();
    }
    scanner.end(take);
    if (!indexes) throw new OngageError("protocol", `${name}: its CSV is empty`);
  }

  const header = Buffer.from(csvLine(columns ?? [], lineBreak ?? "\r\n"));
  yield bom ? Buffer.concat([byteOrderMark, header]) : header;
  const index = new PartitionIndex();
  const output = new OutputChunks();
  for await (const blocks of partitions.read()) {
    if (options.signal?.aborted) throw new OngageError("aborted", "stopped");
    index.reset(blocks);
    forEachRecord(blocks, (report, block, keyStart, keyEnd, rowEnd) => {
      const contact = index.contact(block, keyStart, keyEnd);
      // Aggregated: the first row of each report is enough (every report gives the same one).
      if (!options.detailed && index.holds(contact, report)) return;
      index.addRow(contact, report, block, keyEnd, rowEnd);
    });
    for (let contact = 0; contact < index.contacts; contact++) {
      const report = choose(index.membership[contact]!);
      if (report < 0) continue;
      stats.contacts++;
      for (let row = index.firstRow[contact]!; row !== -1; row = index.nextRow[row]!) {
        if (index.rowReport[row] !== report) continue;
        output.add(blocks[index.rowBlock[row]!]!, index.rowStart[row]!, index.rowEnd[row]!);
        if (!options.detailed) break;
      }
      const full = output.take(false);
      if (full) yield full;
    }
    // Copied out before the next partition is read into the same memory.
    const rest = output.take(true);
    if (rest) yield rest;
  }
  stats.spilledBytes = partitions.spilledBytes;
}

/** The merged rows, copied into chunks of about outputChunkBytes (rows are never split). */
class OutputChunks {
  private chunk = Buffer.allocUnsafe(outputChunkBytes);
  private used = 0;

  add(source: Buffer, start: number, end: number): void {
    const length = end - start;
    if (this.used + length > this.chunk.length) {
      const larger = Buffer.allocUnsafe(Math.max(outputChunkBytes, this.used + length));
      this.chunk.copy(larger, 0, 0, this.used);
      this.chunk = larger;
    }
    this.used += source.copy(this.chunk, this.used, start, end);
  }

  /** The chunk so far, when full (or when `all`, if not empty); a new one is started. */
  take(all: boolean): Buffer | undefined {
    if (this.used === 0 || (!all && this.used < outputChunkBytes * 0.9)) return undefined;
    const chunk = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(outputChunkBytes);
    this.used = 0;
    return chunk;
  }
}
