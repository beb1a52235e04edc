/*
 * The one CSV reader of the runtime (RFC 4180). Every export's check (csvCounter.ts: a single
 * run's, each part of a plan's, the merged CSV's) and the plan's merge (mergeResults.ts) read
 * through it, so that what one accepts the other reads the same way:
 *
 * - a UTF-8 byte order mark before the first record is not part of it (`bom` tells it was there);
 * - a record ends at a line feed outside double quotes; a `\r` before it is part of the line
 *   break; a blank line is no record (it still counts as a line);
 * - fields are separated by commas outside double quotes. A field that starts with a quote is
 *   quoted: its value is the text between its quotes, doubled quotes made single. Read
 *   leniently, as exports are: text after the closing quote is kept, and a quote anywhere else
 *   opens a quoted stretch too (the same rule finds records and fields);
 * - what a field says is its value, not its bytes: `"b@x.com"` and `b@x.com` are one value.
 *
 * It reads bytes, not text: the delimiters are ASCII, which UTF-8 never uses inside a
 * character, so records and fields can be found (and copied) without decoding, and so without
 * making a string per field, which is what keeps a merge of millions of rows in little memory.
 * Records are found with native searches for quotes and line feeds; a record is split into
 * fields only when asked (`splitRecord`), so that counting the rows of an export costs little.
 */

const quote = 0x22;
const comma = 0x2c;
const lineFeed = 0x0a;
const carriageReturn = 0x0d;
const utf8Bom = Buffer.from([0xef, 0xbb, 0xbf]);

/** One record, in `bytes` (valid during the callback only). */
export interface CsvRecordView {
  bytes: Buffer;
  /** Where the record is, its line break left out. */
  start: number;
  end: number;
  /** The line (1-based, the BOM aside) the record starts on. */
  line: number;
  /** Its fields, once `splitRecord` has run on it: raw field bytes, quotes included. */
  count: number;
  starts: Int32Array;
  ends: Int32Array;
}

/** Finds the records of CSV bytes, chunk by chunk, however the chunks cut them. */
export class CsvScanner {
  /** The bytes not yet part of a whole record, then the new chunk; reused from chunk to chunk. */
  private work = Buffer.allocUnsafe(0);
  private pending = 0;
  private started = false;
  private line = 1;
  /** Where the search for the pending record's end resumes (in the pending bytes), and in what state. */
  private searchedTo = 0;
  private inQuotes = false;
  private linesInQuotes = 0;
  private readonly view: CsvRecordView = {
    bytes: this.work,
    start: 0,
    end: 0,
    line: 1,
    count: 0,
    starts: new Int32Array(64),
    ends: new Int32Array(64),
  };
  /** The bytes began with a UTF-8 byte order mark (known once the first three bytes are in). */
  bom = false;
  /** The line break the first record ended with (`\r\n` or `\n`), once it has ended. */
  lineBreak: string | undefined;
  /** The bytes ended inside a quoted field (known once `end` has run). */
  openQuote = false;

  /**
   * Calls `onRecord` for every record `chunk` completes, then `onLast` with the last of them (if
   * any), so that a reader can look closer at the last record it has seen without splitting
   * every one (`onLast` may be called more than once in a push: its last call has the last
   * record). The chunk may be reused afterwards.
   */
  push(
    chunk: Buffer,
    onRecord: (record: CsvRecordView) => void,
    onLast?: (record: CsvRecordView) => void,
  ): void {
    // Nothing pending (a chunk that starts a record): read in place, keep only what is left.
    if (this.pending === 0) return this.scan(chunk, chunk.length, false, onRecord, onLast);
    // A record is pending: it most likely ends at the chunk's first line feed. Only that much is
    // copied behind it, and the rest of the chunk read in place (copying every chunk whole copied
    // every byte of a download once more).
    const feed = chunk.indexOf(lineFeed);
    const head = feed === -1 ? chunk.length : feed + 1;
    this.reserve(this.pending + head);
    chunk.copy(this.work, this.pending, 0, head);
    this.scan(this.work, this.pending + head, false, onRecord, onLast);
    if (head === chunk.length) return;
    if (this.pending === 0)
      return this.scan(chunk.subarray(head), chunk.length - head, false, onRecord, onLast);
    // (That line feed was inside a quoted field, or the BOM is not told yet: the rest follows.)
    const rest = chunk.length - head;
    this.reserve(this.pending + rest);
    chunk.copy(this.work, this.pending, head);
    this.scan(this.work, this.pending + rest, false, onRecord, onLast);
  }

  /** The last record, when the bytes do not end with a line break. */
  end(onRecord: (record: CsvRecordView) => void, onLast?: (record: CsvRecordView) => void): void {
    this.scan(this.work, this.pending, true, onRecord, onLast);
  }

  /** Makes the work buffer hold at least `length` bytes, keeping the pending ones. */
  private reserve(length: number): void {
    if (length <= this.work.length) return;
    const larger = Buffer.allocUnsafe(Math.max(2 * this.work.length, length));
    this.work.copy(larger, 0, 0, this.pending);
    this.work = larger;
  }

  /** Whether bytes of a record that has not ended yet are waiting (not a lone `\r`). */
  get partial(): boolean {
    return this.started && this.pending > 0 && !(this.pending === 1 && this.work[0] === carriageReturn);
  }

  /** Reads `source[0, length)`: the pending bytes and the new chunk (or the chunk alone). */
  private scan(
    source: Buffer,
    length: number,
    final: boolean,
    onRecord: (record: CsvRecordView) => void,
    onLast?: (record: CsvRecordView) => void,
  ): void {
    // A view that ends where the bytes do, so that no search runs into stale ones.
    const bytes = source.subarray(0, length);
    const view = this.view;
    view.bytes = bytes;
    let at = 0;
    if (!this.started) {
      const head = Math.min(length, utf8Bom.length);
      const bomSoFar = bytes.subarray(0, head).equals(utf8Bom.subarray(0, head));
      // Too few bytes yet to tell a BOM.
      if (bomSoFar && head < utf8Bom.length && !final) {
        this.reserve(length);
        source.copy(this.work, 0, 0, length);
        this.pending = length;
        return;
      }
      this.started = true;
      if (bomSoFar && head === utf8Bom.length) {
        this.bom = true;
        at = this.searchedTo = utf8Bom.length;
      }
    }
    let from = this.searchedTo;
    let inQuotes = this.inQuotes;
    let linesInQuotes = this.linesInQuotes;
    // The next quote and line feed at or after `from`: -2 not looked for yet, -1 none in these
    // bytes. Each is looked for again only once passed, so that a search is never repeated.
    let nextQuote = -2;
    let nextFeed = -2;
    let last = -1;
    let lastEnd = 0;
    let lastLine = 0;
    for (;;) {
      if (!inQuotes && from === at) {
        if (nextQuote !== -1 && nextQuote < from) nextQuote = bytes.indexOf(quote, from);
        if (nextQuote === -1) {
          // No quote in the rest of the bytes: each line feed ends a record. Read so, in a loop
          // of its own (an export's rows are most often so, and this is most of its check's work).
          for (let feed = bytes.indexOf(lineFeed, at); feed !== -1; feed = bytes.indexOf(lineFeed, at)) {
            let end = feed;
            if (end > at && bytes[end - 1] === carriageReturn) end--;
            this.lineBreak ??= end < feed ? "\r\n" : "\n";
            const line = this.line;
            this.line += linesInQuotes + 1;
            linesInQuotes = 0;
            if (end > at) {
              this.emit(at, end, line, onRecord);
              last = at;
              lastEnd = end;
              lastLine = line;
            }
            at = from = feed + 1;
          }
          nextFeed = -1;
        }
      }
      let lineEnd = -1;
      while (from < length) {
        if (nextQuote !== -1 && nextQuote < from) nextQuote = bytes.indexOf(quote, from);
        if (nextFeed !== -1 && nextFeed < from) nextFeed = bytes.indexOf(lineFeed, from);
        if (inQuotes) {
          const stop = nextQuote === -1 ? length : nextQuote;
          while (nextFeed !== -1 && nextFeed < stop) {
            linesInQuotes++;
            nextFeed = bytes.indexOf(lineFeed, nextFeed + 1);
          }
          if (nextQuote !== -1) inQuotes = false;
          from = stop === length ? length : stop + 1;
          continue;
        }
        if (nextFeed !== -1 && (nextQuote === -1 || nextFeed < nextQuote)) {
          lineEnd = nextFeed;
          break;
        }
        if (nextQuote === -1) {
          from = length;
          break;
        }
        inQuotes = true;
        from = nextQuote + 1;
      }
      if (lineEnd === -1 && !(final && at < length)) break;
      const next = lineEnd === -1 ? length : lineEnd + 1;
      let end = lineEnd === -1 ? length : lineEnd;
      if (end > at && bytes[end - 1] === carriageReturn) end--;
      if (lineEnd === -1) this.openQuote = inQuotes;
      else this.lineBreak ??= end < lineEnd ? "\r\n" : "\n";
      const line = this.line;
      this.line += linesInQuotes + (lineEnd === -1 ? 0 : 1);
      linesInQuotes = 0;
      inQuotes = false;
      if (end > at) {
        this.emit(at, end, line, onRecord);
        last = at;
        lastEnd = end;
        lastLine = line;
      }
      at = from = next;
    }
    if (onLast && last !== -1) this.emit(last, lastEnd, lastLine, onLast);
    if (source !== this.work) this.reserve(length - at);
    source.copy(this.work, 0, at, length);
    this.pending = length - at;
    this.searchedTo = Math.max(0, from - at);
    this.inQuotes = inQuotes;
    this.linesInQuotes = linesInQuotes;
  }

  /** Hands `onRecord` the record `[start, end)` of the bytes being read, starting on `line`. */
  private emit(start: number, end: number, line: number, onRecord: (record: CsvRecordView) => void): void {
    const view = this.view;
    view.start = start;
    view.end = end;
    view.line = line;
    view.count = 0;
    onRecord(view);
  }
}

/** Finds the fields of `record` (into its `count`, `starts` and `ends`): commas outside quotes. */
export function splitRecord(record: CsvRecordView): void {
  const { bytes, end } = record;
  let count = 0;
  let i = record.start;
  for (;;) {
    const fieldStart = i;
    while (i < end) {
      const c = bytes[i];
      if (c === comma) break;
      if (c === quote) {
        // A quoted stretch: to the quote that closes it (a doubled quote closes and opens again).
        const close = bytes.indexOf(quote, i + 1);
        i = close === -1 || close >= end ? end : close + 1;
      } else i++;
    }
    if (count === record.starts.length) growFields(record);
    record.starts[count] = fieldStart;
    record.ends[count++] = i;
    if (i >= end) break;
    i++;
  }
  record.count = count;
}

function growFields(record: CsvRecordView): void {
  const starts = new Int32Array(record.starts.length * 2);
  const ends = new Int32Array(record.ends.length * 2);
  starts.set(record.starts);
  ends.set(record.ends);
  record.starts = starts;
  record.ends = ends;
}

/**
 * The value of the raw field `bytes[start, end)` written into `into` (at least `end - start`
 * long): its quotes taken off, doubled quotes made single. Returns its length.
 */
export function fieldValueInto(bytes: Buffer, start: number, end: number, into: Buffer): number {
  if (start === end || bytes[start] !== quote) return bytes.copy(into, 0, start, end);
  let length = 0;
  for (let from = start + 1; ;) {
    const close = bytes.indexOf(quote, from);
    if (close === -1 || close >= end) return length + bytes.copy(into, length, from, end);
    length += bytes.copy(into, length, from, close);
    if (close + 1 < end && bytes[close + 1] === quote) {
      into[length++] = quote;
      from = close + 2;
      continue;
    }
    return length + bytes.copy(into, length, close + 1, end);
  }
}

/** The value of a raw field as text. */
function fieldText(bytes: Buffer, start: number, end: number): string {
  if (start === end || bytes[start] !== quote) return bytes.toString("utf8", start, end);
  const value = Buffer.allocUnsafe(end - start);
  return value.toString("utf8", 0, fieldValueInto(bytes, start, end, value));
}

/** The fields of a record as text. */
export function recordFields(record: CsvRecordView): string[] {
  splitRecord(record);
  const fields: string[] = [];
  for (let index = 0; index < record.count; index++)
    fields.push(fieldText(record.bytes, record.starts[index]!, record.ends[index]!));
  return fields;
}

/** Splits CSV bytes into records of fields (as text), chunk by chunk. */
export class CsvRecordReader {
  private readonly scanner = new CsvScanner();

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

/** One field as CSV writes it: quoted when it holds a comma, a quote or a line break. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One record as CSV text, ending with `lineBreak`. */
export function csvLine(fields: readonly string[], lineBreak: string): string {
  return `${fields.map(csvField).join(",")}${lineBreak}`;
}

/** The bytes a CSV starts with when it starts with a byte order mark. */
export const byteOrderMark = utf8Bom;
