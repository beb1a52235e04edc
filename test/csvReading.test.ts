import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { oqRecoveryCommands } from "../src/app/recoveryCommands.js";
import { headerAuth } from "../src/client/auth.js";
import { OngageClient } from "../src/client/client.js";
import { nodeTransport, type Transport } from "../src/client/transport.js";
import type { ContactSet, QueryPlan } from "../src/emit/planSchema.js";
import { CsvRecordReader } from "../src/runner/csvRecords.js";
import { runPlan, type PlanSummary } from "../src/runner/runPlan.js";
import { runReport, type RunSummary } from "../src/runner/runReport.js";
import { envelope } from "./support/fakeOngage.js";
import { outFolder, request } from "./support/inProcess.js";

/*
 * docs/running.md, "What a CSV is": a plan's parts and a single report's export are read by one
 * CSV reader (src/runner/csvRecords.ts), so what a single run accepts a plan accepts, and what
 * one refuses the other refuses. In process, against an Ongage imitation made here (node:http)
 * whose exports are given byte for byte.
 */

/** An export as the fake sends it: a body with its Content-Type, or bytes written on the socket itself. */
type FakeExport = { body: string; type?: string } | { raw: (socket: Socket) => void };

interface FakeParts {
  url: string;
  created: string[];
  deleted: string[];
  exported: string[];
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/**
 * An Ongage whose reports complete at once; a report's export is `parts[name]` for the report
 * whose title holds `part:name`.
 */
async function fakeParts(parts: Record<string, FakeExport>): Promise<FakeParts> {
  const seen: FakeParts = { url: "", created: [], deleted: [], exported: [] };
  const names = new Map<string, string>();
  server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://x").pathname.replace(/^\/\d+/, "");
      const [, id, exported] = /^\/api\/contact_activity(?:\/(\d+)(\/export)?)?$/.exec(path) ?? [];
      const json = (payload: unknown) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(envelope(payload));
      };
      if (req.method === "POST") {
        const title = (JSON.parse(text) as { title: string }).title;
        const made = String(2000 + seen.created.length);
        names.set(made, Object.keys(parts).find((name) => title.includes(`part:${name}`)) ?? "");
        seen.created.push(made);
        return json({ id: made, status: 2, status_desc: "Completed", title });
      }
      if (id === undefined) return json([]);
      if (req.method === "DELETE") {
        seen.deleted.push(id);
        return json({ id, deleted: true });
      }
      if (!exported) return json({ id, status: 2, status_desc: "Completed", title: "t" });
      seen.exported.push(id);
      const part = parts[names.get(id)!]!;
      if ("raw" in part) return part.raw(req.socket);
      res.writeHead(200, { "content-type": part.type ?? "text/csv; charset=utf-8" });
      res.end(part.body);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  seen.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return seen;
}

function client(url: string, transport?: Transport): OngageClient {
  return new OngageClient({
    auth: headerAuth({ username: "fake-user", password: "fake-password", accountCode: "FAKEACCT" }),
    baseUrl: url,
    listId: "12345",
    backoff: { baseMs: 1, maxMs: 2 },
    ...(transport ? { transport } : {}),
  });
}

/** The request of part `name`: every part selects email and opens. */
const part = (name: string) => ({
  ...request("opens >= 1\nduring 90d\nselect email, opens\n"),
  title: `part:${name}`,
});

async function single(fake: FakeParts, name: string): Promise<{ summary: RunSummary; csv: string }> {
  const csv = join(outFolder(), "q.csv");
  const summary = await runReport({
    client: client(fake.url),
    request: part(name),
    destination: { kind: "file", path: csv },
    pollIntervalMs: 1,
    exportRetries: 0,
    recoveryCommands: oqRecoveryCommands,
  });
  return { summary, csv };
}

async function plan(
  fake: FakeParts,
  names: string[],
  kind: "union" | "intersection" = "intersection",
): Promise<{ summary: PlanSummary; csv: string }> {
  const csv = join(outFolder(), "merged.csv");
  const of: ContactSet[] = names.map((_, report) => ({ kind: "report", report }));
  const queryPlan: QueryPlan = {
    reports: names.map(part),
    combine: { kind, of },
    key: "email",
    columns: ["email", "opens"],
  };
  const summary = await runPlan({
    client: client(fake.url),
    plan: queryPlan,
    destination: { kind: "file", path: csv },
    pollIntervalMs: 1,
    exportRetries: 0,
  });
  return { summary, csv };
}

/** A CSV's records, read with the runtime's reader. */
function records(text: string): string[][] {
  const reader = new CsvRecordReader();
  return [...reader.push(Buffer.from(text)), ...reader.end()];
}

const bom = "\ufeff";

describe("a plan's parts are read as a single run reads its export", () => {
  it("a UTF-8 BOM: a single run saves it as it came; a plan reads through it, and starts with one when its first part does", async () => {
    const withBom = `${bom}email,opens\r\na@x.com,1\r\nb@x.com,2\r\n`;
    const without = "email,opens\r\nb@x.com,2\r\nc@x.com,3\r\n";
    const fake = await fakeParts({ bom: { body: withBom }, plain: { body: without } });

    const one = await single(fake, "bom");
    expect(one.summary).toMatchObject({ ok: true, rows: 2, deleted: true });
    expect(readFileSync(one.csv, "utf8")).toBe(withBom);

    const plainFirst = await plan(fake, ["plain", "bom"]);
    expect(plainFirst.summary.error).toBeUndefined();
    expect(plainFirst.summary).toMatchObject({ ok: true, rows: 1, deleted: true });
    expect(readFileSync(plainFirst.csv, "utf8")).toBe("email,opens\r\nb@x.com,2\r\n");

    const bomFirst = await plan(fake, ["bom", "plain"]);
    expect(bomFirst.summary).toMatchObject({ ok: true, rows: 1 });
    expect(readFileSync(bomFirst.csv, "utf8")).toBe(`${bom}email,opens\r\nb@x.com,2\r\n`);
  });

  it("a header in other letter cases (Ongage's may differ from the fields asked for) is read by name, in a single run and a plan", async () => {
    const fake = await fakeParts({
      upper: { body: "EMAIL,Opens\r\na@x.com,1\r\nb@x.com,2\r\n" },
      lower: { body: "opens,email\r\n2,b@x.com\r\n" },
    });
    expect((await single(fake, "upper")).summary).toMatchObject({ ok: true, rows: 2 });
    const merged = await plan(fake, ["upper", "lower"]);
    expect(merged.summary.error).toBeUndefined();
    // The merged header is the plan's columns, as the query names them.
    expect(records(readFileSync(merged.csv, "utf8"))).toEqual([
      ["email", "opens"],
      ["b@x.com", "2"],
    ]);
  });

  it("keys are the fields' values: a quoted key and a bare one, and an email in other letter cases, are one contact, spelt as in the row kept", async () => {
    const fake = await fakeParts({
      a: { body: 'email,opens\r\n"b@x.com",2\r\nC@X.com,5\r\nd@x.com,1\r\n' },
      b: { body: 'email,opens\r\nb@x.com,2\r\nc@x.com,5\r\n"e@x.com",1\r\n' },
    });
    const both = await plan(fake, ["a", "b"]);
    expect(both.summary).toMatchObject({ ok: true, rows: 2 });
    expect(both.summary.merge.contacts).toBe(2);
    // An intersection takes its rows from its first member, bytes as they came.
    expect(readFileSync(both.csv, "utf8")).toBe('email,opens\r\n"b@x.com",2\r\nC@X.com,5\r\n');
    const either = await plan(fake, ["b", "a"], "union");
    expect(records(readFileSync(either.csv, "utf8"))).toEqual([
      ["email", "opens"],
      ["b@x.com", "2"],
      ["c@x.com", "5"],
      ["e@x.com", "1"],
      ["d@x.com", "1"],
    ]);
  });

  it("a row without the key (a short row) fails the plan, naming the report and the line; every report is deleted", async () => {
    const fake = await fakeParts({
      good: { body: "email,opens\r\nb@x.com,2\r\n" },
      short: { body: "opens,email\r\n2,b@x.com\r\n7\r\n3,c@x.com\r\n" },
    });
    const merged = await plan(fake, ["good", "short"], "union");
    expect(merged.summary.ok).toBe(false);
    expect(merged.summary.error).toMatch(
      /^report 2 of 2 \(\d+\): .*the row at line 3 has 1 field where the header has 2/,
    );
    expect(merged.summary.error).toContain(`(${merged.summary.reports[1]!.reportId})`);
    expect(existsSync(merged.csv)).toBe(false);
    expect(fake.deleted.sort()).toEqual([...fake.created].sort());
    expect(merged.summary.deleted).toBe(true);
  });
});

describe("an export that is not a CSV of the report's columns is refused", () => {
  const tryLater = { body: "Report is being generated, try later", type: "text/plain; charset=utf-8" };

  it("200 text/plain 'try later': a single run saves nothing and keeps the report, saying how to fetch it", async () => {
    const fake = await fakeParts({ later: tryLater });
    const { summary, csv } = await single(fake, "later");
    expect(fake.exported).toHaveLength(1);
    expect(summary.ok).toBe(false);
    expect(summary.error).toMatch(/not a CSV of the report's columns: its first line has no column email/);
    expect(summary.error).toMatch(
      /report 2000 is kept in Ongage: fetch its CSV with: oq reports export 2000/,
    );
    expect(summary).toMatchObject({ deleted: false, exportCommand: expect.any(String) });
    expect(fake.deleted).toEqual([]);
    expect(existsSync(csv)).toBe(false);
    expect(readdirSync(join(csv, ".."))).toEqual([]);
  });

  it("the same as a part of a plan: the plan fails naming the part, and every report is deleted", async () => {
    const fake = await fakeParts({ good: { body: "email,opens\r\nb@x.com,2\r\n" }, later: tryLater });
    const { summary, csv } = await plan(fake, ["good", "later"], "union");
    expect(summary.ok).toBe(false);
    expect(summary.error).toMatch(
      /^report 2 of 2 \(\d+\): .*not a CSV of the report's columns: its first line has no column email/,
    );
    expect(existsSync(csv)).toBe(false);
    expect(fake.deleted.sort()).toEqual([...fake.created].sort());
  });
});

describe("a Content-Length that ends before the body does", () => {
  const body = "email,opens\r\na@x.com,1\r\nb@x.com,2\r\n";
  // Ends between two rows, and inside the last field of a row: either looks like a whole CSV.
  // The rest comes in the same write (node's parser sees it), or a moment later (only the
  // connection does).
  for (const [where, announced] of [
    ["between two rows", "email,opens\r\na@x.com,1\r\n".length],
    ["inside the last field of a row", "email,opens\r\na@x.com,1\r\nb@x.com,".length],
  ] as const)
    for (const later of [false, true])
      it(`${where}, the rest ${later ? "a moment later" : "at once"}: the rows past it are not dropped in silence, the run fails and saves nothing`, async () => {
        let sent = 0;
        const fake = await fakeParts({
          lying: {
            raw: (socket) => {
              const head = `HTTP/1.1 200 OK\r\ncontent-type: text/csv\r\ncontent-length: ${announced}\r\n\r\n`;
              if (!later) return void socket.end(head + body, () => sent++);
              socket.write(head + body.slice(0, announced));
              setTimeout(() => socket.end(body.slice(announced), () => sent++), 50);
            },
          },
        });
        const { summary, csv } = await single(fake, "lying");
        // The fault happened: the whole body went out, past the announced length.
        expect(sent).toBe(1);
        expect(summary.ok).toBe(false);
        expect(summary.error).toMatch(/past the end of its answer/);
        expect(existsSync(csv)).toBe(false);
      });

  it("a server that keeps the connection open after the answer: the body is taken once oq closes it", async () => {
    let closedByClient = false;
    const fake = await fakeParts({
      open: {
        raw: (socket) => {
          socket.on("close", () => (closedByClient = true));
          socket.write(
            `HTTP/1.1 200 OK\r\ncontent-type: text/csv\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
          );
        },
      },
    });
    const { summary, csv } = await single(fake, "open");
    expect(summary).toMatchObject({ ok: true, rows: 2 });
    expect(closedByClient).toBe(true);
    expect(readFileSync(csv, "utf8")).toBe(body);
  });

  it("a body shorter than its Content-Length, from a transport that does not check it, is cut short", async () => {
    const fake = await fakeParts({ whole: { body } });
    let exports = 0;
    // A transport that hands over a body without holding it to its Content-Length.
    const lax =
      (inner: Transport): Transport =>
      async (call) => {
        const response = await inner(call);
        if (!call.url.endsWith("/export")) return response;
        exports++;
        return {
          status: 200,
          header: (name) => {
            const headers: Record<string, string> = {
              "content-type": "text/csv",
              "content-length": String(body.length + 20),
            };
            return headers[name.toLowerCase()] ?? null;
          },
          body: Readable.from([Buffer.from(body)]),
        };
      };
    const csv = join(outFolder(), "q.csv");
    const summary = await runReport({
      client: client(fake.url, lax(nodeTransport())),
      request: part("whole"),
      destination: { kind: "file", path: csv },
      pollIntervalMs: 1,
      exportRetries: 0,
    });
    expect(exports).toBe(1);
    expect(summary.ok).toBe(false);
    expect(summary.error).toContain(
      `cut short (${body.length} of the ${body.length + 20} bytes its Content-Length announced)`,
    );
    expect(existsSync(csv)).toBe(false);
  });
});
