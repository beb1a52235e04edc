import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { headerAuth } from "../src/client/auth.js";
import { OngageClient } from "../src/client/client.js";
import { OngageError } from "../src/client/errors.js";
import { maxJsonReplyBytes } from "../src/client/transport.js";
import { testCredentials } from "./support/sandbox.js";
import { drainedText } from "./support/drainedText.js";

/*
 * Every JSON reply is read whole, so each is bounded (maxJsonReplyBytes): a server that sends
 * an endless report list, or a status as large as an export, is stopped soon, with a message
 * in words, memory bounded; the CSV export, a stream, is not bounded.
 */

interface HugeServer {
  url: string;
  /** Bytes of body written so far. */
  sent: () => number;
  /** Resolves when the server sees the connection closed. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/** A server that answers every call 200 with `head`, then `item` again and again up to `totalBytes`, then `tail`. */
async function hugeServer(
  contentType: string,
  parts: { head: string; item: string; tail: string },
  totalBytes: number,
): Promise<HugeServer> {
  let sent = 0;
  let markClosed = () => {};
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const block = Buffer.from(parts.item.repeat(Math.ceil(65_536 / parts.item.length)));
  const server: Server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": contentType });
    res.on("close", markClosed);
    const write = (chunk: Buffer | string) => {
      sent += Buffer.byteLength(chunk);
      return res.write(chunk);
    };
    write(parts.head);
    // As fast as the client reads, no faster (back-pressure).
    const pump = () => {
      while (!res.destroyed && sent < totalBytes) if (!write(block)) return void res.once("drain", pump);
      if (!res.destroyed) res.end(parts.tail);
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent: () => sent,
    closed,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let server: HugeServer | undefined;
afterEach(async () => {
  server?.close().catch(() => undefined);
  server = undefined;
});

function clientOf(url: string): OngageClient {
  return new OngageClient({ auth: headerAuth(testCredentials), baseUrl: url, listId: "12345" });
}

const report = '{"id":"1000","status":1,"title":"[oq 00000000] a report","status_desc":"Pending"},';
const envelopeHead = '{"metadata":{"error":false},"payload":';

describe("a JSON reply far larger than any of Ongage's", () => {
  it.each([
    [
      "a report list that goes on and on (a look-up)",
      { head: `${envelopeHead}[`, item: report, tail: `${report.slice(0, -1)}]}` },
      (client: OngageClient) => client.listReports({ limit: 100 }),
      "GET contact_activity",
    ],
    [
      "a status 48 MB long",
      { head: `${envelopeHead}{"id":"1000","status":3,"status_desc":"`, item: "failed ", tail: '"}}' },
      (client: OngageClient) => client.getReport("1000"),
      "GET contact_activity/1000",
    ],
  ] as const)("%s: fails soon, in words, having stopped reading", async (_, parts, call, what) => {
    const totalBytes = 48 * 1024 * 1024;
    server = await hugeServer("application/json", parts, totalBytes);
    const started = Date.now();
    const failure = await call(clientOf(server.url)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OngageError);
    expect((failure as OngageError).kind).toBe("protocol");
    expect((failure as OngageError).message).toMatch(
      new RegExp(
        `^${what}: 127\\.0\\.0\\.1:\\d+ sent a reply of more than 8 MB, far more than any answer of Ongage's; oq stopped reading it$`,
      ),
    );
    await server.closed;
    // The server did send more than the limit, and the client stopped reading soon after it.
    expect(server.sent()).toBeGreaterThan(maxJsonReplyBytes);
    expect(server.sent()).toBeLessThan(maxJsonReplyBytes + 8 * 1024 * 1024);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("a CSV export larger than that is read whole: it is a stream, not bounded", async () => {
    server = await hugeServer(
      "text/csv",
      { head: "email\r\n", item: "someone@example.com\r\n", tail: "" },
      12 * 1024 * 1024,
    );
    const body = await clientOf(server.url).exportReport("1000");
    const text = await drainedText(body);
    expect(text.length).toBe(server.sent());
    expect(text.length).toBeGreaterThan(maxJsonReplyBytes);
  });
});
