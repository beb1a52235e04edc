import { hashBytes } from "./keyPartitions.js";

/**
 * The index of one partition of a plan's merge: its contacts, found by their key's bytes in an
 * open-addressing table, each with its membership (a bit per report holding it) and a list of
 * its rows. All in typed arrays over the partition's own bytes, rather than a string per key and
 * an object per contact or row, so that it costs a few dozen bytes per row and makes no garbage;
 * it is reused from one partition to the next.
 */
export class PartitionIndex {
  contacts = 0;
  private rows = 0;
  private table = new Int32Array(1 << 12);
  private blocks: readonly Buffer[] = [];
  membership = new Int32Array(1024);
  firstRow = new Int32Array(1024);
  private lastRow = new Int32Array(1024);
  private keyHash = new Int32Array(1024);
  private keyBlock = new Int32Array(1024);
  private keyStart = new Int32Array(1024);
  private keyEnd = new Int32Array(1024);
  rowReport = new Int32Array(1024);
  rowBlock = new Int32Array(1024);
  rowStart = new Int32Array(1024);
  rowEnd = new Int32Array(1024);
  nextRow = new Int32Array(1024);

  /** Starts on a partition's blocks, forgetting the last one. */
  reset(blocks: readonly Buffer[]): void {
    this.blocks = blocks;
    this.contacts = 0;
    this.rows = 0;
    this.table.fill(0);
  }

  /** The number of the contact whose key is those bytes, made on first sight. */
  contact(block: number, keyStart: number, keyEnd: number): number {
    const bytes = this.blocks[block]!;
    const hash = mix(hashBytes(bytes, keyStart, keyEnd));
    const length = keyEnd - keyStart;
    const mask = this.table.length - 1;
    let slot = hash & mask;
    for (let taken = this.table[slot]!; taken !== 0; taken = this.table[slot]!) {
      const contact = taken - 1;
      if (
        this.keyHash[contact] === hash &&
        this.keyEnd[contact]! - this.keyStart[contact]! === length &&
        bytes.compare(
          this.blocks[this.keyBlock[contact]!]!,
          this.keyStart[contact],
          this.keyEnd[contact],
          keyStart,
          keyEnd,
        ) === 0
      )
        return contact;
      slot = (slot + 1) & mask;
    }
    const contact = this.contacts++;
    if (contact === this.membership.length) this.growContacts();
    this.membership[contact] = 0;
    this.firstRow[contact] = -1;
    this.lastRow[contact] = -1;
    this.keyHash[contact] = hash;
    this.keyBlock[contact] = block;
    this.keyStart[contact] = keyStart;
    this.keyEnd[contact] = keyEnd;
    this.table[slot] = contact + 1;
    // At most half full, so that probes stay short.
    if (this.contacts * 2 > this.table.length) this.growTable();
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

  private growContacts(): void {
    this.membership = grown(this.membership);
    this.firstRow = grown(this.firstRow);
    this.lastRow = grown(this.lastRow);
    this.keyHash = grown(this.keyHash);
    this.keyBlock = grown(this.keyBlock);
    this.keyStart = grown(this.keyStart);
    this.keyEnd = grown(this.keyEnd);
  }

  private growTable(): void {
    this.table = new Int32Array(this.table.length * 2);
    const mask = this.table.length - 1;
    for (let contact = 0; contact < this.contacts; contact++) {
      let slot = this.keyHash[contact]! & mask;
      while (this.table[slot] !== 0) slot = (slot + 1) & mask;
      this.table[slot] = contact + 1;
    }
  }
}

/** Mixes a key's hash again, so that its place in the table does not follow its partition. */
function mix(hash: number): number {
  const mixed = Math.imul(hash ^ (hash >>> 16), 0x45d9f3b);
  return (mixed ^ (mixed >>> 16)) | 0;
}

function grown(array: Int32Array): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(array.length * 2);
  larger.set(array);
  return larger;
}
