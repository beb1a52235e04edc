import { fieldValueInto, type CsvRecordView } from "./csvRecords.js";

/**
 * A contact's key as a plan's merge compares it: the key field's value, not its bytes
 * (`"b@x.com"` and `b@x.com` are one contact), and, for a key that is an email address, its
 * value without letter case (`B@X.com` is the mailbox `b@x.com`: docs/running.md, "The merge").
 * Made in a buffer reused from row to row, so that a key costs no allocation.
 */
export class ContactKeys {
  private scratch = Buffer.allocUnsafe(256);

  constructor(private readonly caseless: boolean) {}

  /** The key in field `index` of a split `record`; valid until the next call. */
  of(record: CsvRecordView, index: number): Buffer {
    const start = record.starts[index]!;
    const end = record.ends[index]!;
    this.reserve(end - start);
    const length = fieldValueInto(record.bytes, start, end, this.scratch);
    return this.scratch.subarray(0, this.caseless ? this.lowerCase(length) : length);
  }

  /** Lower-cases the first `length` bytes of the scratch buffer: ASCII in place, else as text. */
  private lowerCase(length: number): number {
    const bytes = this.scratch;
    let ascii = true;
    for (let i = 0; i < length; i++) {
      const c = bytes[i]!;
      if (c >= 0x41 && c <= 0x5a) bytes[i] = c + 0x20;
      else if (c >= 0x80) ascii = false;
    }
    if (ascii) return length;
    const lower = Buffer.from(bytes.toString("utf8", 0, length).toLowerCase());
    this.reserve(lower.length);
    return lower.copy(this.scratch);
  }

  private reserve(length: number): void {
    if (length > this.scratch.length)
      this.scratch = Buffer.allocUnsafe(Math.max(length, 2 * this.scratch.length));
  }
}
