import type { IncomingMessage, ServerResponse } from "node:http";

/* The sandbox's answers in Ongage's envelope, and how it reads a request body. */

export function envelope(res: ServerResponse, status: number, payload: unknown, total?: number): void {
  const metadata: Record<string, unknown> = { error: false };
  if (total !== undefined) metadata["total"] = total;
  const body = JSON.stringify({ metadata, payload });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

export function failure(
  res: ServerResponse,
  status: number,
  message: string,
  errors: string[] = [],
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ metadata: { error: true }, payload: { code: status, message, errors } });
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/** The request body, or undefined when it is past `limit` bytes (the rest is left unread). */
export function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  if (Number(req.headers["content-length"] ?? 0) > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData).off("end", onEnd).pause();
        resolve(undefined);
      } else chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString("utf8"));
    req.on("data", onData).on("end", onEnd).on("error", reject);
  });
}

/** Answers 413 as Ongage's front end would, and closes the connection rather than read an oversized body. */
export function tooLarge(res: ServerResponse, limit: number): void {
  failure(res, 413, "Request Entity Too Large", [`the request body is larger than ${limit} bytes`], {
    connection: "close",
  });
}
