import { splitFields } from "./csvRecords.js";

/** Bytes of the last records kept to check how a CSV ends; a longer record goes unchecked. */
const tailLimit = 4 << 20;

/**
 * Counts the records of a CSV as its bytes stream past, without holding them: line breaks
 * inside quoted fields do not end a record. The header counts as a record; `rows` leaves it out.
 * It also keeps the last two records, so that `cutShort` can tell a body that stopped mid-row.
 */
export class CsvRecordCounter {
  private records = 0;
  private inQuotes = false;
  private lastByte = -1;
  bytes = 0;
  private headerFields: number | undefined;
  /** Where the record before the current one starts, and where the current one starts. */
  private previousStart = 0;
  private currentStart = 0;
  /** The latest chunks, from `previousStart` on (or as much as `tailLimit` allows). */
  private tail: { offset: number; chunk: Buffer }[] = [];

  push(chunk: Buffer): void {
    const length = chunk.length;
    const offset = this.bytes;
    this.bytes += length;
    if (length === 0) return;
    this.lastByte = chunk[length - 1]!;
    this.tail.push({ offset, chunk });
    // Native indexOf finds quotes and line breaks several times faster than a byte loop.
    let at = 0;
    while (at < length) {
      const quote = chunk.indexOf(0x22, at);
      if (this.inQuotes) {
        if (quote === -1) break;
        this.inQuotes = false;
        at = quote + 1;
        continue;
      }
      const end = quote === -1 ? length : quote;
      for (
        let newline = chunk.indexOf(0x0a, at);
        newline !== -1 && newline < end;
        newline = chunk.indexOf(0x0a, newline + 1)
      )
        this.endRecord(offset + newline);
      if (quote === -1) break;
      this.inQuotes = true;
      at = quote + 1;
    }
    this.trimTail();
  }

  /** Data rows: records after the header, counting a last record without a final line break. */
  get rows(): number {
    const records = this.records + (this.bytes > 0 && this.lastByte !== 0x0a ? 1 : 0);
    return Math.max(0, records - 1);
  }

  /**
   * Why the bytes received cannot be a whole CSV, once they have all arrived: nothing at all (not
   * even the header), an open quoted field, or a last row with another number of fields than the
   * header. A body cut inside the last field of a row, or exactly between rows, cannot be told.
   */
  cutShort(): string | undefined {
    if (this.bytes === 0) return "was empty, without even a header row";
    if (this.inQuotes) return `ended inside a quoted field, after ${this.bytes} bytes`;
    const endsWithBreak = this.lastByte === 0x0a;
    // The header alone is whole.
    if (this.records === 0 || (this.records === 1 && endsWithBreak)) return undefined;
    const [from, to] = endsWithBreak
      ? [this.previousStart, this.currentStart - 1]
      : [this.currentStart, this.bytes];
    const last = this.slice(from, to);
    if (last === undefined || this.headerFields === undefined) return undefined;
    const text = last.toString("latin1").replace(/\r$/, "");
    if (text === "") return undefined;
    const fields = splitFields(text).length;
    if (fields === this.headerFields) return undefined;
    return `ended with a row of ${fields} field${fields === 1 ? "" : "s"} where the header has ${this.headerFields}, after ${this.bytes} bytes`;
  }

  private endRecord(at: number): void {
    this.records++;
    this.previousStart = this.currentStart;
    this.currentStart = at + 1;
    if (this.records === 1)
      this.headerFields = splitFields(
        (this.slice(0, at) ?? Buffer.alloc(0)).toString("latin1").replace(/\r$/, ""),
      ).length;
  }

  /** The bytes from `from` to `to`, if still kept. */
  private slice(from: number, to: number): Buffer | undefined {
    const first = this.tail[0];
    if (!first || first.offset > from) return undefined;
    const parts = this.tail.filter(({ offset, chunk }) => offset < to && offset + chunk.length > from);
    const joined = parts.length === 1 ? parts[0]!.chunk : Buffer.concat(parts.map((p) => p.chunk));
    const base = parts[0]?.offset ?? from;
    return joined.subarray(from - base, to - base);
  }

  private trimTail(): void {
    while (this.tail.length > 1 && this.tail[0]!.offset + this.tail[0]!.chunk.length <= this.previousStart)
      this.tail.shift();
    let kept = this.tail.reduce((sum, { chunk }) => sum + chunk.length, 0);
    while (this.tail.length > 1 && kept > tailLimit) kept -= this.tail.shift()!.chunk.length;
  }
}
