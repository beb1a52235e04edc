import { open, stat } from "node:fs/promises";
import type { ContactSet } from "../emit/planSchema.js";
import { OngageError } from "../client/errors.js";
import { contactSetChooser } from "./contactSetEvaluation.js";
import { CsvRecordReader, csvLine } from "./csvRecords.js";
import { KeyPartitions, partitionRecords } from "./keyPartitions.js";
import { PartitionIndex } from "./partitionIndex.js";

/** The default memory for one partition's rows (bytes of CSV); its index costs about as much again. */
export const defaultMergeBudgetBytes = 8 << 20;
const outputChunkBytes = 1 << 20;

export interface MergeOptions {
  /** The reports' CSV files, in the plan's order. */
  files: readonly string[];
  combine: ContactSet;
  key: string;
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
 * Memory stays bounded for any size: each report's rows are projected onto `columns` and
 * split by a hash of their key into partitions (files, when the reports' CSVs exceed the
 * budget), and one partition at a time is indexed in memory (key -> the reports holding it,
 * where its rows are), the set expression evaluated per key, and the chosen rows streamed out.
 *
 * Row order: partition by partition (partition = FNV-1a hash of the key modulo their count),
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
  let lineBreak: string | undefined;
  let columns = options.columns;
  // One buffer for all the reading: the reader copies what it keeps.
  const readBuffer = Buffer.allocUnsafe(1 << 20);

  for (const [report, file] of options.files.entries()) {
    const reader = new CsvRecordReader();
    let keyIndex = -1;
    let columnIndexes: number[] | undefined;
    let lastKey: string | undefined;
    const take = (records: string[][]) => {
      for (const record of records) {
        if (!columnIndexes) {
          columns ??= record;
          keyIndex = record.indexOf(options.key);
          columnIndexes = columns.map((column) => record.indexOf(column));
          const missing = [options.key, ...columns].find((column) => !record.includes(column));
          if (missing !== undefined)
            throw new OngageError(
              "protocol",
              `the CSV of report ${report + 1} has no column ${missing} (its header: ${record.join(",")})`,
            );
          lineBreak ??= reader.lineBreak ?? "\r\n";
          continue;
        }
        // A blank line (a final line break twice) is no row.
        if (record.length === 1 && record[0] === "") continue;
        const key = record[keyIndex] ?? "";
        // Aggregated rows: one per contact and report; a repeat would only be dropped later.
        if (!options.detailed && key === lastKey) continue;
        lastKey = key;
        partitions.add(
          report,
          key,
          csvLine(
            columnIndexes.map((index) => record[index] ?? ""),
            lineBreak!,
          ),
        );
      }
    };
    const handle = await open(file, "r");
    try {
      for (;;) {
        if (options.signal?.aborted) throw new OngageError("aborted", "stopped");
        const { bytesRead } = await handle.read(readBuffer, 0, readBuffer.length, null);
        if (bytesRead === 0) break;
        take(reader.push(readBuffer.subarray(0, bytesRead)));
        await partitions.flush();
      }
    } finally {
      await handle.close();
    }
    take(reader.end());
    if (!columnIndexes) throw new OngageError("protocol", `the CSV of report ${report + 1} is empty`);
  }

  yield Buffer.from(csvLine(columns ?? [], lineBreak ?? "\r\n"));
  const index = new PartitionIndex();
  for await (const blocks of partitions.read()) {
    if (options.signal?.aborted) throw new OngageError("aborted", "stopped");
    index.clear();
    for (const record of partitionRecords(blocks)) {
      const contact = index.contact(record.key);
      // Aggregated: the first row of each report is enough (every report gives the same one).
      if (!options.detailed && index.holds(contact, record.report)) continue;
      index.addRow(contact, record.report, record.block, record.rowStart, record.rowEnd);
    }
    let out: Buffer[] = [];
    let outBytes = 0;
    for (let contact = 0; contact < index.contacts; contact++) {
      const report = choose(index.membership[contact]!);
      if (report < 0) continue;
      stats.contacts++;
      for (let row = index.firstRow[contact]!; row !== -1; row = index.nextRow[row]!) {
        if (index.rowReport[row] !== report) continue;
        const bytes = blocks[index.rowBlock[row]!]!.subarray(index.rowStart[row], index.rowEnd[row]);
        out.push(bytes);
        outBytes += bytes.length;
        if (!options.detailed) break;
      }
      if (outBytes >= outputChunkBytes) {
        yield Buffer.concat(out);
        out = [];
        outBytes = 0;
      }
    }
    // Copied out before the next partition is read into the same memory.
    if (out.length > 0) yield Buffer.concat(out);
  }
  stats.spilledBytes = partitions.spilledBytes;
}
