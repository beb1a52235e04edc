import { missingColumn } from "./csvHeader.js";
import { CsvScanner, recordFields, splitRecord, type CsvRecordView } from "./csvRecords.js";

/**
 * Counts the records of a CSV as its bytes stream past, without holding them, and tells whether
 * they make a whole CSV of the expected columns. It reads with the runtime's one CSV reader
 * (csvRecords.ts): the BOM, quotes, line breaks and blank lines are read as the merge reads
 * them. The header counts as a record; `rows` leaves it out.
 */
export class CsvRecordCounter {
  bytes = 0;
  private records = 0;
  private ended = false;
  private headerFields = 0;
  /** The number of fields of the last row seen so far (not the header). */
  private lastFields: number | undefined;
  private readonly scanner = new CsvScanner();
  /** Why these bytes are not a CSV of the expected columns, once it is known. */
  refusal: string | undefined;

  /** `columns`: the names the header must hold (in any order and letter case), if known. */
  constructor(private readonly columns?: readonly string[]) {}

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.scanner.push(chunk, this.onRecord, this.onLast);
  }

  /** The bytes have all arrived: reads the last record, if it has no line break. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.scanner.end(this.onRecord, this.onLast);
  }

  /** Data rows: records after the header, counting a last record without a final line break. */
  get rows(): number {
    return Math.max(0, this.records - 1 + (!this.ended && this.scanner.partial ? 1 : 0));
  }

  /**
   * Why the bytes received cannot be a whole CSV, once they have all arrived: nothing at all (not
   * even the header), an open quoted field, or a last row with another number of fields than the
   * header. A body cut inside the last field of a row, or exactly between rows, cannot be told.
   */
  cutShort(): string | undefined {
    this.end();
    if (this.records === 0) return "was empty, without even a header row";
    if (this.scanner.openQuote) return `ended inside a quoted field, after ${this.bytes} bytes`;
    const fields = this.lastFields;
    if (fields === undefined || fields === this.headerFields) return undefined;
    return `ended with a row of ${fields} field${fields === 1 ? "" : "s"} where the header has ${this.headerFields}, after ${this.bytes} bytes`;
  }

  private readonly onRecord = (record: CsvRecordView): void => {
    this.records++;
    if (this.records > 1) return;
    const header = recordFields(record);
    this.headerFields = record.count;
    const missing = this.columns && missingColumn(header, this.columns);
    if (missing !== undefined)
      this.refusal ??= `not a CSV of the report's columns: its first line has no column ${missing} (the report selects ${this.columns!.join(", ")})`;
  };

  private readonly onLast = (record: CsvRecordView): void => {
    if (this.records < 2) return;
    splitRecord(record);
    this.lastFields = record.count;
  };
}
