import { open } from "node:fs/promises";
import { join } from "node:path";
import { saveFailure } from "./csvOutput.js";
import type { CsvRecordView } from "./csvRecords.js";

/** A record in a partition: report (u16), key length (u32), row length (u32), then key (its value) and row. */
const headBytes = 10;
/** The most partitions: past this, each one's share of the input is tiny anyway. */
const maxPartitions = 4096;

/** FNV-1a of bytes: the partition of a key, and (mixed again) its place in a partition's index. */
export function hashBytes(bytes: Buffer, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash >>> 0;
}

/**
 * Rows grouped by a hash of their key into `count` partitions, so that every row of one
 * contact lands in the same partition and a partition can be merged alone, in memory. With
 * one partition the rows stay in memory; with more they go to files in `folder` (which must be
 * private: they hold the rows), in blocks written as they fill, and are read back one
 * partition at a time. Rows are kept as the report's own bytes: fields are copied, never
 * decoded and written again.
 */
export class KeyPartitions {
  readonly count: number;
  private readonly blockBytes: number;
  /** Per partition: blocks filled and not yet written (all of them, when not spilling). */
  private readonly filled: Buffer[][];
  private readonly blocks: Buffer[];
  private readonly used: number[];
  /** Blocks written out, to be filled again (so that spilling does not churn memory). */
  private readonly spare: Buffer[] = [];
  /** Where partitions are read back into, reused from one partition to the next. */
  private readBuffer = Buffer.allocUnsafe(0);
  /** The partitions whose file this merge has created. */
  private readonly started = new Set<number>();
  /** Bytes written to partition files so far. */
  spilledBytes = 0;

  /** Partitions for `inputBytes` of CSV, each a share of at most about `budgetBytes`. */
  constructor(
    inputBytes: number,
    budgetBytes: number,
    private readonly folder: string,
  ) {
    this.count = Math.min(maxPartitions, Math.max(1, Math.ceil(inputBytes / budgetBytes)));
    // Blocks small enough that one per partition stays well within the budget.
    this.blockBytes = Math.max(4096, Math.min(64 << 10, Math.floor(budgetBytes / this.count / 2)));
    this.filled = Array.from({ length: this.count }, () => []);
    this.blocks = Array.from({ length: this.count }, () => Buffer.allocUnsafe(0));
    this.used = Array.from({ length: this.count }, () => 0);
  }

  get spilling(): boolean {
    return this.count > 1;
  }

  /**
   * Adds a report's row: the bytes of the fields `columns` (indexes into the split record; -1
   * or past its end: empty) joined by commas and ending with `lineBreak`, under `key` (the
   * contact's key, contactKey.ts).
   */
  add(report: number, record: CsvRecordView, key: Buffer, columns: Int32Array, lineBreak: Buffer): void {
    const { bytes, starts, ends, count } = record;
    let rowBytes = columns.length - 1 + lineBreak.length;
    for (const column of columns)
      if (column >= 0 && column < count) rowBytes += ends[column]! - starts[column]!;
    const partition = this.count === 1 ? 0 : hashBytes(key, 0, key.length) % this.count;
    const room = headBytes + key.length + rowBytes;
    let block = this.blocks[partition]!;
    let at = this.used[partition]!;
    if (at + room > block.length) {
      if (at > 0) this.filled[partition]!.push(block.subarray(0, at));
      block =
        room <= this.blockBytes && this.spare.length > 0
          ? this.spare.pop()!
          : Buffer.allocUnsafe(Math.max(this.blockBytes, room));
      this.blocks[partition] = block;
      at = 0;
    }
    block.writeUInt16LE(report, at);
    block.writeUInt32LE(key.length, at + 2);
    block.writeUInt32LE(rowBytes, at + 6);
    at += headBytes;
    at += key.copy(block, at);
    for (let index = 0; index < columns.length; index++) {
      if (index > 0) block[at++] = 0x2c;
      const column = columns[index]!;
      if (column >= 0 && column < count) at += bytes.copy(block, at, starts[column]!, ends[column]!);
    }
    at += lineBreak.copy(block, at);
    this.used[partition] = at;
  }

  /**
   * Writes the filled blocks to their partition files (when spilling), freeing their memory. A
   * file that cannot be written (a full disk) is a CsvSaveError that names the folder.
   */
  async flush(all = false): Promise<void> {
    if (!this.spilling) return;
    try {
      await this.writeFilled(all);
    } catch (error) {
      // The system's errors (ENOSPC, EACCES...) carry a code; anything else is not the disk's.
      if (typeof (error as NodeJS.ErrnoException).code !== "string") throw error;
      throw saveFailure(
        `write the merge's temporary files in ${this.folder}`,
        error as NodeJS.ErrnoException,
      );
    }
  }

  private async writeFilled(all: boolean): Promise<void> {
    for (let partition = 0; partition < this.count; partition++) {
      if (all && this.used[partition]! > 0) {
        this.filled[partition]!.push(this.blocks[partition]!.subarray(0, this.used[partition]));
        this.blocks[partition] = Buffer.allocUnsafe(0);
        this.used[partition] = 0;
      }
      const blocks = this.filled[partition]!;
      if (blocks.length === 0) continue;
      this.filled[partition] = [];
      // "wx" the first time: never append to a file someone else put there.
      const handle = await open(this.path(partition), this.started.has(partition) ? "a" : "wx", 0o600);
      this.started.add(partition);
      try {
        for (const data of blocks) {
          await handle.write(data);
          this.spilledBytes += data.length;
        }
      } finally {
        await handle.close();
      }
      for (const data of blocks)
        if (data.buffer.byteLength === this.blockBytes && this.spare.length < this.count)
          this.spare.push(Buffer.from(data.buffer, 0, this.blockBytes));
    }
  }

  /**
   * Every partition in turn, as its blocks, once all rows are added. A spilled partition is read
   * into one buffer that the next partition reuses: the caller is done with it when it asks for
   * the next.
   */
  async *read(): AsyncGenerator<Buffer[]> {
    await this.flush(true);
    this.spare.length = 0;
    for (let partition = 0; partition < this.count; partition++) {
      if (!this.spilling) {
        yield [...this.filled[partition]!, this.blocks[partition]!.subarray(0, this.used[partition])];
        continue;
      }
      yield [await this.readPartition(partition)];
    }
  }

  private async readPartition(partition: number): Promise<Buffer> {
    if (!this.started.has(partition)) return Buffer.alloc(0);
    const handle = await open(this.path(partition), "r");
    try {
      const { size } = await handle.stat();
      if (size > this.readBuffer.length) this.readBuffer = Buffer.allocUnsafe(Math.ceil(size * 1.25));
      let read = 0;
      while (read < size) {
        const { bytesRead } = await handle.read(this.readBuffer, read, size - read, read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      return this.readBuffer.subarray(0, read);
    } finally {
      await handle.close();
    }
  }

  private path(partition: number): string {
    return join(this.folder, `partition-${partition}.bin`);
  }
}

/**
 * Calls `onRecord` for each record of a partition's blocks, in the order they were added:
 * its report, its block (an index into `blocks`), and where its key and row are.
 */
export function forEachRecord(
  blocks: readonly Buffer[],
  onRecord: (report: number, block: number, keyStart: number, keyEnd: number, rowEnd: number) => void,
): void {
  for (let index = 0; index < blocks.length; index++) {
    const block = blocks[index]!;
    for (let at = 0; at + headBytes <= block.length;) {
      const report = block.readUInt16LE(at);
      const keyStart = at + headBytes;
      const keyEnd = keyStart + block.readUInt32LE(at + 2);
      const rowEnd = keyEnd + block.readUInt32LE(at + 6);
      onRecord(report, index, keyStart, keyEnd, rowEnd);
      at = rowEnd;
    }
  }
}
