import { Transform, type TransformCallback } from "node:stream";

/*
 * A bound on what one message may make the server hold. The JSON-RPC reader buffers whatever a
 * `Content-Length` header promises before it looks at a byte of it: `Content-Length: 2000000000`
 * followed by data took the server to half a gigabyte, and a larger one stopped it answering.
 * This stream sits in front of the reader: a message over the limit is skipped byte by byte as
 * it arrives (never held), and `onRefused` answers it, so the server stays up and bounded.
 */

/** Far above a real document (oq reads queries of at most 1,000,000 characters, limits.ts). */
const maxMessageBytes = 16 * 1024 * 1024;
/** A header is a line or two; one that runs on is not LSP. */
const maxHeaderBytes = 8 * 1024;
const headerEnd = Buffer.from("\r\n\r\n");

export function messageSizeLimit(onRefused: (reason: string) => void, limit = maxMessageBytes): Transform {
  let header = Buffer.alloc(0);
  /** Bytes of the current body still to pass on (>= 0) or to skip (< 0); undefined in a header. */
  let bodyLeft: number | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      let rest = chunk;
      while (rest.length > 0) {
        if (bodyLeft !== undefined) {
          const size = Math.min(Math.abs(bodyLeft), rest.length);
          if (bodyLeft > 0) this.push(rest.subarray(0, size));
          bodyLeft = bodyLeft > 0 ? bodyLeft - size : bodyLeft + size;
          rest = rest.subarray(size);
          if (bodyLeft === 0) bodyLeft = undefined;
          continue;
        }
        header = Buffer.concat([header, rest]);
        rest = Buffer.alloc(0);
        const at = header.indexOf(headerEnd);
        if (at < 0) {
          if (header.length > maxHeaderBytes) {
            onRefused(`a message header longer than ${maxHeaderBytes} bytes`);
            header = Buffer.alloc(0);
          }
          break;
        }
        const text = header.subarray(0, at).toString("ascii");
        rest = header.subarray(at + headerEnd.length);
        header = Buffer.alloc(0);
        const length = Number(/^content-length:\s*(\d+)\s*$/im.exec(text)?.[1] ?? NaN);
        if (Number.isSafeInteger(length) && length > limit) {
          onRefused(`a message of ${length} bytes, more than the limit of ${limit}`);
          bodyLeft = length === 0 ? undefined : -length;
          continue;
        }
        // Within the limit, or no usable length: the reader decides (and says what is wrong).
        this.push(Buffer.from(`${text}\r\n\r\n`, "ascii"));
        bodyLeft = Number.isSafeInteger(length) && length > 0 ? length : undefined;
      }
      done();
    },
  });
}
