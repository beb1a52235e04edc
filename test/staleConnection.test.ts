import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { headerAuth } from "../src/client/auth.js";
import { OngageClient, type ClientEvent } from "../src/client/client.js";
import { runReport } from "../src/runner/runReport.js";
import { outFolder, request } from "./support/inProcess.js";
import { testCredentials } from "./support/sandbox.js";

/*
 * A kept-alive connection that the server closes just as the next request goes out on it: the
 * request is lost without an answer (ECONNRESET). Node's agent may hand out such a socket, and
 * after a pause (a long poll) every idle socket of the pool may be one. The fake Ongage here
 * resets every socket that already served a request as soon as the next one arrives on it, and
 * records it, so each test can check the reset happened on a reused socket.
 */

interface Arrival {
  method: string;
  path: string;
  /** The socket had served a request before (a kept-alive one reused). */
  reused: boolean;
  reset: boolean;
}

interface FakeOngage {
  url: string;
  arrivals: Arrival[];
  /** Reset each reused socket as the next request arrives on it. */
  resetReused: boolean;
  reports: Map<string, { title: string; deleted: boolean }>;
  close(): Promise<void>;
}

const envelope = (payload: unknown) => JSON.stringify({ metadata: { error: false }, payload });

async function fakeOngage(): Promise<FakeOngage> {
  const served = new WeakMap<Socket, number>();
  const sockets = new Set<Socket>();
  let nextId = 1000;
  const fake = { arrivals: [] as Arrival[], resetReused: false, reports: new Map() } as FakeOngage;
  const answer = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const path = new URL(req.url!, "http://x").pathname.replace(/^\/\d+\/api\//, "");
    if (req.method === "POST" && path === "contact_activity") {
      const id = String(nextId++);
      const { title } = JSON.parse(body) as { title: string };
      fake.reports.set(id, { title, deleted: false });
      return res.end(envelope({ id, status: 2, title }));
    }
    const live = [...fake.reports].filter(([, report]) => !report.deleted);
    if (req.method === "GET" && path === "contact_activity")
      return res.end(envelope(live.map(([id, { title }]) => ({ id, status: 2, title }))));
    if (req.method === "GET" && path === "list_fields") return res.end(envelope([]));
    const [, id, rest] = /^contact_activity\/(\d+)(\/export)?$/.exec(path) ?? [];
    const report = id === undefined ? undefined : fake.reports.get(id);
    if (!report || report.deleted) {
      res.statusCode = 404;
      return res.end(JSON.stringify({ metadata: { error: true }, payload: { code: 404 } }));
    }
    if (req.method === "GET" && rest) {
      res.setHeader("content-type", "text/csv");
      return res.end("email\r\na@example.com\r\nb@example.com\r\n");
    }
    if (req.method === "GET") return res.end(envelope({ id, status: 2, title: report.title }));
    if (req.method === "DELETE") {
      report.deleted = true;
      return res.end(envelope({ id }));
    }
    res.statusCode = 405;
    res.end();
  };
  const server: Server = createServer((req, res) => {
    const socket = req.socket;
    const reused = (served.get(socket) ?? 0) > 0;
    const arrival = { method: req.method!, path: req.url!, reused, reset: false };
    fake.arrivals.push(arrival);
    if (fake.resetReused && reused) {
      // As if its keep-alive timeout had closed it just as the request went out: no answer.
      arrival.reset = true;
      socket.resetAndDestroy();
      return;
    }
    served.set(socket, (served.get(socket) ?? 0) + 1);
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => answer(req, res, body));
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return fake;
}

let fake: FakeOngage | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function clientOf(server: FakeOngage, events: ClientEvent[] = []): OngageClient {
  return new OngageClient({
    auth: headerAuth(testCredentials),
    baseUrl: server.url,
    listId: "12345",
    backoff: { baseMs: 1, maxMs: 5 },
    createLookupMs: 50,
    onEvent: (event) => events.push(event),
  });
}

/** Fills the client's pool with `count` kept-alive sockets (calls answered together, so on as many sockets). */
async function warmSockets(client: OngageClient, count: number): Promise<void> {
  await Promise.all(Array.from({ length: count }, () => client.listFields()));
}

describe("a kept-alive socket closed by the server as the next request goes out on it", () => {
  it("GET: sent again at once on a new connection, without using up a retry, however many idle sockets went stale", async () => {
    fake = await fakeOngage();
    const events: ClientEvent[] = [];
    const client = clientOf(fake, events);
    await warmSockets(client, 8);
    fake.resetReused = true;
    // More stale sockets in the pool (8) than the call has tries (6).
    const fields = await client.listFields();
    expect(fields).toEqual([]);
    const resets = fake.arrivals.filter((arrival) => arrival.reset);
    expect(resets.length).toBeGreaterThanOrEqual(1);
    expect(resets.every((arrival) => arrival.reused && arrival.method === "GET")).toBe(true);
    expect(events.filter((event) => event.type === "retry")).toEqual([]);
  });

  it("the create POST goes on a connection of its own, so the run succeeds with one report made and deleted", async () => {
    fake = await fakeOngage();
    const client = clientOf(fake);
    await warmSockets(client, 3);
    fake.resetReused = true;
    const dir = outFolder();
    const summary = await runReport({
      client,
      // The columns the fake's export has.
      request: request('email ends "example.com" select email'),
      destination: { kind: "file", path: join(dir, "q.csv") },
      pollIntervalMs: 5,
    });
    // The fault happened: reused sockets were reset as requests arrived on them.
    expect(fake.arrivals.some((arrival) => arrival.reset && arrival.reused)).toBe(true);
    expect(summary.error).toBeUndefined();
    expect(summary).toMatchObject({ ok: true, deleted: true, leftBehind: [] });
    expect(summary.unaccountedCreates).toBeUndefined();
    expect(readFileSync(join(dir, "q.csv"), "utf8")).toBe("email\r\na@example.com\r\nb@example.com\r\n");
    const creates = fake.arrivals.filter((arrival) => arrival.method === "POST");
    expect(creates).toEqual([
      { method: "POST", path: "/12345/api/contact_activity", reused: false, reset: false },
    ]);
    expect([...fake.reports.values()]).toEqual([expect.objectContaining({ deleted: true })]);
  });
});
