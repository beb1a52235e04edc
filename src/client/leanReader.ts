import { connect as netConnect, type Socket } from "node:net";
import { Readable } from "node:stream";
import type { ConnectionOptions } from "node:tls";
import { PastEndError } from "./bodyUntilClosed.js";
import type { ByteSink } from "./byteSource.js";
import { tlsModule } from "./tlsModules.js";

/*
 * The lean reader: one GET whose body is a large download (an export), read straight off its
 * socket. node:http costs more per byte than curl (its parser hands each piece to a stream,
 * which allocates it), so an export at Node's ceiling took about twice curl's time on loopback.
 * Here the socket reads with `onread` into one buffer, reused read after read; the body's
 * framing (Content-Length, or chunked) is decoded in place, and each piece of it is handed to
 * a synchronous sink (which writes it to a file) before the next read: no allocation per
 * chunk, no stream between the socket and the file.
 *
 * It reads only what it can frame for certain: an HTTP/1.x answer with a Content-Length or a
 * chunked body, neither compressed nor redirected. Any other answer (1xx, 3xx, 204/304, a
 * Content-Encoding, another Transfer-Encoding, both framings, an odd header) is given up
 * unread: the socket is closed and the caller sends the request again through node:http.
 *
 * Like bodyUntilClosed.ts, it asks the server to close the connection after the answer and
 * reads until it has: a byte past the answer's end (its Content-Length, its last chunk) fails
 * the body with PastEndError, never dropped in silence; a server that keeps the connection open
 * anyway is closed after `closeGraceMs`.
 */

/** Each read's buffer: big enough that a fast link fills few reads, small beside the heap. */
const readBufferBytes = 256 * 1024;
/** The longest answer head read: Ongage's are a few hundred bytes. */
const maxHeadBytes = 64 * 1024;
/** As bodyUntilClosed.ts: how long a server asked to close may keep the connection open. */
const closeGraceMs = 1000;

/** The body stopped before its end, as its framing put it: the connection closed early. */
export class CutShortError extends Error {
  override name = "CutShortError";
}

/** The body's chunked framing is broken: it cannot be read on. */
export class BadFramingError extends Error {
  override name = "BadFramingError";
}

/** What the lean reader needs beyond the request. */
export interface LeanOptions {
  /** Certificates to trust besides the system's (for a server with its own CA). */
  ca?: string | Buffer | undefined;
}

/** What the lean reader sends: a GET (as transport.ts's TransportRequest says it). */
interface LeanRequest {
  url: string;
  headers: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** Told whenever bytes arrive before the answer's head is complete. */
  onActivity?: (() => void) | undefined;
}

/** An answer read by the lean reader (a TransportResponse): its body drained into a sink, or as a stream. */
interface LeanResponse {
  status: number;
  header(name: string): string | null;
  readonly body: Readable;
  drain(sink: ByteSink): Promise<void>;
}

/**
 * Sends `request` (a GET without a body) on a connection of its own, and resolves with the
 * answer once its head has come, or with undefined when the answer is not one it reads (the
 * connection is closed then, its body unread: send the request again another way). Fails as
 * node:http does before the answer: an error with a `code` (ECONNREFUSED, ECONNRESET...), or
 * the signal's reason once it aborts.
 */
export async function leanRequest(
  request: LeanRequest,
  options: LeanOptions = {},
): Promise<LeanResponse | undefined> {
  const url = new URL(request.url);
  const secure = url.protocol === "https:";
  const tlsConnect = secure ? (await tlsModule()).connect : undefined;
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = Number(url.port || (secure ? 443 : 80));
    const buffer = Buffer.allocUnsafe(readBufferBytes);
    const onread = { buffer, callback: (length: number) => read(length) };
    const socket: Socket = tlsConnect
      ? // (node:tls reads with `onread` as node:net does; its types do not say so.)
        tlsConnect({
          host,
          port,
          onread,
          ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }),
          ...(options.ca ? { ca: options.ca } : {}),
        } as ConnectionOptions)
      : netConnect({ host, port, onread });
    socket.setNoDelay(true);

    let head: Buffer | undefined = Buffer.alloc(0);
    let answered = false;
    let body: BodyFraming | undefined;
    /** Body bytes that came with the head, before anyone drained. */
    let early: Buffer | undefined;
    let sink: ByteSink | undefined;
    let ended = false;
    let failure: unknown;
    let settleDrain: { resolve: () => void; reject: (error: unknown) => void } | undefined;
    let grace: NodeJS.Timeout | undefined;

    const stopAbort = (() => {
      const signal = request.signal;
      if (!signal) return () => undefined;
      const onAbort = () => fail(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      return () => signal.removeEventListener("abort", onAbort);
    })();
    if (request.signal?.aborted) return fail(request.signal.reason);

    function fail(error: unknown): void {
      if (failure !== undefined || ended) return;
      failure = error;
      finish();
      if (!answered) return reject(error);
      settleDrain?.reject(error);
    }

    function finish(): void {
      stopAbort();
      clearTimeout(grace);
      socket.destroy();
    }

    const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`];
    for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${value}`);
    lines.push("connection: close", "", "");
    // latin1, as node:http writes a head: a credential of Latin-1 letters goes as the same bytes.
    socket.write(lines.join("\r\n"), "latin1");

    socket.on("error", (error) => fail(error));
    socket.on("end", () => {
      if (!answered)
        return fail(
          Object.assign(new Error("the server closed the connection before answering"), {
            code: "ECONNRESET",
          }),
        );
      if (body?.done) return closed();
      fail(new CutShortError(body?.shortBy() ?? "the connection closed"));
    });
    socket.on("close", () => {
      if (failure !== undefined) return;
      if (!answered) return fail(Object.assign(new Error("socket closed"), { code: "ECONNRESET" }));
      if (body?.done) closed();
      else fail(new CutShortError(body?.shortBy() ?? "the connection closed"));
    });

    /** The answer ended whole and the server has closed: the body is good. */
    function closed(): void {
      if (ended || failure !== undefined || !body?.done || sink === undefined) return;
      ended = true;
      finish();
      settleDrain?.resolve();
    }

    /** Bytes `buffer[0, length)` arrived. Returns false to stop reading for now. */
    function read(length: number): boolean {
      if (failure !== undefined) return false;
      if (!answered) {
        request.onActivity?.();
        return readHead(length);
      }
      return readBody(buffer, 0, length);
    }

    function readHead(length: number): boolean {
      head = Buffer.concat([head!, buffer.subarray(0, length)]);
      const end = head.indexOf("\r\n\r\n");
      if (end === -1) {
        if (head.length > maxHeadBytes) giveUp();
        return true;
      }
      const parsed = parseHead(head.toString("latin1", 0, end));
      const rest = head.subarray(end + 4);
      head = undefined;
      body = parsed && framingOf(parsed);
      if (!parsed || !body) return giveUp();
      answered = true;
      if (rest.length > 0) early = Buffer.from(rest);
      const headers = parsed.headers;
      let stream: Readable | undefined;
      resolve({
        status: parsed.status,
        header: (name) => headers.get(name.toLowerCase()) ?? null,
        get body() {
          return (stream ??= streamOf(drain, finish));
        },
        drain,
      });
      // Nothing more is read until someone drains the body.
      socket.pause();
      return false;
    }

    /** Not an answer this reader reads: closed unread, for the caller to send again. */
    function giveUp(): false {
      finish();
      failure = "gave up";
      resolve(undefined);
      return false;
    }

    function drain(into: ByteSink): Promise<void> {
      if (sink !== undefined) return Promise.reject(new Error("the body is already being read"));
      sink = into;
      return new Promise<void>((resolveDrain, rejectDrain) => {
        settleDrain = { resolve: resolveDrain, reject: rejectDrain };
        if (failure !== undefined) return rejectDrain(failure);
        if (early) {
          const bytes = early;
          early = undefined;
          if (!readBody(bytes, 0, bytes.length)) return;
        }
        if (body!.done) {
          // (Complete already: empty, or whole in the bytes that came with its head.)
          if (socket.readableEnded || socket.destroyed) return closed();
          awaitClose();
        }
        socket.resume();
      });
    }

    /** Body bytes `bytes[from, to)`: framed, handed to the sink. */
    function readBody(bytes: Buffer, from: number, to: number): boolean {
      if (body!.done) {
        if (to > from && !body!.passesOver(bytes, from, to)) fail(new PastEndError());
        return false;
      }
      let end: number;
      try {
        end = body!.read(bytes, from, to, sink!);
      } catch (error) {
        fail(error);
        return false;
      }
      if (!body!.done) return true;
      if (end < to && !body!.passesOver(bytes, end, to)) {
        fail(new PastEndError());
        return false;
      }
      awaitClose();
      return true;
    }

    /** The answer is complete: the server should close now. Anything else it sends is past the end. */
    function awaitClose(): void {
      grace ??= setTimeout(() => {
        socket.destroy();
        closed();
      }, closeGraceMs);
    }
  });
}

/** A drained body as a stream (copies of each chunk), for answers read whole, such as an error's text. */
function streamOf(drain: (sink: ByteSink) => Promise<void>, close: () => void): Readable {
  let started = false;
  const stream: Readable = new Readable({
    destroy(error, callback) {
      close();
      callback(error);
    },
    read() {
      if (started) return;
      started = true;
      drain((chunk) => void stream.push(Buffer.from(chunk))).then(
        () => stream.push(null),
        (error: unknown) => stream.destroy(error as Error),
      );
    },
  });
  return stream;
}

interface AnswerHead {
  status: number;
  headers: Map<string, string>;
}

/** The status line and headers, or undefined when they are not plainly HTTP/1.x. */
function parseHead(text: string): AnswerHead | undefined {
  const lines = text.split("\r\n");
  const status = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0]!);
  if (!status) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    // (A folded line, a header without a name, a bare \n: not for this reader.)
    const colon = line.indexOf(":");
    if (colon <= 0 || /[\s\n]/.test(line[0]!) || /[^!#$%&'*+\-.^_`|~\w]/.test(line.slice(0, colon)))
      return undefined;
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const before = headers.get(name);
    headers.set(name, before === undefined ? value : `${before}, ${value}`);
  }
  return { status: Number(status[1]), headers };
}

/** How the answer's body ends, when this reader can tell for certain; undefined otherwise. */
function framingOf({ status, headers }: AnswerHead): BodyFraming | undefined {
  if (status < 200 || (status >= 300 && status < 400) || status === 204) return undefined;
  const encoding = headers.get("content-encoding")?.toLowerCase();
  if (encoding !== undefined && encoding !== "identity") return undefined;
  const transfer = headers.get("transfer-encoding")?.toLowerCase();
  const length = headers.get("content-length");
  if (transfer !== undefined)
    return transfer === "chunked" && length === undefined ? new ChunkedBody() : undefined;
  return length !== undefined && /^\d{1,15}$/.test(length) ? new LengthBody(Number(length)) : undefined;
}

/** A body's framing: reads body bytes, hands the content to the sink, knows when it is over. */
interface BodyFraming {
  /** Whether the body's last byte has been read. */
  readonly done: boolean;
  /** Reads `bytes[from, to)`; returns where the body ended in them (`to` when it did not). */
  read(bytes: Buffer, from: number, to: number, sink: ByteSink): number;
  /** Why the body is not whole yet, in words. */
  shortBy(): string;
  /** Whether bytes after the body's end may be passed over rather than refused. */
  passesOver(bytes: Buffer, from: number, to: number): boolean;
}

/** A body of Content-Length bytes. */
class LengthBody implements BodyFraming {
  private received = 0;
  constructor(private readonly length: number) {}

  get done(): boolean {
    return this.received === this.length;
  }

  read(bytes: Buffer, from: number, to: number, sink: ByteSink): number {
    const end = Math.min(to, from + this.length - this.received);
    if (end > from) sink(bytes.subarray(from, end));
    this.received += end - from;
    return end;
  }

  shortBy(): string {
    return `${this.received} of the ${this.length} bytes its Content-Length announced`;
  }

  passesOver(): boolean {
    return false;
  }
}

const lineFeed = 0x0a;
const carriageReturn = 0x0d;

/** A chunked body (RFC 9112, 7.1): sizes in hex, each chunk followed by CRLF, a 0 chunk, trailers. */
export class ChunkedBody implements BodyFraming {
  private state: "size" | "data" | "data-end" | "trailer" | "done" = "size";
  /** The line being read (a size line, a trailer line), across reads. */
  private line = "";
  private left = 0;
  private received = 0;

  /**
   * A stray line break after the last chunk's empty line (some servers send one): node:http
   * passes over it, and so does this reader. Any other byte there is refused.
   */
  passesOver(bytes: Buffer, from: number, to: number): boolean {
    for (let at = from; at < to; at++)
      if (bytes[at] !== lineFeed && bytes[at] !== carriageReturn) return false;
    return true;
  }

  get done(): boolean {
    return this.state === "done";
  }

  read(bytes: Buffer, from: number, to: number, sink: ByteSink): number {
    let at = from;
    while (at < to) {
      if (this.state === "data") {
        const end = Math.min(to, at + this.left);
        sink(bytes.subarray(at, end));
        this.left -= end - at;
        this.received += end - at;
        at = end;
        if (this.left === 0) this.state = "data-end";
        continue;
      }
      if (this.state === "done") return at;
      // A line: a size, the CRLF after a chunk's data, or a trailer.
      const feed = bytes.indexOf(lineFeed, at);
      const stop = feed === -1 || feed >= to ? to : feed;
      this.line += bytes.toString("latin1", at, stop);
      if (this.line.length > 1024) throw new BadFramingError("a chunk size line longer than 1 KB");
      if (stop === to) return to;
      at = stop + 1;
      if (!this.line.endsWith("\r")) throw new BadFramingError("a chunk line without its CRLF");
      const line = this.line.slice(0, -1);
      this.line = "";
      this.endLine(line);
    }
    return this.state === "done" ? at : to;
  }

  private endLine(line: string): void {
    if (this.state === "data-end") {
      if (line !== "") throw new BadFramingError("a chunk longer than its size");
      this.state = "size";
      return;
    }
    if (this.state === "trailer") {
      if (line === "") this.state = "done";
      return;
    }
    const size = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line);
    if (!size)
      // (What the line held is the server's, and is not quoted: it could echo a credential.)
      throw new BadFramingError("a chunk size line that is not a size");
    this.left = parseInt(size[1]!, 16);
    this.state = this.left === 0 ? "trailer" : "data";
  }

  shortBy(): string {
    return `it ended inside its chunked body, after ${this.received} bytes`;
  }
}
