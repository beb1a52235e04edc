import { EventEmitter } from "node:events";
import { fstatSync, statSync, writeSync } from "node:fs";
import type { Host } from "../app/host.js";

/*
 * Standard output and error of the compiling commands' bundle (oqCompiling.ts), written with
 * fs.writeSync straight to file descriptors 1 and 2. `process.stdout` loads Node's streams, and
 * for a pipe or a terminal its sockets too: 3-6 ms of a start that should cost about as much as
 * `node -e 0` (BENCHMARKS.md, "Cold start"). The real stream is made only when something asks
 * what only it knows (the width of a terminal, for help) or when the descriptor cannot take a
 * write now (EAGAIN: a non-blocking pipe shared with another process); from then on every write
 * goes through it, so that what is written stays in order.
 *
 * A write that fails (EPIPE: the reader left; ENOSPC: a full disk) is an 'error' event, as a
 * stream raises it, on the next tick, and later writes are dropped, as a destroyed stream's are:
 * what listens for it (closedOutput.ts) needs no second path.
 */

/** Standard output or error: file descriptor `fd`, and its stream `makeStream` makes when needed. */
class SyncOutput extends EventEmitter {
  /** The real stream, once made; every write goes through it then. */
  private stream: NodeJS.WriteStream | undefined;
  private failed = false;
  private terminal: boolean | undefined;

  constructor(
    private readonly fd: number,
    private readonly makeStream: () => NodeJS.WriteStream,
  ) {
    super();
  }

  /** The real stream, made on first use, passing its errors on to this one's listeners. */
  private real(): NodeJS.WriteStream {
    if (!this.stream) {
      this.stream = this.makeStream();
      this.stream.on("error", (error) => this.emit("error", error));
    }
    return this.stream;
  }

  write(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
    if (this.stream) return (this.stream.write as (...args: unknown[]) => boolean)(chunk, ...rest);
    const done = rest.find((arg): arg is (error?: Error | null) => void => typeof arg === "function");
    if (this.failed) return false;
    let bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    try {
      while (bytes.length > 0) bytes = bytes.subarray(writeSync(this.fd, bytes));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EAGAIN")
        return done ? this.real().write(bytes, done) : this.real().write(bytes);
      this.failed = true;
      process.nextTick(() => {
        this.emit("error", error);
        done?.(error as Error);
      });
      return false;
    }
    if (done) process.nextTick(done);
    return true;
  }

  /**
   * Whether the output is a terminal (colours on stderr), without making the stream when the
   * answer is plain: a file, a pipe or a socket is not a character device, and /dev/null is one
   * but no terminal. Only a terminal, or what cannot be told, makes the stream to ask it.
   */
  get isTTY(): boolean {
    if (this.stream) return this.stream.isTTY === true;
    this.terminal ??= this.mayBeTerminal() ? this.real().isTTY === true : false;
    return this.terminal;
  }

  private mayBeTerminal(): boolean {
    try {
      const stats = fstatSync(this.fd);
      if (!stats.isCharacterDevice()) return false;
      return stats.rdev !== statSync("/dev/null").rdev;
    } catch {
      return true;
    }
  }

  /** Whether all that was written has reached the descriptor: no stream was made, or it holds nothing more. */
  get written(): boolean {
    return this.stream === undefined || this.stream.writableLength === 0;
  }

  /** A terminal's width (help's line length): the stream's. */
  get columns(): number | undefined {
    return this.real().columns;
  }
}

/**
 * `process` as the compiling commands' host, with standard output and error written
 * synchronously to their file descriptors. Only what a command asks of its output exists on
 * them (write, isTTY, columns, 'error' events): the stand-ins are cast to Node's stream type,
 * and the compiling commands' end-to-end tests run through them (cli.e2e.test.ts).
 */
export function hostWritingSync(process: NodeJS.Process): Host & { endSoon(): void } {
  const out = new SyncOutput(1, () => process.stdout);
  const err = new SyncOutput(2, () => process.stderr);
  const stdout = out as unknown as Host["stdout"];
  const stderr = err as unknown as Host["stderr"];
  return {
    stdout,
    stderr,
    /**
     * Ends the process at once, when its command has finished (bin/oq.js), rather than let Node
     * wind down: a garbage collection pending since the command and the heap's teardown cost a
     * start up to ~5 ms (a query with a syntax error: BENCHMARKS.md, "Cold start"). Only once all
     * that was written has reached its descriptor; else Node's streams finish as usual. On the
     * next tick, after those already queued: a write's error, which closedOutput.ts reports.
     */
    endSoon() {
      process.nextTick(() => {
        if (out.written && err.written) process.exit();
      });
    },
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: () => process.cwd(),
    on: process.on.bind(process) as Host["on"],
    off: process.off.bind(process) as Host["off"],
    once: process.once.bind(process) as Host["once"],
    exit: process.exit.bind(process) as Host["exit"],
    get exitCode() {
      return process.exitCode;
    },
    set exitCode(code) {
      process.exitCode = code;
    },
  };
}
