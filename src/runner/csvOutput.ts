import { chmod, closeSync, createReadStream, openSync, rename, rm, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { getSystemErrorMap } from "node:util";
import { OngageError } from "../client/errors.js";
import type { ByteSource } from "../client/byteSource.js";
import { CsvRecordCounter } from "./csvCounter.js";
import { modeFor } from "./fileMode.js";

/** Where a CSV goes: a file, or standard output. */
export type CsvDestination = { kind: "file"; path: string } | { kind: "stdout"; stream: Writable };

/**
 * The CSV could not be written on this machine (disk full, folder gone, stdout closed): a local
 * failure, not a network one, so trying the download again cannot help.
 */
export class CsvSaveError extends Error {
  override name = "CsvSaveError";
  constructor(
    message: string,
    /** The system error code, such as ENOSPC or EPIPE. */
    readonly code: string | undefined,
  ) {
    super(message);
  }

  /** Standard output was closed by whoever read it (`oq run q.oq | head -1`). */
  get readerLeft(): boolean {
    return this.code === "EPIPE";
  }
}

/**
 * A file of the run that could not be written on this machine, as a CsvSaveError that says what,
 * where and why in words: `could not ${what}: no space left on device (ENOSPC)`.
 */
export function saveFailure(what: string, error: NodeJS.ErrnoException): CsvSaveError {
  const reason = (error.errno !== undefined && getSystemErrorMap().get(error.errno)?.[1]) || error.message;
  return new CsvSaveError(`could not ${what}: ${reason}${error.code ? ` (${error.code})` : ""}`, error.code);
}

/**
 * A download in progress. Bytes go to a temporary file (readable by its owner only), which takes
 * the final name (or is copied to stdout) only once the download is complete and looks like a
 * whole CSV, so a cut-off or bad download never leaves a partial CSV under the final name or on
 * stdout.
 */
export class CsvDownload {
  readonly temporaryPath: string;
  readonly counter: CsvRecordCounter;
  /** The temporary file, while it is open. */
  private fd: number | undefined;

  /** `columns`: the columns the CSV must have (a report's selected fields), when known. */
  constructor(
    readonly destination: CsvDestination,
    columns?: readonly string[],
  ) {
    this.counter = new CsvRecordCounter(columns);
    const unique = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    this.temporaryPath =
      destination.kind === "file"
        ? join(dirname(destination.path), `.${basename(destination.path)}.${unique}.part`)
        : join(tmpdir(), `oq-export-${unique}.csv.part`);
  }

  /**
   * Creates the temporary file ("wx": never write through a file, or link, someone else put
   * there; readable by its owner only). Done before the download is asked for, so that a file
   * that cannot be written costs no call; `receive` does it if it has not been done.
   */
  open(): void {
    if (this.fd !== undefined) return;
    try {
      this.fd = openSync(this.temporaryPath, "wx", 0o600);
    } catch (error) {
      throw this.saveError(error as NodeJS.ErrnoException);
    }
  }

  /**
   * Drains `source` into the temporary file, counting bytes and rows as they pass, each chunk
   * written before the next is read (a write to a file is quick, and a synchronous one lets the
   * source reuse its buffer). Fails with an OngageError when the body is not a CSV, or not one
   * of the expected columns (protocol), or stopped mid-row (network, worth another try), or
   * `signal` aborted it (aborted: never a CsvSaveError), and with a CsvSaveError when the file
   * cannot be written.
   */
  async receive(
    source: ByteSource,
    onChunk?: (counter: CsvRecordCounter) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const counter = this.counter;
    this.open();
    const fd = this.fd!;
    try {
      await source.drain((chunk) => {
        if (signal?.aborted) throw new OngageError("aborted", "stopped");
        if (counter.bytes === 0 && chunk.length > 0) {
          const problem = notCsv(chunk);
          if (problem) throw new OngageError("protocol", problem);
        }
        counter.push(chunk);
        if (counter.refusal) throw new OngageError("protocol", `the export is ${counter.refusal}`);
        try {
          for (let written = 0; written < chunk.length;)
            written += writeSync(fd, chunk, written, chunk.length - written);
        } catch (error) {
          throw this.saveError(error as NodeJS.ErrnoException);
        }
        onChunk?.(counter);
      });
    } catch (error) {
      if (signal?.aborted) throw new OngageError("aborted", "stopped");
      throw error;
    } finally {
      this.close();
    }
    const cut = counter.cutShort();
    // A header that had no line break is read only now.
    if (counter.refusal) throw new OngageError("protocol", `the export is ${counter.refusal}`);
    if (cut) throw new OngageError("network", `the export ${cut}: it was cut short`);
  }

  private close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch (error) {
      throw this.saveError(error as NodeJS.ErrnoException);
    }
  }

  /** Gives the complete file its final name, or copies it to stdout; then removes the temporary file. */
  async commit(): Promise<void> {
    try {
      if (this.destination.kind === "file") {
        const { path } = this.destination;
        // A replaced file keeps its mode; a new one gets the mode any new file would.
        await settled((done) => chmod(this.temporaryPath, modeFor(path), done));
        await settled((done) => rename(this.temporaryPath, path, done));
        return;
      }
      await pipeline(createReadStream(this.temporaryPath), this.destination.stream, { end: false });
    } catch (error) {
      throw this.saveError(error as NodeJS.ErrnoException);
    }
    await this.discard();
  }

  async discard(): Promise<void> {
    try {
      this.close();
    } catch {
      // (Removed below either way.)
    }
    await settled((done) => rm(this.temporaryPath, { force: true }, done));
  }

  private saveError(error: NodeJS.ErrnoException): CsvSaveError {
    return saveFailure(
      `save the CSV ${this.destination.kind === "file" ? `to ${this.destination.path}` : "to stdout"}`,
      error,
    );
  }
}

/**
 * What the first bytes of an export are, when they cannot be the start of a CSV. oq asks for no
 * compression, so compressed bytes arrive undecoded; the header row, made of column names, never
 * holds control characters other than line breaks, and compressed data does within a few bytes.
 */
function notCsv(head: Buffer): string | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b)
    return "Ongage sent the export gzip-compressed, which oq did not ask for";
  const start = head
    .subarray(0, 1024)
    .toString("latin1")
    .replace(/^\u00ef\u00bb\u00bf/, "")
    .trimStart();
  const firstLine = start.split("\n", 1)[0]!;
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(firstLine))
    return "Ongage sent binary data (compressed?) instead of the CSV";
  if (start.startsWith("<")) return "Ongage sent an HTML page instead of the CSV";
  if (start.startsWith("{") || start.startsWith("[")) return "Ongage sent a JSON document instead of the CSV";
  return undefined;
}

/**
 * A node:fs call with a callback, as a promise. Not node:fs/promises: loading it (and the modules
 * it loads, readline's among them) costs an export's start ~2 ms, for three calls.
 */
function settled(call: (done: (error: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => call((error) => (error ? reject(error) : resolve())));
}
