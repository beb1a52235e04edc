import { closeSync, openSync, readSync } from "node:fs";
import { terminalSafe } from "../app/terminalText.js";
import { CsvRecordReader } from "../runner/csvRecords.js";

/*
 * The first rows of a CSV as an aligned table, for a glance at what a run fetched.
 */

/** Reads at most this much of the CSV: the rows shown are the first few, however large the file. */
const headBytes = 64 * 1024;

/** The header and first `count` rows of a CSV file. */
export function csvHead(path: string, count: number): string[][] {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(headBytes);
    const read = readSync(fd, buffer, 0, headBytes, 0);
    // Read as every CSV of the runtime is (runner/csvRecords.ts); a row cut off by the limit is left out.
    const reader = new CsvRecordReader();
    const rows = reader.push(buffer.subarray(0, read));
    if (read < headBytes) rows.push(...reader.end());
    return rows.slice(0, count + 1);
  } finally {
    closeSync(fd);
  }
}

/** Cells padded to their column's width; cells longer than `maxWidth` are cut with an ellipsis. */
export function alignedTable(rows: string[][], maxWidth = 32): string {
  const cut = (raw: string) => {
    // A cell is the server's text: never a terminal escape.
    const cell = terminalSafe(raw);
    return cell.length > maxWidth ? `${cell.slice(0, maxWidth - 1)}…` : cell;
  };
  const cells = rows.map((row) => row.map(cut));
  const widths: number[] = [];
  for (const row of cells) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  const [header, ...body] = cells;
  if (!header) return "";
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...body.map(line)].join("\n") + "\n";
}
