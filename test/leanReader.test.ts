import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createServer as createHttpsServer } from "node:https";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { headerAuth } from "../src/client/auth.js";
import { OngageClient, type OngageClientOptions } from "../src/client/client.js";
import { OngageError } from "../src/client/errors.js";
import { ChunkedBody } from "../src/client/leanReader.js";
import { nodeTransport, type Transport } from "../src/client/transport.js";
import { runPlan } from "../src/runner/runPlan.js";
import { FakeClock } from "./support/fakeClock.js";
import { fakeTimeSandbox, gmailOrOpenersPlan, outFolder } from "./support/inProcess.js";
import { drainedText } from "./support/drainedText.js";
import { testCredentials } from "./support/sandbox.js";

/*
 * The lean reader (src/client/leanReader.ts): an export read straight off its socket. Its
 * framing, its faults (each asserted to have happened at the server), TLS, and the answers it
 * leaves to node:http (asserted: the server saw the request twice).
 */

const csv = "email,opens\r\n" + Array.from({ length: 40 }, (_, i) => `c${i}@x.com,${i}\r\n`).join("");

/** The body in chunked framing, cut into chunks of the given sizes (the rest in one more). */
function chunked(body: Buffer, sizes: number[]): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (const size of [...sizes, body.length]) {
    const piece = body.subarray(at, Math.min(body.length, at + Math.max(1, size)));
    if (piece.length === 0) break;
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n"));
    at += piece.length;
  }
  parts.push(Buffer.from("0\r\n\r\n"));
  return Buffer.concat(parts);
}

/** Feeds `wire` to a ChunkedBody in pieces cut at `cuts`: the content handed over, and where the body ended. */
function decode(wire: Buffer, cuts: number[]): { content: Buffer; done: boolean; endedAt: number } {
  const body = new ChunkedBody();
  const content: Buffer[] = [];
  let endedAt = -1;
  const bounds = [
    0,
    ...cuts.filter((cut) => cut > 0 && cut < wire.length).sort((a, b) => a - b),
    wire.length,
  ];
  for (let i = 0; i + 1 < bounds.length && !body.done; i++) {
    // Each piece in a buffer of its own, reused afterwards: the sink must copy what it keeps.
    const piece = Buffer.from(wire.subarray(bounds[i], bounds[i + 1]));
    const end = body.read(piece, 0, piece.length, (chunk) => content.push(Buffer.from(chunk)));
    piece.fill(0);
    if (body.done) endedAt = bounds[i]! + end;
  }
  return { content: Buffer.concat(content), done: body.done, endedAt };
}

describe("the chunked framing", () => {
  it("reads a body however its bytes are cut into reads, at every offset", () => {
    const body = Buffer.from('email,"name"\r\na@x.com,"A, B"\r\n');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 8 }), (sizes) => {
        const wire = chunked(body, sizes);
        for (let cut = 0; cut <= wire.length; cut++)
          for (const second of [cut + 1, cut + 7]) {
            const read = decode(wire, [cut, second]);
            expect(read.content.equals(body)).toBe(true);
            expect(read.done).toBe(true);
            expect(read.endedAt).toBe(wire.length);
          }
      }),
      { numRuns: 60 },
    );
  });

  it("says where the body ended when bytes follow it in the same read", () => {
    const wire = chunked(Buffer.from("a,b\r\n"), []);
    const body = new ChunkedBody();
    const withMore = Buffer.concat([wire, Buffer.from("HTTP/1.1 200 OK\r\n")]);
    expect(body.read(withMore, 0, withMore.length, () => undefined)).toBe(wire.length);
    expect(body.done).toBe(true);
  });

  it("refuses broken framing: a size that is no number, a chunk longer than its size", () => {
    for (const wire of ["zz\r\nab\r\n0\r\n\r\n", "2\r\nabc\r\n0\r\n\r\n", "2\nab\r\n0\r\n\r\n"]) {
      const body = new ChunkedBody();
      expect(() => body.read(Buffer.from(wire), 0, wire.length, () => undefined)).toThrow(/chunk/);
    }
  });

  it("ends only at its last chunk and the empty line after its trailers", () => {
    const wire = Buffer.from("3\r\nabc\r\n0\r\nx-trailer: 1\r\n\r\n");
    expect(decode(wire, []).content.toString()).toBe("abc");
    for (let cut = 1; cut < wire.length; cut++) {
      const body = new ChunkedBody();
      body.read(wire, 0, cut, () => undefined);
      expect(body.done).toBe(false);
    }
  });
});

interface RawServer {
  url: string;
  /** The head of each request received, in order. */
  requests: string[];
  /** Connections the client closed before the server had ended its side. */
  closedEarly: number;
  close(): Promise<void>;
}

/**
 * A TCP server that answers each request by `answer` (the socket, the request's number from 0),
 * writing HTTP itself: what node:http would not send.
 */
async function rawServer(answer: (socket: Socket, index: number) => void): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const state: RawServer = {
    url: "",
    requests: [],
    closedEarly: 0,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  // Half-open allowed, so that it is known who closed first: the client (its end came while the
  // server had not ended) or the server.
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    let text = "";
    let answered = false;
    socket.on("data", (chunk) => {
      if (answered) return;
      text += chunk.toString("latin1");
      if (!text.includes("\r\n\r\n")) return;
      answered = true;
      const index = state.requests.push(text) - 1;
      answer(socket, index);
    });
    socket.on("end", () => {
      if (!socket.writableEnded) state.closedEarly++;
      socket.end();
    });
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

const csvHead = (framing: string) => `HTTP/1.1 200 OK\r\ncontent-type: text/csv\r\n${framing}\r\n`;

/**
 * The default transport, noting for each export whether the lean reader read it (its answer
 * hands the body over with `drain`) or node:http did.
 */
function notingTransport(inner: Transport = nodeTransport(10)): { transport: Transport; lean: boolean[] } {
  const lean: boolean[] = [];
  return {
    lean,
    transport: async (call) => {
      const response = await inner(call);
      if (call.url.endsWith("/export")) lean.push(response.drain !== undefined);
      return response;
    },
  };
}

function clientOf(url: string, options: Partial<OngageClientOptions> = {}): OngageClient {
  return new OngageClient({
    auth: headerAuth(testCredentials),
    baseUrl: url,
    idleTimeoutMs: 2000,
    backoff: { retries: 0 },
    ...options,
  });
}

async function failureOf(work: Promise<unknown>): Promise<OngageError> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OngageError);
  return error as OngageError;
}

let servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});
async function serve(answer: (socket: Socket, index: number) => void): Promise<RawServer> {
  const server = await rawServer(answer);
  servers.push(server);
  return server;
}

describe("an export through the lean reader", () => {
  it("reads a Content-Length body and a chunked one, on one request each, asking for the connection's close", async () => {
    for (const framing of ["length", "chunked"]) {
      const server = await serve((socket) =>
        socket.end(
          framing === "length"
            ? csvHead(`content-length: ${csv.length}\r\n`) + csv
            : Buffer.concat([
                Buffer.from(csvHead("transfer-encoding: chunked\r\n")),
                chunked(Buffer.from(csv), [7, 100, 3]),
              ]),
        ),
      );
      const noted = notingTransport();
      const client = clientOf(server.url, { transport: noted.transport });
      expect(await drainedText(await client.exportReport("7"))).toBe(csv);
      // Read by the lean reader, and node:http was not asked again.
      expect(noted.lean).toEqual([true]);
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]).toMatch(/^GET \/api\/contact_activity\/7\/export HTTP\/1\.1\r\n/);
      expect(server.requests[0]).toMatch(/\r\nconnection: close\r\n/i);
    }
  });

  it("sends a Latin-1 credential as node:http does, one byte a letter (cold test of issue 21: it sent UTF-8)", async () => {
    const server = await serve((socket) => socket.end(csvHead(`content-length: ${csv.length}\r\n`) + csv));
    const noted = notingTransport();
    const client = new OngageClient({
      auth: headerAuth({ ...testCredentials, password: "pass\u00e9" }),
      baseUrl: server.url,
      transport: noted.transport,
      backoff: { retries: 0 },
    });
    expect(await drainedText(await client.exportReport("7"))).toBe(csv);
    expect(noted.lean).toEqual([true]);
    // The request as the server's bytes, read one byte a character: é is the one byte 0xE9.
    expect(server.requests[0]).toMatch(/\r\nx_password: pass\u00e9\r\n/i);
  });

  it("leaves a base URL with user:password to node:http, which sends them as Basic auth", async () => {
    const server = await serve((socket) => socket.end(csvHead(`content-length: ${csv.length}\r\n`) + csv));
    const noted = notingTransport();
    const client = clientOf(server.url.replace("http://", "http://proxyuser:proxypass@"), {
      transport: noted.transport,
    });
    expect(await drainedText(await client.exportReport("7"))).toBe(csv);
    expect(noted.lean).toEqual([false]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatch(
      new RegExp(
        `\r\nauthorization: Basic ${Buffer.from("proxyuser:proxypass").toString("base64")}\r\n`,
        "i",
      ),
    );
  });

  it("passes over a stray line break after the last chunk, as node:http does; refuses any other byte there", async () => {
    for (const after of ["\r\n", "\r\n\r\n", "x"]) {
      const server = await serve((socket) =>
        socket.end(
          Buffer.concat([
            Buffer.from(csvHead("transfer-encoding: chunked\r\n")),
            chunked(Buffer.from(csv), [50, 9]),
            Buffer.from(after),
          ]),
        ),
      );
      const noted = notingTransport();
      const client = clientOf(server.url, { transport: noted.transport });
      if (after === "x")
        expect((await failureOf(client.exportReport("7").then(drainedText))).message).toContain(
          "past the end of its answer",
        );
      else expect(await drainedText(await client.exportReport("7"))).toBe(csv);
      expect(noted.lean).toEqual([true]);
    }
  });

  it("a body cut off in the middle: a network error for each framing, never a short CSV", async () => {
    const cuts = {
      length: csvHead(`content-length: ${csv.length}\r\n`) + csv.slice(0, 100),
      chunked:
        csvHead("transfer-encoding: chunked\r\n") +
        chunked(Buffer.from(csv), [50]).subarray(0, 80).toString(),
    };
    for (const [framing, bytes] of Object.entries(cuts)) {
      let cut = false;
      const server = await serve((socket) => socket.write(bytes, () => ((cut = true), socket.destroy())));
      const error = await failureOf(drainedText(await clientOf(server.url).exportReport("7")));
      expect(cut).toBe(true);
      expect(error.kind).toBe("network");
      expect(error.retryable).toBe(true);
      expect(error.message).toContain(
        framing === "length"
          ? `was cut short (100 of the ${csv.length} bytes its Content-Length announced)`
          : "was cut short (it ended inside its chunked body",
      );
    }
  });

  it("bad chunk framing: a network error that says so", async () => {
    const server = await serve((socket) =>
      socket.end(csvHead("transfer-encoding: chunked\r\n") + "5\r\nemail,opens\r\n0\r\n\r\n"),
    );
    const error = await failureOf(drainedText(await clientOf(server.url).exportReport("7")));
    expect(server.requests).toHaveLength(1);
    expect(error.kind).toBe("network");
    expect(error.message).toContain("a chunk longer than its size");
  });

  it("bytes past the Content-Length, at once or later on a connection the server keeps open: refused", async () => {
    for (const later of [false, true]) {
      let extraSent = false;
      const server = await serve((socket) => {
        socket.write(csvHead(`content-length: ${csv.length}\r\nconnection: keep-alive\r\n`) + csv);
        const extra = () => socket.write("c99@x.com,9\r\n", () => (extraSent = true));
        if (later) setTimeout(extra, 100);
        else extra();
      });
      const error = await failureOf(drainedText(await clientOf(server.url).exportReport("7")));
      expect(extraSent).toBe(true);
      expect(error.kind).toBe("protocol");
      expect(error.message).toContain("sent bytes past the end of its answer");
    }
  });

  it("a server that keeps the connection open after a whole answer: the body is whole, and oq closes it", async () => {
    const server = await serve((socket) =>
      socket.write(csvHead(`content-length: ${csv.length}\r\nconnection: keep-alive\r\n`) + csv),
    );
    expect(await drainedText(await clientOf(server.url).exportReport("7"))).toBe(csv);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Closed by oq (after its grace period), not by the server, which never ended its side.
    expect(server.closedEarly).toBe(1);
  });

  it("an empty body on a connection the server keeps open: over after the grace period, not the idle timeout", async () => {
    const server = await serve((socket) =>
      socket.write(csvHead("content-length: 0\r\nconnection: keep-alive\r\n")),
    );
    const started = Date.now();
    expect(await drainedText(await clientOf(server.url, { idleTimeoutMs: 10_000 }).exportReport("7"))).toBe(
      "",
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(server.requests).toHaveLength(1);
  });

  it("a server that stalls mid-body: the idle timeout, on the client's clock", async () => {
    let stalled = false;
    let received = 0;
    const server = await serve((socket) =>
      socket.write(csvHead(`content-length: ${csv.length}\r\n`) + csv.slice(0, 200), () => (stalled = true)),
    );
    const clock = new FakeClock(Date.parse("2024-06-01T00:00:00Z"), () => !(stalled && received > 0));
    const client = clientOf(server.url, { clock, idleTimeoutMs: 30_000 });
    const started = clock.now();
    const error = await failureOf(
      clock.run(client.exportReport("7").then((body) => body.drain((chunk) => (received += chunk.length)))),
    );
    expect(stalled).toBe(true);
    expect(received).toBe(200);
    expect(error.kind).toBe("timeout");
    expect(error.message).toContain("sent nothing for 30s (the idle timeout)");
    expect(clock.since(started)).toBe(30_000);
  });

  it("stops when its signal aborts mid-body, closing the connection", async () => {
    const server = await serve((socket) =>
      socket.write(csvHead(`content-length: ${csv.length * 2}\r\n`) + csv),
    );
    const controller = new AbortController();
    const body = await clientOf(server.url).exportReport("7", { signal: controller.signal });
    const error = await failureOf(body.drain(() => controller.abort()));
    expect(error.kind).toBe("aborted");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.closedEarly).toBe(1);
  });

  it("leaves an answer it does not read to node:http, which is asked again: a body without a length", async () => {
    const server = await serve((socket, index) => {
      socket.write(csvHead(""));
      // The first time, the lean reader gives up at the head (the server sees it close).
      if (index === 0) socket.on("close", () => undefined);
      else socket.end(csv);
    });
    const noted = notingTransport();
    const client = clientOf(server.url, { transport: noted.transport });
    expect(await drainedText(await client.exportReport("7"))).toBe(csv);
    expect(noted.lean).toEqual([false]);
    expect(server.requests).toHaveLength(2);
    expect(server.closedEarly).toBe(1);
    // Both requests are counted, as the server saw them (cold test of issue 21: one was).
    expect(client.calls).toBe(2);
  });

  it("sends an answer it does not read again only when the rate window has a place for it", async () => {
    // One call a minute: the export's second request is a second call to the server.
    const clock = new FakeClock(Date.parse("2024-06-01T00:00:00Z"), () => !waiting());
    const seenAt: number[] = [];
    let firstClosed = false;
    const server = await serve((socket, index) => {
      seenAt.push(clock.now());
      socket.write(csvHead(""));
      if (index === 0) socket.on("close", () => (firstClosed = true));
      else socket.end(csv);
    });
    // Time may jump only while the client waits on its own clock, between the two requests.
    const waiting = () => firstClosed && server.requests.length === 1;
    const client = clientOf(server.url, { clock, callsPerMinute: 1, rateWindowMs: 60_000 });
    expect(await clock.run(client.exportReport("7").then(drainedText))).toBe(csv);
    expect(server.requests).toHaveLength(2);
    expect(seenAt[1]! - seenAt[0]!).toBeGreaterThanOrEqual(60_000);
    expect(client.calls).toBe(2);
  });

  it("leaves a compressed answer to node:http, which refuses it as before", async () => {
    const server = await serve((socket) =>
      socket.end(csvHead(`content-encoding: gzip\r\ncontent-length: ${csv.length}\r\n`) + csv),
    );
    await drainedText(await clientOf(server.url).exportReport("7")).catch(() => undefined);
    expect(server.requests).toHaveLength(2);
  });

  it("reads an export over TLS (a self-signed server, trusted by its certificate)", async () => {
    const cert = readFileSync(new URL("./fixtures/selfSigned.cert.pem", import.meta.url));
    const key = readFileSync(new URL("./fixtures/selfSigned.key.pem", import.meta.url));
    const requests: string[] = [];
    const server = createHttpsServer({ cert, key }, (req, res) => {
      requests.push(`${req.method} ${req.url} ${req.headers.connection}`);
      res.writeHead(200, { "content-type": "text/csv" });
      res.end(csv.repeat(200));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push({ close: () => new Promise((resolve) => server.close(() => resolve())) });
    const url = `https://localhost:${(server.address() as AddressInfo).port}`;
    const noted = notingTransport(nodeTransport(10, { ca: cert }));
    const client = clientOf(url, { transport: noted.transport });
    expect(await drainedText(await client.exportReport("7"))).toBe(csv.repeat(200));
    expect(noted.lean).toEqual([true]);
    expect(requests).toEqual(["GET /api/contact_activity/7/export close"]);
    // Without the certificate trusted, the lean reader refuses the server as node:https does.
    const error = await failureOf(clientOf(url).exportReport("7"));
    expect(error.kind).toBe("network");
    expect(requests).toHaveLength(1);
  });
});

describe("a plan's parts", () => {
  it("are downloaded through the lean reader too", async () => {
    let lean: boolean[] = [];
    const noting = (toSandbox: Transport): Transport => {
      const noted = notingTransport(toSandbox);
      lean = noted.lean;
      return noted.transport;
    };
    const wired = await fakeTimeSandbox({ buildTimeMs: 0 }, {}, noting);
    servers.push(wired.sandbox);
    const out = join(outFolder(), "plan.csv");
    const summary = await wired.clock.run(
      runPlan({
        client: wired.client,
        plan: gmailOrOpenersPlan,
        destination: { kind: "file", path: out },
        pollIntervalMs: 20,
      }),
    );
    expect(summary.ok).toBe(true);
    expect(lean).toEqual([true, true]);
    expect(readFileSync(out, "utf8")).toMatch(/^email,opens\r?\n/);
  });
});
