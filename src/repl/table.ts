import { closeSync, openSync, readSync } from "node:fs";
import { terminalSafe } from "../app/terminalText.js";

/*
 * The first rows of a CSV as an aligned table, for a glance at what a run fetched.
 */

/** Reads at most this much of the CSV: the rows shown are the first few, however large the file. */
const headBytes = 64 * 1024;

/** Splits CSV text into rows of cells (RFC 4180: quotes, doubled quotes, CRLF); a cut-off last row is dropped. */
function parseCsvHead(text: string, complete: boolean): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let i = 0;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (complete && (cell !== "" || row.length > 0)) rows.push([...row, cell]);
  return rows;
}

/** The header and first `count` rows of a CSV file. */
export function csvHead(path: string, count: number): string[][] {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(headBytes);
    const read = readSync(fd, buffer, 0, headBytes, 0);
    return parseCsvHead(buffer.subarray(0, read).toString("utf8"), read < headBytes).slice(0, count + 1);
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
