import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvScanner } from "../src/runner/csvRecords.js";

/*
 * The runtime's one CSV reader finds records chunk by chunk, however the chunks cut the bytes,
 * with native searches and a faster loop where no quote is ahead. Held here to the rules of
 * csvRecords.ts read the plain way, a character at a time over the whole text.
 */

const runs = Number(process.env["OQ_PROPERTY_RUNS"] ?? 300);

interface Found {
  records: { text: string; line: number }[];
  openQuote: boolean;
  lineBreak: string | undefined;
  bom: boolean;
}

/** The rules, one character at a time: a record ends at a line feed outside quotes, less a `\r` before it; a blank line is none. */
function byTheRules(text: string): Found {
  const bom = text.startsWith("\ufeff");
  const body = bom ? text.slice(1) : text;
  const records: Found["records"] = [];
  let lineBreak: string | undefined;
  let inQuotes = false;
  let start = 0;
  let line = 1;
  let startLine = 1;
  const close = (end: number) => {
    if (end > start && body[end - 1] === "\r") end--;
    if (end > start) records.push({ text: body.slice(start, end), line: startLine });
    return end;
  };
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '"') inQuotes = !inQuotes;
    else if (body[i] === "\n") {
      if (inQuotes) {
        line++;
        continue;
      }
      const end = close(i);
      lineBreak ??= end < i ? "\r\n" : "\n";
      line++;
      start = i + 1;
      startLine = line;
    }
  }
  if (start < body.length) close(body.length);
  return { records, openQuote: start < body.length && inQuotes, lineBreak, bom };
}

/** The scanner, fed `text` cut at `cuts`. */
function byTheScanner(text: string, cuts: number[]): Found {
  const bytes = Buffer.from(text, "utf8");
  const scanner = new CsvScanner();
  const records: Found["records"] = [];
  const onRecord = (record: { bytes: Buffer; start: number; end: number; line: number }) =>
    records.push({ text: record.bytes.toString("utf8", record.start, record.end), line: record.line });
  let from = 0;
  for (const cut of [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b)) {
    scanner.push(bytes.subarray(from, cut), onRecord);
    from = cut;
  }
  scanner.push(bytes.subarray(from), onRecord);
  scanner.end(onRecord);
  return { records, openQuote: scanner.openQuote, lineBreak: scanner.lineBreak, bom: scanner.bom };
}

describe("the CSV scanner", () => {
  it("finds the records the rules find, however the chunks cut the bytes", () => {
    const textArb = fc
      .tuple(
        fc.boolean(),
        fc.array(fc.constantFrom("a", "b,", ",", '"', '""', "\n", "\r\n", "\r", "é", "x\ny"), {
          maxLength: 40,
        }),
      )
      .map(([bom, pieces]) => (bom ? "\ufeff" : "") + pieces.join(""));
    fc.assert(
      fc.property(textArb, fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
        // (A text ending in a lone `\r` is a record ending in it: the rules above say so too.)
        expect(byTheScanner(text, cuts), JSON.stringify(text)).toEqual(byTheRules(text));
      }),
      { numRuns: runs * 10 },
    );
  });

  it("reads long runs of quote-free rows, with and without \\r, and blank lines among them", () => {
    const rows = Array.from({ length: 2000 }, (_, i) => (i % 97 === 0 ? "" : `row${i},x${i}`));
    for (const lineBreak of ["\n", "\r\n"]) {
      const text = `a,b${lineBreak}${rows.join(lineBreak)}${lineBreak}`;
      expect(byTheScanner(text, [5, 4000, 4001, 30000])).toEqual(byTheRules(text));
    }
  });
});
