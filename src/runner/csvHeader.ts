/**
 * Where each of `wanted` is in a CSV's `header` (-1: not there). Names are compared without
 * letter case: Ongage's header has been seen to spell a field otherwise than the request did
 * (docs/running.md, "What a CSV is").
 */
export function columnIndexes(header: readonly string[], wanted: readonly string[]): Int32Array {
  const names = header.map((name) => name.toLowerCase());
  return Int32Array.from(wanted, (column) => names.indexOf(column.toLowerCase()));
}

/** The first of `wanted` that `header` does not have. */
export function missingColumn(header: readonly string[], wanted: readonly string[]): string | undefined {
  const indexes = columnIndexes(header, wanted);
  return wanted.find((_, index) => indexes[index] === -1);
}
