import { createReadStream, createWriteStream } from "node:fs";
import { rm, rename } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { followerOf } from "../client/abortListener.js";
import { CsvRecordCounter } from "./csvCounter.js";

/** Where a CSV goes: a file, or standard output. */
export type CsvDestination = { kind: "file"; path: string } | { kind: "stdout"; stream: Writable };

/**
 * A download in progress. Bytes go to a temporary file, which takes the final name (or is
 * copied to stdout) only once the download is complete, so a cut-off download never leaves a
 * partial CSV under the final name or on stdout.
 */
export class CsvDownload {
  readonly temporaryPath: string;
  readonly counter = new CsvRecordCounter();

  constructor(readonly destination: CsvDestination) {
    const unique = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    this.temporaryPath =
      destination.kind === "file"
        ? join(dirname(destination.path), `.${basename(destination.path)}.${unique}.part`)
        : join(tmpdir(), `oq-export-${unique}.csv.part`);
  }

  /** Streams `source` into the temporary file, counting bytes and rows as they pass. */
  async receive(source: Readable, onChunk?: (counter: CsvRecordCounter) => void, signal?: AbortSignal): Promise<void> {
    const counter = this.counter;
    source.on("data", (chunk: Buffer) => {
      counter.push(chunk);
      onChunk?.(counter);
    });
    // A 1 MB buffer: with the default 16 KB, writing costs more than downloading.
    // Through a follower of the run's signal, which every download of the run shares (abortListener.ts).
    await pipeline(source, createWriteStream(this.temporaryPath, { highWaterMark: 1 << 20 }), signal ? { signal: followerOf(signal) } : {});
  }

  /** Gives the complete file its final name, or copies it to stdout; then removes the temporary file. */
  async commit(): Promise<void> {
    if (this.destination.kind === "file") {
      await rename(this.temporaryPath, this.destination.path);
      return;
    }
    const out = this.destination.stream;
    await pipeline(createReadStream(this.temporaryPath), out, { end: false });
    await this.discard();
  }

  async discard(): Promise<void> {
    await rm(this.temporaryPath, { force: true });
  }
}
