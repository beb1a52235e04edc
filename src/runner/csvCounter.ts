/**
 * Counts the records of a CSV as its bytes stream past, without holding them: line breaks
 * inside quoted fields do not end a record. The header counts as a record; `rows` leaves it out.
 */
export class CsvRecordCounter {
  private records = 0;
  private inQuotes = false;
  private lastByte = -1;
  bytes = 0;

  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === 0x22) this.inQuotes = !this.inQuotes;
      else if (byte === 0x0a && !this.inQuotes) this.records++;
    }
    if (chunk.length > 0) this.lastByte = chunk[chunk.length - 1]!;
  }

  /** Data rows: records after the header, counting a last record without a final line break. */
  get rows(): number {
    const records = this.records + (this.bytes > 0 && this.lastByte !== 0x0a ? 1 : 0);
    return Math.max(0, records - 1);
  }
}
