import { existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable, Writable } from "node:stream";
import { brotliCompressSync } from "node:zlib";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { headerAuth } from "../src/client/auth.js";
import { OngageClient } from "../src/client/client.js";
import { OngageError } from "../src/client/errors.js";
import { columnIndexes, namesEveryColumn } from "../src/runner/csvHeader.js";
import type { Transport } from "../src/client/transport.js";
import { ProgressLine } from "../src/app/progress.js";
import { oqRecoveryCommands } from "../src/app/recoveryCommands.js";
import { terminalSafe, terminalSafeJson } from "../src/app/terminalText.js";
import { compile } from "../src/index.js";
import { CsvRecordCounter } from "../src/runner/csvCounter.js";
import { CsvDownload, CsvSaveError } from "../src/runner/csvOutput.js";
import { CsvRecordReader } from "../src/runner/csvRecords.js";
import { runReport } from "../src/runner/runReport.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { testSandbox } from "./support/sandbox.js";
import { until } from "./support/until.js";
import { drainStream, type ByteSource } from "../src/client/byteSource.js";

/*
 * The download's end of the runner, without the command line: what counts as a whole CSV, what is
 * refused, the temporary file's mode, the terminal-safe text helper and the progress line.
 */

function counted(text: string, cuts: number[] = []): CsvRecordCounter {
  const counter = new CsvRecordCounter();
  const bytes = Buffer.from(text);
  let at = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length)]
    .sort((a, b) => a - b)
    .concat(bytes.length)) {
    counter.push(bytes.subarray(at, cut));
    at = cut;
  }
  return counter;
}

describe("CsvRecordCounter.cutShort", () => {
  it("accepts a whole CSV, with or without a final line break, and a header alone", () => {
    for (const text of [
      "a,b,c\r\n1,2,3\r\n4,5,6\r\n",
      "a,b,c\r\n1,2,3\r\n4,5,6",
      'a,b\n1,"x,\r\ny"\n',
      "a,b,c\r\n",
      "a,b,c",
      'a,b\r\n"1,2",3\r\n',
      "a,b\r\n1,2\r\n\r\n",
    ]) {
      expect(counted(text).cutShort(), text).toBeUndefined();
    }
  });

  it("refuses an empty body, an open quoted field, and a last row with another number of fields", () => {
    expect(counted("").cutShort()).toMatch(/empty/);
    expect(counted('a,b\r\n1,"half').cutShort()).toMatch(/inside a quoted field/);
    expect(counted("a,b,c\r\n1,2,3\r\n4,").cutShort()).toMatch(/a row of 2 fields where the header has 3/);
    expect(counted("a,b,c\r\n1,2,3\r\n4,5\r\n").cutShort()).toMatch(
      /a row of 2 fields where the header has 3/,
    );
    expect(counted("a,b\r\n1,2,3\r\n").cutShort()).toMatch(/a row of 3 fields where the header has 2/);
  });

  it("reads the header through a BOM (however the chunks cut it) and by names in any letter case; refuses one without the columns", () => {
    const columns = ["email", "opens"];
    const withColumns = (text: string, cuts: number[] = []) => {
      const counter = new CsvRecordCounter(columns);
      const bytes = Buffer.from(text);
      let at = 0;
      for (const cut of [...cuts, bytes.length]) {
        counter.push(bytes.subarray(at, cut));
        at = cut;
      }
      return counter;
    };
    const bom = "\ufeffEMAIL,Opens\r\na@x.com,1\r\n\r\nb@x.com,2";
    for (const cuts of [[], [1], [1, 2], [2, 3, 4]]) {
      const counter = withColumns(bom, cuts);
      expect(counter.cutShort()).toBeUndefined();
      expect(counter.refusal).toBeUndefined();
      // The blank line is no row.
      expect(counter.rows).toBe(2);
    }
    // Text that is not a CSV of the columns, with or without a line break.
    for (const text of ["Report is being generated, try later", "Report is being generated, try later\r\n"]) {
      const counter = withColumns(text);
      counter.cutShort();
      expect(counter.refusal).toBe(
        "not a CSV of the report's columns: its first line has no column email (the report selects email, opens)",
      );
    }
    expect(withColumns("opens,email,city\r\n1,a@x.com,Paris\r\n").refusal).toBeUndefined();
  });

  it("finds a column by its label (the name's words, one space apart: First Name), never by another word", () => {
    const refusalOf = (text: string) => {
      const counter = new CsvRecordCounter(["email", "first_name"]);
      counter.push(Buffer.from(text));
      counter.cutShort();
      return counter.refusal;
    };
    expect(refusalOf("\ufeffEmail,First Name\r\na@x.com,A\r\n")).toBeUndefined();
    expect(refusalOf("first name,EMAIL\r\nA,a@x.com\r\n")).toBeUndefined();
    // Not its label: other words, or the words apart otherwise.
    for (const header of [
      `Email,First${" ".repeat(3)}Name`,
      "Email, First Name",
      "Email,Last Name",
      "Email,FirstName",
    ])
      expect(refusalOf(`${header}\r\na@x.com,A\r\n`)).toBe(
        "not a CSV of the report's columns: its first line has no column first_name (the report selects email, first_name)",
      );
    // By name first: a column that has both its name and its label is read by its name.
    expect(Array.from(columnIndexes(["First Name", "first_name"], ["first_name"]))).toEqual([1]);
    expect(namesEveryColumn(["Email", "First Name"], ["email", "first_name"])).toBe(false);
  });

  it("gives the same answer however the bytes are split into chunks", () => {
    const row = fc
      .array(fc.oneof(fc.constantFrom("x", "", "a b", '"q,""r"""', '"l\r\nm"')), {
        minLength: 3,
        maxLength: 3,
      })
      .map((fields) => fields.join(","));
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 6 }),
        fc.array(fc.nat(200)),
        fc.nat(200),
        (rows, cuts, truncate) => {
          const text = ["h1,h2,h3", ...rows].join("\r\n") + "\r\n";
          expect(counted(text, cuts).cutShort()).toBeUndefined();
          const short = text.slice(0, truncate);
          expect(counted(short, cuts).cutShort()).toBe(counted(short).cutShort());
        },
      ),
    );
  });
});

describe("the CSV reader, however the bytes are cut", () => {
  /** Records and row counts of `bytes` read in pieces cut at `cuts`, each piece in a buffer reused afterwards. */
  function read(
    bytes: Buffer,
    cuts: number[],
  ): { records: string[][]; rows: number; cut: string | undefined } {
    const reader = new CsvRecordReader();
    const counter = new CsvRecordCounter();
    const records: string[][] = [];
    const bounds = [
      0,
      ...cuts.filter((cut) => cut > 0 && cut < bytes.length).sort((a, b) => a - b),
      bytes.length,
    ];
    for (let i = 0; i + 1 < bounds.length; i++) {
      const piece = Buffer.from(bytes.subarray(bounds[i], bounds[i + 1]));
      records.push(...reader.push(piece));
      counter.push(piece);
      piece.fill(0x41);
    }
    records.push(...reader.end());
    return { records, rows: counter.rows, cut: counter.cutShort() };
  }

  it("reads the same records, rows and verdict as from one piece (quotes, line feeds in quotes, CRLF, blank lines, a BOM)", () => {
    const text = fc
      .array(fc.constantFrom("a", "é", ",", '"', '""', "\n", "\r\n", "\n\n", '"x\ny"'), { maxLength: 40 })
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.boolean(), text, fc.array(fc.nat(200), { maxLength: 6 }), (bom, body, cuts) => {
        const bytes = Buffer.from(`${bom ? "\ufeff" : ""}${body}`);
        const whole = read(bytes, []);
        expect(read(bytes, cuts)).toEqual(whole);
        for (let cut = 1; cut < Math.min(bytes.length, 60); cut++) expect(read(bytes, [cut])).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });
});

describe("CsvDownload", () => {
  it("writes its temporary file readable by its owner only, also in the system temp folder", async () => {
    const out = new PassThrough();
    const download = new CsvDownload({ kind: "stdout", stream: out });
    expect(download.temporaryPath.startsWith(tmpdir())).toBe(true);
    await download.receive(sourceOf(Buffer.from("a,b\r\n1,2\r\n")));
    expect(statSync(download.temporaryPath).mode & 0o777).toBe(0o600);
    await download.discard();
  });

  it("refuses an HTML page, JSON, gzip and other binary bytes labelled as a CSV", async () => {
    const bodies: [string, Buffer][] = [
      ["an HTML page", Buffer.from("\n  <!DOCTYPE html><html><body>Maintenance</body></html>")],
      ["a JSON document", Buffer.from('{"metadata":{"error":true},"payload":{"code":500}}')],
      ["gzip-compressed", Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0])],
      ["binary data", brotliCompressSync(Buffer.from("email,opens\r\na@x.com,1\r\n".repeat(50)))],
    ];
    for (const [what, body] of bodies) {
      const download = new CsvDownload({
        kind: "file",
        path: join(mkdtempSync(join(tmpdir(), "oq-csv-")), "x.csv"),
      });
      const error = await download.receive(sourceOf(body)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OngageError);
      expect((error as OngageError).message).toContain(what);
      expect((error as OngageError).retryable).toBe(false);
      await download.discard();
      expect(existsSync(download.destination.kind === "file" ? download.destination.path : "")).toBe(false);
    }
  });
});

describe("the client's export", () => {
  /** A transport that answers every call with this export response, counting the calls. */
  function exportTransport(headers: Record<string, string>, body: string | Buffer) {
    let calls = 0;
    const transport: Transport = async () => {
      calls++;
      return {
        status: 200,
        header: (name) => headers[name.toLowerCase()] ?? null,
        body: Readable.from([Buffer.from(body)]),
      };
    };
    const client = new OngageClient({
      auth: headerAuth({ username: "u", password: "p-secret", accountCode: "A" }),
      baseUrl: "https://api.example.test",
      transport,
      backoff: { baseMs: 1, maxMs: 2, retries: 2 },
    });
    return { client, calls: () => calls };
  }

  it("refuses an HTML page at once", async () => {
    const { client, calls } = exportTransport({ "content-type": "text/html" }, "whatever");
    await expect(client.exportReport("7")).rejects.toThrow("Ongage sent an HTML page instead of the CSV");
    expect(calls()).toBe(1);
  });

  it("reads an error envelope sent with HTTP 200 and retries it when its code says so", async () => {
    const envelope = JSON.stringify({
      metadata: { error: true },
      payload: { code: 503, message: "Try later" },
    });
    const { client, calls } = exportTransport({ "content-type": "application/json" }, envelope);
    await expect(client.exportReport("7")).rejects.toThrow("Ongage reported an error: Try later");
    expect(calls()).toBe(3);
  });
});

describe("runReport, when the CSV cannot be saved", () => {
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  it("keeps the report, says how to fetch it, and does not download again", async () => {
    sandbox = await testSandbox();
    const client = new OngageClient({
      auth: headerAuth(sandbox.credentials),
      baseUrl: sandbox.url,
      listId: sandbox.listId,
    });
    // An output that fails as a full disk does.
    const full = new Writable({
      write: (_chunk, _encoding, done) =>
        done(
          Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", errno: -28 }),
        ),
    });
    const run = (recoveryCommands?: typeof oqRecoveryCommands) =>
      runReport({
        client,
        request: compile("in segment 1").payload!,
        destination: { kind: "stdout", stream: full },
        pollIntervalMs: 10,
        ...(recoveryCommands ? { recoveryCommands } : {}),
      });
    const summary = await run(oqRecoveryCommands);
    expect(summary).toMatchObject({
      ok: false,
      deleted: false,
      exportCommand: `oq reports export ${summary.reportId} --list-id ${sandbox.listId} --out report-${summary.reportId}.csv`,
    });
    expect(summary.error).toContain("could not save the CSV to stdout: no space left on device (ENOSPC)");
    expect(summary.error).toContain(`is kept in Ongage: fetch its CSV with: ${summary.exportCommand}`);
    expect(sandbox.stats.byRoute["GET contact_activity/:id/export"]).toBe(1);
    expect(sandbox.liveReports().map((r) => String(r.id))).toEqual([summary.reportId]);
    // The runner words no command of its own: the shells give it theirs.
    const unworded = await run();
    expect(unworded).toMatchObject({ ok: false, deleted: false });
    expect(unworded.exportCommand).toBeUndefined();
    expect(unworded.error).toMatch(/report \S+ is kept in Ongage$/);
    expect(sandbox.liveReports()).toHaveLength(2);
  });

  it("a reader that left is not an error to retry: the report is deleted", async () => {
    sandbox = await testSandbox();
    const client = new OngageClient({
      auth: headerAuth(sandbox.credentials),
      baseUrl: sandbox.url,
      listId: sandbox.listId,
    });
    const closed = new Writable({
      write: (_chunk, _encoding, done) =>
        done(Object.assign(new Error("write EPIPE"), { code: "EPIPE", errno: -32 })),
    });
    const summary = await runReport({
      client,
      request: compile("in segment 1").payload!,
      destination: { kind: "stdout", stream: closed },
      pollIntervalMs: 10,
    });
    expect(summary).toMatchObject({ ok: false, outputClosed: true, deleted: true });
    expect(summary.exportCommand).toBeUndefined();
    expect(sandbox.stats.byRoute["GET contact_activity/:id/export"]).toBe(1);
    expect(new CsvSaveError("x", "EPIPE").readerLeft).toBe(true);
  });
});

describe("terminalSafe", () => {
  it("escapes C0, DEL, C1 and the marks that reorder lines, and leaves other text alone", () => {
    expect(terminalSafe("a\u001b[2Jb\u0007c\u009bd\u007fe\u202ef\tg\nh")).toBe(
      "a\\x1b[2Jb\\x07c\\x9bd\\x7fe\\u202ef\\x09g\\x0ah",
    );
    expect(terminalSafe("Café – 日本 ✓")).toBe("Café – 日本 ✓");
    const json = terminalSafeJson({ t: "x\u001b\u009by" });
    expect(json).not.toMatch(/[\u001b\u009b]/);
    expect(JSON.parse(json)).toEqual({ t: "x\u001b\u009by" });
  });
});

describe("ProgressLine", () => {
  it("clears itself and stops drawing before a CSV goes to stdout", async () => {
    const writes: string[] = [];
    const stream = {
      isTTY: true,
      columns: 80,
      write: (text: string) => writes.push(text),
    } as unknown as NodeJS.WriteStream;
    const line = new ProgressLine(stream);
    line.update("q.oq", { state: "downloading", elapsedMs: 10, bytes: 100, rows: 2 });
    await until(
      () => writes.some((w) => w.includes("q.oq downloading") || w.includes("q.oq 100 B")),
      "the progress line to be drawn",
    );
    line.update("q.oq", { state: "saving", elapsedMs: 20, bytes: 100, rows: 2 });
    expect(writes.at(-1)).toBe("\r\x1b[K");
    const count = writes.length;
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(writes.length).toBe(count);
    line.stop();
  });
});

/** Bytes as a body to drain, in one chunk. */
function sourceOf(bytes: Buffer): ByteSource {
  return { drain: (sink) => drainStream(Readable.from([bytes]), sink) };
}
