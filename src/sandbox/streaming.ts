import type { IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import type { Clock } from "../client/clock.js";
import { failure } from "./answers.js";
import type { Faults } from "./faults.js";

/** The size of the pieces an export is written (and a report file built) in. */
export const chunkBytes = 64 * 1024;

/** Uses up one of a counted fault: whether it happens this time. */
function takeFault(
  faults: Faults,
  name: "exportEnvelope" | "exportHtml" | "exportGzip" | "exportCutRow",
): boolean {
  if (!faults[name]) return false;
  faults[name]--;
  return true;
}

/** Waits until the response can take more, or is gone; leaves no listener behind. */
function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/**
 * Streams an export in chunks of about 64 KB with back-pressure, applying the faults that
 * concern exports. `body` yields text or bytes, and null for "let other requests run".
 */
export async function streamCsv(
  faults: Faults,
  clock: Clock,
  req: IncomingMessage,
  res: ServerResponse,
  body: AsyncIterable<string | Buffer | null> | Iterable<string | null>,
): Promise<void> {
  if (takeFault(faults, "exportEnvelope"))
    return failure(res, 200, "Export failed: the report file is not available", []);
  if (takeFault(faults, "exportHtml")) {
    const page =
      "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>\n";
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "content-length": Buffer.byteLength(page),
    });
    return void res.end(page);
  }
  if (takeFault(faults, "exportGzip")) {
    const chunks: Buffer[] = [];
    for await (const piece of body)
      if (piece !== null) chunks.push(Buffer.isBuffer(piece) ? piece : Buffer.from(piece));
    const zipped = gzipSync(Buffer.concat(chunks));
    res.writeHead(200, { "content-type": "text/csv; charset=utf-8", "content-length": zipped.length });
    return void res.end(zipped);
  }
  res.writeHead(200, { "content-type": "text/csv; charset=utf-8" });
  let cutAfter = faults.dropExportAfterBytes;
  if (cutAfter !== undefined) delete faults.dropExportAfterBytes;
  // Cut-row: end the body cleanly just after the first field of the first row past 1000 bytes.
  let cutRowAfter = takeFault(faults, "exportCutRow") ? 1000 : undefined;
  let sent = 0;
  let pending: (string | Buffer)[] = [];
  let pendingBytes = 0;
  let closed = false;
  res.on("close", () => (closed = true));
  const flush = async () => {
    const bytes =
      pending.length === 1 && Buffer.isBuffer(pending[0])
        ? pending[0]
        : Buffer.concat(pending.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))));
    pending = [];
    pendingBytes = 0;
    if (cutAfter !== undefined && sent + bytes.length > cutAfter) {
      res.write(bytes.subarray(0, Math.max(0, cutAfter - sent)));
      cutAfter = undefined;
      req.socket.destroy();
      closed = true;
      return;
    }
    if (cutRowAfter !== undefined) {
      const rowStart = bytes.indexOf(0x0a, Math.max(0, cutRowAfter - sent));
      const fieldEnd = rowStart === -1 ? -1 : bytes.indexOf(0x2c, rowStart);
      if (fieldEnd !== -1) {
        res.end(bytes.subarray(0, fieldEnd + 1));
        cutRowAfter = undefined;
        closed = true;
        return;
      }
    }
    sent += bytes.length;
    if (!res.write(bytes)) await drainOrClose(res);
    if (faults.slowBodyMs) await clock.sleep(faults.slowBodyMs);
  };
  for await (const piece of body) {
    if (piece === null) {
      // Let other requests in between slices of an evaluation.
      await new Promise((resolve) => setImmediate(resolve));
    } else {
      pending.push(piece);
      pendingBytes += piece.length;
      if (pendingBytes >= chunkBytes) await flush();
    }
    if (closed) return;
  }
  if (pendingBytes > 0) await flush();
  if (!closed) res.end();
}
