import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { AddressInfo } from "node:net";
import { sleep } from "../client/sleep.js";
import { ContactList, sandboxCustomFields } from "./data.js";
import type { BadCreateAnswer, Faults } from "./faults.js";
import { aggregatedCsv, describeReport, detailedCsv, statusOf, validateRequest, type Report } from "./reports.js";

/*
 * A local server that speaks Ongage's contact-activity API over a generated contact list:
 * the same paths (with the list id prefix), auth headers, envelope, string ids and statuses,
 * rate limits, and reports that stay pending for a while. docs/sandbox.md describes it.
 */

export interface SandboxCredentials {
  username: string;
  password: string;
  accountCode: string;
}

export const defaultSandboxCredentials: SandboxCredentials = { username: "sandbox", password: "sandbox-secret", accountCode: "SANDBOX" };

export interface SandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  contacts?: number;
  seed?: number;
  /** The data's "now", Unix seconds. Default: the clock at start. */
  now?: number;
  /** How long a report stays pending, in milliseconds. */
  buildTimeMs?: number;
  listId?: string;
  credentials?: SandboxCredentials;
  callsPerMinute?: number;
  /** The window callsPerMinute counts over, in ms (default 60 s; a small one is for tests). */
  rateWindowMs?: number;
  maxInFlight?: number;
  /** The largest request body accepted, in bytes (default 1 MB); past it, 413 without reading the rest. */
  maxBodyBytes?: number;
  faults?: Faults;
}

export interface SandboxStats {
  requests: number;
  byRoute: Record<string, number>;
  reportsCreated: number;
  reportsDeleted: number;
  maxInFlight: number;
  rateLimited: number;
  /** The most requests that arrived within one window (rateWindowMs), over any window, 429s included. */
  maxCallsInWindow: number;
  /** Requests refused with 413 for a body past maxBodyBytes. */
  tooLarge: number;
  /** Requests the html-echo, stall-headers, no-answer and trickle faults were applied to. */
  htmlEchoes: number;
  stalled: number;
  unanswered: number;
  trickled: number;
  /** Requests answered 503 by the serverErrors fault. */
  serverErrors: number;
  /** Creates stored and then left unanswered by the dropCreateAfterCommit fault. */
  droppedCreates: number;
}

export interface Sandbox {
  url: string;
  listId: string;
  credentials: SandboxCredentials;
  contacts: ContactList;
  stats: SandboxStats;
  /** Reports not deleted yet. */
  liveReports(): Report[];
  /** Change the faults while running. */
  faults: Faults;
  close(): Promise<void>;
}

const chunkBytes = 64 * 1024;

function envelope(res: ServerResponse, status: number, payload: unknown, total?: number): void {
  const metadata: Record<string, unknown> = { error: false };
  if (total !== undefined) metadata["total"] = total;
  const body = JSON.stringify({ metadata, payload });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function failure(res: ServerResponse, status: number, message: string, errors: string[] = [], headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ metadata: { error: true }, payload: { code: status, message, errors } });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** The request body, or undefined when it is past `limit` bytes (the rest is left unread). */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
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
function tooLarge(res: ServerResponse, limit: number): void {
  failure(res, 413, "Request Entity Too Large", [`the request body is larger than ${limit} bytes`], { connection: "close" });
}

/** A debugging page of the kind a misconfigured proxy serves: every request header, in several encodings. */
function headerEchoPage(req: IncomingMessage): string {
  const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const headers = Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : (value ?? "")] as const);
  const rows = headers.map(([name, value]) => `<tr><td>${escape(name)}</td><td>${escape(value)}</td><td>${value}</td><td>${encodeURIComponent(value)}</td></tr>`).join("\n");
  const user = req.headers["x_username"];
  const password = req.headers["x_password"];
  const basic = typeof user === "string" && typeof password === "string" ? `<p>Authorization: Basic ${Buffer.from(`${user}:${password}`).toString("base64")}</p>` : "";
  return `<html><body><h1>502 Bad Gateway</h1><table>
${rows}
</table>
<p>The upstream server did not answer. Request: ${escape(req.method ?? "")} ${escape(req.url ?? "")}</p>
${basic}
<script>var request = ${JSON.stringify({ headers: Object.fromEntries(headers) })};</script>
</body></html>
`;
}

/** A create's answer spoiled as `kind` says (the report was stored all the same). */
function badCreateAnswer(req: IncomingMessage, res: ServerResponse, kind: BadCreateAnswer, report: Record<string, string>): void {
  const good = JSON.stringify({ metadata: { error: false }, payload: report });
  const send = (body: string | Buffer, headers: Record<string, string | number> = {}) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers });
    res.end(body);
  };
  switch (kind) {
    case "html":
      return send("<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>", { "content-type": "text/html" });
    case "truncated":
      return send(good.slice(0, Math.floor(good.length / 2)));
    case "lying-length":
      // Promises more than it sends, then hangs up.
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(good) + 100 });
      res.write(good);
      setTimeout(() => req.socket.destroy(), 20);
      return;
    case "gzip":
      return send(gzipSync(good), { "content-encoding": "gzip" });
    case "shape":
      return send(JSON.stringify({ metadata: { error: false }, payload: { report: report } }));
    case "empty-id":
      return send(JSON.stringify({ metadata: { error: false }, payload: { ...report, id: "" } }));
  }
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

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const credentials = options.credentials ?? defaultSandboxCredentials;
  const listId = options.listId ?? "12345";
  const contacts = new ContactList({
    contacts: options.contacts ?? 2000,
    seed: options.seed ?? 1,
    anchor: options.now ?? Math.floor(Date.now() / 1000),
  });
  const buildTimeMs = options.buildTimeMs ?? 2000;
  const callsPerMinute = options.callsPerMinute ?? 300;
  const rateWindowMs = options.rateWindowMs ?? 60_000;
  const maxInFlight = options.maxInFlight ?? 10;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const faults: Faults = { ...options.faults };
  const reports = new Map<number, Report>();
  /** Uses up one of a counted fault: whether it happens this time. */
  const takeFault = (name: "exportEnvelope" | "exportHtml" | "exportGzip" | "exportCutRow"): boolean => {
    if (!faults[name]) return false;
    faults[name]--;
    return true;
  };
  let nextId = 1000;
  let inFlight = 0;
  const recentCalls: number[] = [];
  const arrivals: number[] = [];
  const stats: SandboxStats = {
    requests: 0,
    byRoute: {},
    reportsCreated: 0,
    reportsDeleted: 0,
    maxInFlight: 0,
    rateLimited: 0,
    maxCallsInWindow: 0,
    tooLarge: 0,
    htmlEchoes: 0,
    stalled: 0,
    unanswered: 0,
    trickled: 0,
    serverErrors: 0,
    droppedCreates: 0,
  };

  /** Counts every request in a sliding window, as Ongage measures calls per minute. */
  const countArrival = () => {
    const now = Date.now();
    while (arrivals.length > 0 && arrivals[0]! <= now - rateWindowMs) arrivals.shift();
    arrivals.push(now);
    stats.maxCallsInWindow = Math.max(stats.maxCallsInWindow, arrivals.length);
  };

  /**
   * The faults that make a server hang or lie about everything; true if one answered (or
   * deliberately did not answer) the request.
   */
  const misbehave = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!faults.noAnswer && !faults.stallHeaders && !faults.trickleMs && !faults.htmlEcho) return false;
    req.resume();
    if (faults.noAnswer) {
      faults.noAnswer--;
      stats.unanswered++;
      return true;
    }
    if (faults.stallHeaders) {
      faults.stallHeaders--;
      stats.stalled++;
      // An export stalls as a CSV would (oq reads a JSON answer to an export as an error envelope).
      const type = /\/export(_detailed)?(\?|$)/.test(req.url ?? "") ? "text/csv" : "application/json";
      res.writeHead(200, { "content-type": type, "content-length": "100000" });
      res.flushHeaders();
      return true;
    }
    if (faults.trickleMs) {
      stats.trickled++;
      const socket = req.socket;
      const bytes = Buffer.from("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-padding: " + "x".repeat(1_000_000));
      let sent = 0;
      const timer = setInterval(() => {
        if (socket.destroyed || sent >= bytes.length) return clearInterval(timer);
        socket.write(bytes.subarray(sent, ++sent));
      }, faults.trickleMs);
      socket.once("close", () => clearInterval(timer));
      return true;
    }
    if (faults.htmlEcho) {
      faults.htmlEcho--;
      stats.htmlEchoes++;
      const page = headerEchoPage(req);
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(page) });
      res.end(page);
      return true;
    }
    return false;
  };

  const authorized = (req: IncomingMessage) =>
    req.headers["x_username"] === credentials.username &&
    req.headers["x_password"] === credentials.password &&
    req.headers["x_account_code"] === credentials.accountCode;

  const rateLimited = (res: ServerResponse, retryAfter: number | undefined) => {
    stats.rateLimited++;
    failure(res, 429, "Calls per minute exceeded", [], retryAfter === undefined ? {} : { "retry-after": String(retryAfter) });
  };

  /**
   * Streams an export in chunks of about 64 KB with back-pressure, applying the faults that
   * concern exports. `body` yields text or bytes, and null for "let other requests run".
   */
  async function streamCsv(req: IncomingMessage, res: ServerResponse, body: AsyncIterable<string | Buffer | null> | Iterable<string | null>): Promise<void> {
    if (takeFault("exportEnvelope")) return failure(res, 200, "Export failed: the report file is not available", []);
    if (takeFault("exportHtml")) {
      const page = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>\n";
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(page) });
      return void res.end(page);
    }
    if (takeFault("exportGzip")) {
      const chunks: Buffer[] = [];
      for await (const piece of body) if (piece !== null) chunks.push(Buffer.isBuffer(piece) ? piece : Buffer.from(piece));
      const zipped = gzipSync(Buffer.concat(chunks));
      res.writeHead(200, { "content-type": "text/csv; charset=utf-8", "content-length": zipped.length });
      return void res.end(zipped);
    }
    res.writeHead(200, { "content-type": "text/csv; charset=utf-8" });
    let cutAfter = faults.dropExportAfterBytes;
    if (cutAfter !== undefined) delete faults.dropExportAfterBytes;
    // Cut-row: end the body cleanly just after the first field of the first row past 1000 bytes.
    let cutRowAfter = takeFault("exportCutRow") ? 1000 : undefined;
    let sent = 0;
    let pending: (string | Buffer)[] = [];
    let pendingBytes = 0;
    let closed = false;
    res.on("close", () => (closed = true));
    const flush = async () => {
      const bytes = pending.length === 1 && Buffer.isBuffer(pending[0]) ? pending[0] : Buffer.concat(pending.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))));
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
      if (faults.slowBodyMs) await sleep(faults.slowBodyMs);
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

  /**
   * While a report is pending, its aggregated CSV is written to a file, as Ongage builds a
   * report before it can be exported; exports then stream that file, however large, quickly.
   */
  async function render(report: Report): Promise<void> {
    const path = join(workDirectory, `report-${report.id}.csv`);
    const out = createWriteStream(path);
    let buffered = "";
    try {
      for (const piece of aggregatedCsv(report.request, contacts)) {
        if (!reports.has(report.id)) break; // deleted while building
        if (piece === null) {
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        buffered += piece;
        if (buffered.length >= chunkBytes) {
          if (!out.write(buffered)) await once(out, "drain");
          buffered = "";
        }
      }
      out.end(buffered);
      await once(out, "close");
      if (reports.has(report.id)) report.file = path;
      else await rm(path, { force: true });
    } catch (error) {
      out.destroy();
      await rm(path, { force: true });
      report.failed = true;
      report.file = undefined;
      throw error;
    } finally {
      report.built = true;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const match = /^\/(?:([^/]+)\/)?api\/(contact_activity|list_fields)(?:\/(\d+)(?:\/(export|export_detailed))?)?\/?$/.exec(url.pathname);
    const route = match ? `${req.method} ${match[2]}${match[3] ? "/:id" : ""}${match[4] ? `/${match[4]}` : ""}` : `${req.method} ?`;
    stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;

    if (!authorized(req)) return failure(res, 401, "Unauthorized", ["X_USERNAME, X_PASSWORD and X_ACCOUNT_CODE do not match an account"]);
    if (!match || (match[1] !== undefined && match[1] !== listId)) return failure(res, 404, "Not Found", [`no such resource: ${url.pathname}`]);

    if (faults.rateLimitBurst) {
      faults.rateLimitBurst--;
      return rateLimited(res, faults.omitRetryAfter ? undefined : (faults.retryAfterSeconds ?? 1));
    }
    const now = Date.now();
    while (recentCalls.length > 0 && recentCalls[0]! <= now - rateWindowMs) recentCalls.shift();
    if (recentCalls.length >= callsPerMinute) return rateLimited(res, Math.max(1, Math.ceil((recentCalls[0]! + rateWindowMs - now) / 1000)));
    recentCalls.push(now);
    if ((req.method === "GET" || req.method === "DELETE") && faults.serverErrors) {
      faults.serverErrors--;
      stats.serverErrors++;
      return failure(res, 503, "Service Unavailable");
    }

    const [, , resource, idText, exportKind] = match;
    if (resource === "list_fields") {
      if (req.method !== "GET") return failure(res, 405, "Method Not Allowed");
      const fields = [{ name: "email", type: "email" }, ...Object.entries(sandboxCustomFields).map(([name, type]) => ({ name, type, ...(type === "date" ? { format: "yyyy-mm-dd" } : {}) }))];
      return envelope(res, 200, fields, fields.length);
    }

    if (idText === undefined) {
      if (req.method === "POST") {
        const text = await readBody(req, maxBodyBytes);
        if (text === undefined) {
          stats.tooLarge++;
          return tooLarge(res, maxBodyBytes);
        }
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return failure(res, 400, "Bad Request", ["the body is not JSON"]);
        }
        const { request, errors } = validateRequest(body);
        if (!request) return failure(res, 412, "Precondition Failed", errors);
        if (faults.delayedStoreMs !== undefined) {
          // Stored late, whether or not the client is still waiting.
          const delay = faults.delayedStoreMs;
          delete faults.delayedStoreMs;
          await sleep(delay);
        }
        if (faults.truncateTitles !== undefined) request.title = request.title.slice(0, faults.truncateTitles);
        const report: Report = {
          id: nextId++,
          request,
          createdAt: Date.now(),
          readyAt: faults.neverComplete ? Infinity : Date.now() + buildTimeMs,
          failed: faults.failReports === true,
          built: false,
        };
        reports.set(report.id, report);
        render(report).catch(() => undefined);
        stats.reportsCreated++;
        if (faults.dropCreateAfterCommit) {
          faults.dropCreateAfterCommit--;
          stats.droppedCreates++;
          req.socket.destroy();
          return;
        }
        if (faults.createAnswer) {
          const kind = faults.createAnswer;
          delete faults.createAnswer;
          return badCreateAnswer(req, res, kind, describeReport(report, Date.now()));
        }
        return envelope(res, 200, describeReport(report, Date.now()));
      }
      if (req.method === "GET") {
        const sort = url.searchParams.get("sort") ?? "id";
        const order = (url.searchParams.get("order") ?? "DESC").toUpperCase() === "ASC" ? 1 : -1;
        const offset = Number(url.searchParams.get("offset") ?? 0) || 0;
        const limit = Number(url.searchParams.get("limit") ?? 50) || 50;
        const visibleBefore = Date.now() - (faults.lateVisibleMs ?? 0);
        const all = [...reports.values()].filter((report) => report.createdAt <= visibleBefore).map((report) => describeReport(report, Date.now()));
        const key = (r: Record<string, string>) => (sort === "title" ? r["title"]! : Number(r[sort] ?? r["id"]));
        all.sort((a, b) => (key(a) < key(b) ? -order : key(a) > key(b) ? order : 0));
        return envelope(res, 200, all.slice(offset, offset + limit), all.length);
      }
      return failure(res, 405, "Method Not Allowed");
    }

    const report = reports.get(Number(idText));
    if (!report) return failure(res, 404, "Not Found", [`no contact activity report ${idText}`]);
    if (req.method === "DELETE" && !exportKind) {
      if (faults.hangDeletes) {
        // Never answered; the connection stays open until the client gives up.
        faults.hangDeletes--;
        return;
      }
      reports.delete(report.id);
      if (report.file) await rm(report.file, { force: true });
      stats.reportsDeleted++;
      return envelope(res, 200, { id: String(report.id), deleted: true });
    }
    if (req.method !== "GET") return failure(res, 405, "Method Not Allowed");
    if (!exportKind) return envelope(res, 200, describeReport(report, Date.now()));
    if (statusOf(report, Date.now()) !== 2) return failure(res, 412, "Precondition Failed", [`report ${report.id} is not completed`]);
    if (exportKind === "export_detailed") return streamCsv(req, res, detailedCsv(report.request, contacts));
    return streamCsv(req, res, createReadStream(report.file!, { highWaterMark: chunkBytes }));
  }

  const workDirectory = await mkdtemp(join(tmpdir(), "oq-sandbox-"));

  const server: Server = createServer((req, res) => {
    stats.requests++;
    countArrival();
    inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    res.on("close", () => inFlight--);
    if (misbehave(req, res)) return;
    if (inFlight > maxInFlight) {
      req.resume();
      return rateLimited(res, 1);
    }
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) failure(res, 500, "Internal Server Error", [String(error)]);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
    });
  } catch (error) {
    await rm(workDirectory, { recursive: true, force: true });
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    listId,
    credentials,
    contacts,
    stats,
    faults,
    liveReports: () => [...reports.values()],
    close: async () => {
      reports.clear();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await rm(workDirectory, { recursive: true, force: true });
    },
  };
}
