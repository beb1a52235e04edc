/** One CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly (string | number | null | undefined)[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}

/** Dates in exports, as Ongage's CSVs are seen to carry them: `YYYY-MM-DD HH:MM:SS`, UTC. */
export function csvDate(epochSeconds: number | null): string {
  if (epochSeconds === null) return "";
  return new Date(epochSeconds * 1000).toISOString().slice(0, 19).replace("T", " ");
}
