import { StringDecoder } from "node:string_decoder";

/*
 * The one CSV reader of the runtime (RFC 4180): a field in double quotes may hold commas, line
 * breaks and doubled quotes. Records end at a line break outside quotes; a `\r` before it is
 * part of the break. Read leniently, as exports are: text after a closing quote is kept, and a
 * quote inside an unquoted field is an ordinary character.
 */

/** Splits CSV text into records of fields, chunk by chunk, however the chunks cut the text. */
export class CsvRecordReader {
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";
  /** The line break the first record ended with (`\r\n` or `\n`), once it has ended. */
  lineBreak: string | undefined;

  /** The records completed by `chunk`. */
  push(chunk: Buffer): string[][] {
    return this.take(this.pending + this.decoder.write(chunk), false);
  }

  /** The last record, when the text does not end with a line break. */
  end(): string[][] {
    return this.take(this.pending + this.decoder.end(), true);
  }

  private take(text: string, final: boolean): string[][] {
    const records: string[][] = [];
    let at = 0;
    while (at < text.length) {
      const newline = text.indexOf("\n", at);
      if (newline === -1 && !final) break;
      const lineEnd = newline === -1 ? text.length : newline;
      const quote = text.indexOf('"', at);
      if (quote === -1 || quote > lineEnd) {
        // The common case, a record without quotes: one split, no character loop.
        const line =
          text.charCodeAt(lineEnd - 1) === 0x0d ? text.slice(at, lineEnd - 1) : text.slice(at, lineEnd);
        this.lineBreak ??=
          newline === -1 ? undefined : lineEnd > at && text[lineEnd - 1] === "\r" ? "\r\n" : "\n";
        records.push(line.split(","));
        at = lineEnd + 1;
        continue;
      }
      const parsed = parseRecord(text, at, final);
      if (!parsed) break;
      this.lineBreak ??= parsed.lineBreak;
      records.push(parsed.fields);
      at = parsed.next;
    }
    this.pending = at < text.length ? text.slice(at) : "";
    return records;
  }
}

/** The fields of one whole record (its text, without the line break). */
export function splitFields(record: string): string[] {
  return parseRecord(record, 0, true)?.fields ?? [""];
}

/**
 * The record starting at `at`, character by character: its fields, where the next one starts,
 * and the line break that ended it. Undefined when the text ends first and more may come.
 */
function parseRecord(
  text: string,
  at: number,
  final: boolean,
): { fields: string[]; next: number; lineBreak: string | undefined } | undefined {
  const fields: string[] = [];
  let i = at;
  for (;;) {
    let field = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote === -1 || (quote + 1 === text.length && !final)) {
          if (!final) return undefined;
          // An open quoted field at the very end: what there is.
          fields.push(field + text.slice(i));
          return { fields, next: text.length, lineBreak: undefined };
        }
        field += text.slice(i, quote);
        if (text[quote + 1] === '"') {
          field += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
    }
    // Unquoted text, or what follows a closing quote, up to the next comma or line break.
    const comma = text.indexOf(",", i);
    const newline = text.indexOf("\n", i);
    if (comma !== -1 && (newline === -1 || comma < newline)) {
      fields.push(field + text.slice(i, comma));
      i = comma + 1;
      continue;
    }
    if (newline === -1 && !final) return undefined;
    const end = newline === -1 ? text.length : newline;
    const crlf = end > i && text[end - 1] === "\r";
    fields.push(field + text.slice(i, crlf ? end - 1 : end));
    const lineBreak = newline === -1 ? undefined : crlf ? "\r\n" : "\n";
    return { fields, next: end + 1, lineBreak };
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
