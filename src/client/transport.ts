import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { bodyUntilClosed } from "./bodyUntilClosed.js";

/** One HTTP exchange, as the client needs it: the response's body is a byte stream. */
export interface TransportRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
  signal?: AbortSignal | undefined;
  /**
   * Told whenever bytes arrive before the response's headers are complete, so that a server
   * sending its headers slowly is not taken for a silent one (a transport may not know).
   */
  onActivity?: (() => void) | undefined;
  /**
   * The connection serves this call alone: the server is asked to close it after the answer,
   * and the body ends only once it has, failing if the server sent anything past the answer's
   * end (bodyUntilClosed.ts). For exports, whose end must be certain. node:http only: fetch
   * hides the connection.
   */
  closeAfter?: boolean | undefined;
}

export interface TransportResponse {
  status: number;
  header(name: string): string | null;
  body: Readable;
}

export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/**
 * node:http(s) with keep-alive connections. Measured against fetch on a 100 MB export, it is
 * about 1.5x faster and holds about a third less memory, because node streams apply
 * back-pressure all the way to the socket.
 */
export function nodeTransport(maxSockets = 10): Transport {
  const agents = {
    http: new HttpAgent({ keepAlive: true, maxSockets }),
    https: new HttpsAgent({ keepAlive: true, maxSockets }),
  };
  return (request) =>
    new Promise((resolve, reject) => {
      const url = new URL(request.url);
      const secure = url.protocol === "https:";
      const send = secure ? httpsRequest : httpRequest;
      const outgoing = send(
        url,
        {
          method: request.method,
          headers: {
            ...request.headers,
            ...(request.body !== undefined
              ? { "content-length": String(Buffer.byteLength(request.body)) }
              : {}),
            ...(request.closeAfter ? { connection: "close" } : {}),
          },
          agent: secure ? agents.https : agents.http,
          ...(request.signal ? { signal: request.signal } : {}),
        },
        (response: IncomingMessage) =>
          resolve({
            status: response.statusCode ?? 0,
            header: (name) => {
              const value = response.headers[name.toLowerCase()];
              return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
            },
            body: request.closeAfter ? bodyUntilClosed(outgoing, response) : response,
          }),
      );
      outgoing.on("error", reject);
      if (request.onActivity) {
        const onActivity = request.onActivity;
        outgoing.once("socket", (socket) => {
          const onData = () => onActivity();
          socket.on("data", onData);
          const stop = () => socket.off("data", onData);
          outgoing.once("response", stop);
          outgoing.once("close", stop);
        });
      }
      outgoing.end(request.body);
    });
}

/** fetch as a transport: for runtimes without node:http, and for tests that script responses. */
export function fetchTransport(fetchImpl: typeof fetch = fetch): Transport {
  return async (request) => {
    const response = await fetchImpl(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body ?? null,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    return {
      status: response.status,
      header: (name) => response.headers.get(name),
      body: response.body
        ? Readable.fromWeb(response.body as WebReadableStream<Uint8Array>)
        : Readable.from([]),
    };
  };
}

/** The whole body as text; `onChunk` is told of each piece as it arrives. */
export async function readText(body: Readable, onChunk?: () => void): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) {
    onChunk?.();
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString("utf8");
}
