/**
 * The index of one partition of a plan's merge: its contacts (by key), each with its
 * membership (a bit per report holding it) and a list of its rows (report, where the row is).
 * Kept in typed arrays rather than an object per contact or row, so that its memory is a few
 * bytes per row beside the keys, and reused from one partition to the next.
 */
export class PartitionIndex {
  private readonly slots = new Map<string, number>();
  contacts = 0;
  private rows = 0;
  membership = new Int32Array(1024);
  firstRow = new Int32Array(1024);
  private lastRow = new Int32Array(1024);
  rowReport = new Int32Array(1024);
  rowBlock = new Int32Array(1024);
  rowStart = new Int32Array(1024);
  rowEnd = new Int32Array(1024);
  nextRow = new Int32Array(1024);

  clear(): void {
    this.slots.clear();
    this.contacts = 0;
    this.rows = 0;
  }

  /** The contact's number in this partition, made on first sight. */
  contact(key: string): number {
    const known = this.slots.get(key);
    if (known !== undefined) return known;
    const contact = this.contacts++;
    if (contact === this.membership.length) {
      this.membership = grown(this.membership);
      this.firstRow = grown(this.firstRow);
      this.lastRow = grown(this.lastRow);
    }
    this.membership[contact] = 0;
    this.firstRow[contact] = -1;
    this.lastRow[contact] = -1;
    this.slots.set(key, contact);
    return contact;
  }

  holds(contact: number, report: number): boolean {
    return (this.membership[contact]! & (1 << report)) !== 0;
  }

  addRow(contact: number, report: number, block: number, start: number, end: number): void {
    const row = this.rows++;
    if (row === this.rowReport.length) {
      this.rowReport = grown(this.rowReport);
      this.rowBlock = grown(this.rowBlock);
      this.rowStart = grown(this.rowStart);
      this.rowEnd = grown(this.rowEnd);
      this.nextRow = grown(this.nextRow);
    }
    this.rowReport[row] = report;
    this.rowBlock[row] = block;
    this.rowStart[row] = start;
    this.rowEnd[row] = end;
    this.nextRow[row] = -1;
    this.membership[contact] = this.membership[contact]! | (1 << report);
    const last = this.lastRow[contact]!;
    if (last === -1) this.firstRow[contact] = row;
    else this.nextRow[last] = row;
    this.lastRow[contact] = row;
  }
}

function grown(array: Int32Array): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(array.length * 2);
  larger.set(array);
  return larger;
}
