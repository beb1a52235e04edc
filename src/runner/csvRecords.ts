/*
 * The one CSV reader of the runtime (RFC 4180): a field in double quotes may hold commas, line
 * breaks and doubled quotes. Records end at a line feed outside quotes; a `\r` before it is
 * part of the line break. Read leniently, as exports are: text after a closing quote is kept,
 * and a quote inside an unquoted field is an ordinary character.
 *
 * It reads bytes, not text: the delimiters are ASCII, which UTF-8 never uses inside a
 * character, so fields can be found (and copied) without decoding, and so without making a
 * string per field, which is what keeps a merge of millions of rows in little memory.
 */

const quote = 0x22;
const comma = 0x2c;
const lineFeed = 0x0a;
const carriageReturn = 0x0d;

/** Where one record's fields are, in `bytes`: raw field bytes (quotes included), valid during the callback. */
export interface CsvRecordView {
  bytes: Buffer;
  count: number;
  starts: Int32Array;
  ends: Int32Array;
}

/** Finds the records of CSV bytes, chunk by chunk, however the chunks cut them. */
export class CsvScanner {
  /** The bytes not yet part of a whole record, then the new chunk; reused from chunk to chunk. */
  private work = Buffer.allocUnsafe(0);
  private pending = 0;
  private readonly view: CsvRecordView = {
    bytes: this.work,
    count: 0,
    starts: new Int32Array(64),
    ends: new Int32Array(64),
  };
  /** The line break the first record ended with (`\r\n` or `\n`), once it has ended. */
  lineBreak: string | undefined;

  /** Calls `onRecord` for every record `chunk` completes. The chunk may be reused afterwards. */
  push(chunk: Buffer, onRecord: (record: CsvRecordView) => void): void {
    if (this.pending + chunk.length > this.work.length) {
      const larger = Buffer.allocUnsafe(Math.max(2 * this.work.length, this.pending + chunk.length));
      this.work.copy(larger, 0, 0, this.pending);
      this.work = larger;
    }
    chunk.copy(this.work, this.pending);
    this.scan(this.pending + chunk.length, false, onRecord);
  }

  /** The last record, when the bytes do not end with a line break. */
  end(onRecord: (record: CsvRecordView) => void): void {
    this.scan(this.pending, true, onRecord);
  }

  private scan(length: number, final: boolean, onRecord: (record: CsvRecordView) => void): void {
    // A view that ends where the bytes do, so that no search runs into stale ones.
    const bytes = this.work.subarray(0, length);
    this.view.bytes = bytes;
    let at = 0;
    while (at < length) {
      const next = this.record(bytes, at, length, final);
      if (next === -1) break;
      onRecord(this.view);
      at = next;
    }
    this.work.copy(this.work, 0, at, length);
    this.pending = length - at;
  }

  /** Finds the record at `at` (into `view`); where the next one starts, or -1 if more bytes are needed. */
  private record(bytes: Buffer, at: number, length: number, final: boolean): number {
    const view = this.view;
    let count = 0;
    let i = at;
    for (;;) {
      const start = i;
      if (i < length && bytes[i] === quote) {
        let from = i + 1;
        for (;;) {
          const close = bytes.indexOf(quote, from);
          if (close === -1) {
            if (!final) return -1;
            i = length;
            break;
          }
          if (close + 1 === length && !final) return -1;
          if (close + 1 < length && bytes[close + 1] === quote) {
            from = close + 2;
            continue;
          }
          i = close + 1;
          break;
        }
      }
      while (i < length) {
        const c = bytes[i];
        if (c === comma || c === lineFeed) break;
        i++;
      }
      if (i === length && !final) return -1;
      const atLineFeed = i < length && bytes[i] === lineFeed;
      let end = i;
      if (i === length || atLineFeed) if (end > start && bytes[end - 1] === carriageReturn) end--;
      if (count === view.starts.length) {
        const starts = new Int32Array(count * 2);
        const ends = new Int32Array(count * 2);
        starts.set(view.starts);
        ends.set(view.ends);
        view.starts = starts;
        view.ends = ends;
      }
      view.starts[count] = start;
      view.ends[count] = end;
      count++;
      if (i < length && bytes[i] === comma) {
        i++;
        continue;
      }
      view.count = count;
      if (atLineFeed) this.lineBreak ??= end < i ? "\r\n" : "\n";
      return atLineFeed ? i + 1 : length;
    }
  }
}

/** The text of a raw field: without its quotes, doubled quotes made single. */
function fieldText(bytes: Buffer, start: number, end: number): string {
  const raw = bytes.toString("utf8", start, end);
  if (raw.charCodeAt(0) !== quote) return raw;
  let text = "";
  for (let from = 1; ;) {
    const close = raw.indexOf('"', from);
    if (close === -1) return text + raw.slice(from);
    if (raw[close + 1] === '"') {
      text += raw.slice(from, close + 1);
      from = close + 2;
      continue;
    }
    return text + raw.slice(from, close) + raw.slice(close + 1);
  }
}

/** The fields of a record as text. */
export function recordFields(record: CsvRecordView): string[] {
  const fields: string[] = [];
  for (let index = 0; index < record.count; index++)
    fields.push(fieldText(record.bytes, record.starts[index]!, record.ends[index]!));
  return fields;
}

/** Splits CSV bytes into records of fields (as text), chunk by chunk. */
export class CsvRecordReader {
  private readonly scanner = new CsvScanner();

  get lineBreak(): string | undefined {
    return this.scanner.lineBreak;
  }

  /** The records completed by `chunk`. */
  push(chunk: Buffer): string[][] {
    const records: string[][] = [];
    this.scanner.push(chunk, (record) => records.push(recordFields(record)));
    return records;
  }

  /** The last record, when the text does not end with a line break. */
  end(): string[][] {
    const records: string[][] = [];
    this.scanner.end((record) => records.push(recordFields(record)));
    return records;
  }
}

/** The fields of one whole record (its text, without the line break). */
export function splitFields(record: string): string[] {
  const reader = new CsvRecordReader();
  const records = [...reader.push(Buffer.from(record)), ...reader.end()];
  return records[0] ?? [""];
}

/** One field as CSV writes it: quoted when it holds a comma, a quote or a line break. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One record as CSV text, ending with `lineBreak`. */
export function csvLine(fields: readonly string[], lineBreak: string): string {
  return `${fields.map(csvField).join(",")}${lineBreak}`;
}
