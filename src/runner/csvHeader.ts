/**
 * Where each of `wanted` is in a CSV's `header` (-1: not there). Names are compared without
 * letter case: Ongage's header has been seen to spell a field otherwise than the request did
 * (docs/running.md, "What a CSV is"). A column not there by its name is looked for by its label,
 * the name's words one space apart (`First Name` for `first_name`), as an account where the
 * header-labels reading holds names them (language/readings.ts): a label says exactly one name,
 * so it is never read as another column.
 */
export function columnIndexes(header: readonly string[], wanted: readonly string[]): Int32Array {
  const names = header.map((name) => name.toLowerCase());
  let labels: string[] | undefined;
  return Int32Array.from(wanted, (column) => {
    const name = column.toLowerCase();
    const index = names.indexOf(name);
    if (index >= 0) return index;
    labels ??= names.map((cell) => cell.replaceAll(" ", "_"));
    return labels.indexOf(name);
  });
}

/** The first of `wanted` that `header` does not have, by name or by label. */
export function missingColumn(header: readonly string[], wanted: readonly string[]): string | undefined {
  const indexes = columnIndexes(header, wanted);
  return wanted.find((_, index) => indexes[index] === -1);
}

/** Whether `header` names every one of `wanted` by its name (in any letter case), not by a label. */
export function namesEveryColumn(header: readonly string[], wanted: readonly string[]): boolean {
  const names = new Set(header.map((name) => name.toLowerCase()));
  return wanted.every((column) => names.has(column.toLowerCase()));
}
