import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { format } from "../src/format/format.js";
import { runOq } from "./support/cli.js";
import { goldenDir, goldenNow } from "./support/golden.js";
import { LspClient, type PublishedDiagnostics } from "./support/lspClient.js";

/*
 * The built `oq lsp`, driven over stdio as an editor drives it: one server for the whole file
 * (documents opened one after another), checked against `oq check --json` and the library.
 */

interface Position {
  line: number;
  character: number;
}

/** An LSP position for a UTF-16 offset, worked out here independently of the server. */
function positionAt(text: string, offset: number): Position {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const code = text.charCodeAt(i);
    if (code === 10 || (code === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}

function offsetAt(text: string, position: Position): number {
  let line = 0;
  let i = 0;
  for (; i < text.length && line < position.line; i++) {
    const code = text.charCodeAt(i);
    if (code === 10 || (code === 13 && text.charCodeAt(i + 1) !== 10)) line++;
  }
  return i + position.character;
}

interface Edit {
  range: { start: Position; end: Position };
  newText: string;
}

function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => offsetAt(text, b.range.start) - offsetAt(text, a.range.start));
  let result = text;
  for (const edit of sorted)
    result =
      result.slice(0, offsetAt(result, edit.range.start)) +
      edit.newText +
      result.slice(offsetAt(result, edit.range.end));
  return result;
}

interface CheckJson {
  file: string;
  diagnostics: { code: string; span: { start: { offset: number }; end: { offset: number } } }[];
}

interface CodeAction {
  title: string;
  isPreferred?: boolean;
  diagnostics?: { code?: string }[];
  edit: { changes: Record<string, Edit[]> };
}

const project = mkdtempSync(join(tmpdir(), "oq-lsp-"));
const invalidDir = join(goldenDir, "invalid");
const validDir = join(goldenDir, "valid");
const invalid = readdirSync(invalidDir)
  .filter((file) => file.endsWith(".oq"))
  .sort();
const valid = readdirSync(validDir)
  .filter((file) => file.endsWith(".oq"))
  .sort();
let client: LspClient;
let version = 100;

/** Opens `text` as a new document (a fresh version, so earlier publishes never match). */
function openAs(name: string, text: string): Promise<PublishedDiagnostics> {
  return client.open(join(project, name), text, ++version);
}

beforeAll(async () => {
  // The goldens as a project: their schema named by an oq.config.json, parameters beside them.
  for (const file of readdirSync(invalidDir).filter((f) => f.endsWith(".oq") || f.endsWith(".params.json")))
    copyFileSync(join(invalidDir, file), join(project, file));
  mkdirSync(join(project, "valid"));
  for (const file of readdirSync(validDir).filter((f) => f.endsWith(".params.json")))
    copyFileSync(join(validDir, file), join(project, "valid", file));
  copyFileSync(join(goldenDir, "fields.json"), join(project, "fields.json"));
  writeFileSync(join(project, "oq.config.json"), '{ "schema": "fields.json" }\n');
  client = new LspClient({ cwd: project, env: { OQ_NOW: goldenNow } });
  await client.initialize();
});

afterAll(() => {
  client.kill();
  rmSync(project, { recursive: true, force: true });
});

describe("oq lsp", () => {
  it("says what it can do", async () => {
    const other = new LspClient({ cwd: project });
    const { capabilities } = await other.initialize();
    expect(Object.keys(capabilities).sort()).toEqual([
      "codeActionProvider",
      "completionProvider",
      "documentFormattingProvider",
      "hoverProvider",
      "semanticTokensProvider",
      "textDocumentSync",
    ]);
    expect(await other.shutdown()).toBe(0);
  });

  it("reports what oq check --json reports for every invalid golden: code and range", async () => {
    const checked = runOq(["check", "--json", ...invalid], { cwd: project, env: { OQ_NOW: goldenNow } });
    const expected = JSON.parse(checked.stdout) as CheckJson[];
    expect(expected).toHaveLength(invalid.length);
    for (const { file, diagnostics } of expected) {
      const text = readFileSync(join(project, file), "utf8");
      const published = await client.open(join(project, file), text, 1);
      const simplify = (code: string | undefined, start: Position, end: Position) =>
        `${code} ${start.line}:${start.character}-${end.line}:${end.character}`;
      expect(
        published.diagnostics.map((d) => simplify(d.code, d.range.start, d.range.end)),
        file,
      ).toEqual(
        diagnostics.map((d) =>
          simplify(d.code, positionAt(text, d.span.start.offset), positionAt(text, d.span.end.offset)),
        ),
      );
      for (const diagnostic of published.diagnostics) {
        expect(diagnostic.source).toBe("oq");
        expect(diagnostic.codeDescription?.href).toMatch(/docs\/diagnostics\.md#L\d+$/);
      }
      client.close(join(project, file));
    }
  });

  it("offers each suggestion as a quick fix, and applied, each clears its diagnostic", async () => {
    let fixed = 0;
    for (const file of invalid) {
      const text = readFileSync(join(project, file), "utf8");
      const path = join(project, `fix-${file}`);
      const uri = pathToFileURL(path).href;
      const published = await client.open(path, text, 1);
      for (const diagnostic of published.diagnostics) {
        const actions = await client.request<CodeAction[]>("textDocument/codeAction", {
          textDocument: { uri },
          range: diagnostic.range,
          context: { diagnostics: [diagnostic] },
        });
        const mine = actions.filter((action) =>
          action.diagnostics?.some(
            (d) => d.code === diagnostic.code && JSON.stringify(d) === JSON.stringify(diagnostic),
          ),
        );
        for (const action of mine) {
          expect(action.isPreferred).toBe(mine.length === 1);
          const after = applyEdits(text, action.edit.changes[uri]!);
          const again = await openAs(`fixed-${fixed++}-${file}`, after);
          // This diagnostic, by code and first line (a fix may bring out another of the same code:
          // a flag's name corrected is then given twice).
          const same = (d: PublishedDiagnostics["diagnostics"][number]) =>
            d.code === diagnostic.code && d.message.split("\n")[0] === diagnostic.message.split("\n")[0];
          const count = (list: PublishedDiagnostics) => list.diagnostics.filter(same).length;
          expect(count(again), `${file}: ${action.title}\n${after}`).toBeLessThan(count(published));
        }
      }
      client.close(path);
    }
    expect(fixed).toBeGreaterThan(30);
  });

  it("formats as oq fmt does, and leaves a query with syntax errors alone", async () => {
    for (const file of valid) {
      const text = readFileSync(join(validDir, file), "utf8");
      const path = join(project, `format-${file}`);
      await client.open(path, text, 1);
      const edits = await client.request<Edit[]>("textDocument/formatting", {
        textDocument: { uri: pathToFileURL(path).href },
        options: { tabSize: 2, insertSpaces: true },
      });
      expect(applyEdits(text, edits), file).toBe(format(text).formatted);
      expect(edits.length).toBeLessThanOrEqual(1);
      client.close(path);
    }
    const broken = join(project, "format-broken.oq");
    await client.open(broken, "email ends (", 1);
    expect(
      await client.request("textDocument/formatting", {
        textDocument: { uri: pathToFileURL(broken).href },
        options: { tabSize: 2, insertSpaces: true },
      }),
    ).toEqual([]);
  });

  it("hovers a condition with explain's words, and a field with its type and origin", async () => {
    const path = join(project, "hover.oq");
    const text = 'email ends "gmail.com" and opens >= 3 and city = "Paris" during 7d';
    await client.open(path, text, 1);
    const hover = async (at: string) => {
      const result = await client.request<{ contents: { value: string }; range: unknown } | null>(
        "textDocument/hover",
        { textDocument: { uri: pathToFileURL(path).href }, position: positionAt(text, text.indexOf(at)) },
      );
      return result?.contents.value;
    };
    expect(await hover("ends")).toBe('Contacts whose email ends with "gmail.com"');
    expect(await hover("opens")).toBe(
      "**opens**: numeric field, built in (activity)\n\nContacts who opened at least 3 times",
    );
    expect(await hover("city")).toMatch(
      /^\*\*city\*\*: string field, custom, from the schema named in .*oq\.config\.json/,
    );
    expect(await hover("and opens")).toMatch(/^Contacts whose email ends with "gmail.com" and who opened/);
    expect(await hover("7d")).toMatch(/^Report "hover": all contacts/);
    // Every valid golden: the start of its condition says something.
    for (const file of valid) {
      const golden = readFileSync(join(validDir, file), "utf8");
      const goldenPath = join(project, "valid", file);
      await client.open(goldenPath, golden, 1);
      const { parse } = await import("../src/compile.js");
      const condition = parse(golden).ast?.condition;
      if (!condition) continue;
      const result = await client.request<{ contents: { value: string } } | null>("textDocument/hover", {
        textDocument: { uri: pathToFileURL(goldenPath).href },
        position: positionAt(golden, condition.span.start.offset),
      });
      expect(result?.contents.value, file).toBeTruthy();
      client.close(goldenPath);
    }
  });

  it("completes by the field's type", async () => {
    const path = join(project, "complete.oq");
    const text = "email ";
    await client.open(path, text, 1);
    const items = await client.request<{ label: string }[]>("textDocument/completion", {
      textDocument: { uri: pathToFileURL(path).href },
      position: { line: 0, character: 6 },
    });
    const labels = items.map((item) => item.label);
    expect(labels).toContain("ends");
    expect(labels).not.toContain("between");
    const fields = await client.request<{ label: string }[]>("textDocument/completion", {
      textDocument: { uri: pathToFileURL(path).href },
      position: { line: 0, character: 0 },
    });
    // The schema's fields too, from the oq.config.json above the document.
    expect(fields.map((item) => item.label)).toEqual(expect.arrayContaining(["email", "city"]));
  });

  it("counts positions in UTF-16 code units: emoji, CRLF, a byte order mark", async () => {
    for (const [name, text, word] of [
      ["emoji.oq", 'email = "😀😀" and emial = 3', "emial"],
      ["crlf.oq", 'email = "a"\r\nand\r\n  emial = 3\r\n', "emial"],
      ["bom.oq", '\ufeffemail = "a" and emial = 3', "emial"],
      ["lone-cr.oq", 'email = "a"\rand 😀 emial = 3', "emial"],
    ] as const) {
      const published = await openAs(name, text);
      const start = text.indexOf(word);
      expect(
        published.diagnostics.map((d) => [d.code, d.range]),
        name,
      ).toContainEqual([
        "OQ212",
        { start: positionAt(text, start), end: positionAt(text, start + word.length) },
      ]);
    }
  });

  it("semantic tokens: the lexer's classes at UTF-16 positions", async () => {
    const path = join(project, "tokens.oq");
    const text = 'email = "😀" and opens >= 3 during 30d';
    await client.open(path, text, 1);
    const { data } = await client.request<{ data: number[] }>("textDocument/semanticTokens/full", {
      textDocument: { uri: pathToFileURL(path).href },
    });
    const tokens: string[] = [];
    let line = 0;
    let character = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i]!;
      character = data[i] === 0 ? character + data[i + 1]! : data[i + 1]!;
      const offset = offsetAt(text, { line, character });
      tokens.push(`${text.slice(offset, offset + data[i + 2]!)}:${data[i + 3]}`);
    }
    // keyword 0, variable 1, string 3, number 4, operator 5 (the legend's order).
    expect(tokens).toEqual([
      "email:1",
      "=:5",
      '"😀":3',
      "and:0",
      "opens:1",
      ">=:5",
      "3:4",
      "during:0",
      "30d:4",
    ]);
  });

  it("reads settings as oq check does, says what is wrong with them, and sees them change", async () => {
    const folder = mkdtempSync(join(project, "settings-"));
    const path = join(folder, "q.oq");
    const text = 'city = "Paris"';
    writeFileSync(join(folder, "oq.config.json"), '{ "schema": "missing.json" }');
    let published = await client.open(path, text, 1);
    expect(published.diagnostics.map((d) => [d.code, d.message.split("\n")[1]])).toEqual([
      [undefined, `cannot read the field schema ${join(folder, "missing.json")}: ENOENT`],
      ["OQ212", expect.any(String)],
    ]);
    writeFileSync(join(folder, "oq.config.json"), "{ not json");
    published = await client.change(path, text, 2);
    expect(published.diagnostics[0]!.message).toContain(
      `the config file ${join(folder, "oq.config.json")} is not valid JSON`,
    );
    writeFileSync(join(folder, "oq.config.json"), '{ "schema": "fields.json" }');
    copyFileSync(join(goldenDir, "fields.json"), join(folder, "fields.json"));
    // A watched file changed: open documents are checked again without an edit.
    client.notify("workspace/didChangeWatchedFiles", {
      changes: [{ uri: pathToFileURL(join(folder, "oq.config.json")).href, type: 2 }],
    });
    published = await client
      .waitFor(
        (message) =>
          message.method === "textDocument/publishDiagnostics" &&
          (message.params as PublishedDiagnostics).uri === pathToFileURL(path).href &&
          (message.params as PublishedDiagnostics).diagnostics.length === 0,
      )
      .then((message) => message.params as PublishedDiagnostics);
    expect(published.diagnostics).toEqual([]);
  });

  it("answers malformed messages and unknown methods with JSON-RPC errors, and keeps going", async () => {
    const unknown = await client.call("oq/noSuchMethod", {});
    expect(unknown.error?.code).toBe(-32601);
    const errorsBefore = client.messages.filter((m) => m.error && m.id === null).length;
    const notJson = "{ this is not json";
    client.sendRaw(`Content-Length: ${Buffer.byteLength(notJson)}\r\n\r\n${notJson}`);
    const notRpc = JSON.stringify({ hello: "world" });
    client.sendRaw(`Content-Length: ${Buffer.byteLength(notRpc)}\r\n\r\n${notRpc}`);
    await client.waitFor(
      () => client.messages.filter((m) => m.error && m.id === null).length >= errorsBefore + 2,
    );
    expect(
      client.messages
        .filter((m) => m.error && m.id === null)
        .map((m) => m.error!.code)
        .slice(-2),
    ).toEqual([-32700, -32600]);
    // Params that are no object: invalid params, not JavaScript's words as an internal error.
    for (const params of [null, undefined, 5]) {
      const refused = await client.call("textDocument/hover", params);
      expect(refused.error?.code).toBe(-32602);
      expect(refused.error?.message).not.toMatch(/Cannot read|undefined|null \(/);
    }
    // A second initialize: refused as the protocol's order says, not an internal error.
    const again = await client.call("initialize", { processId: null, rootUri: null, capabilities: {} });
    expect(again.error).toMatchObject({
      code: -32600,
      message: expect.stringContaining("initialized already"),
    });
    const badParams = await client.call("textDocument/hover", { textDocument: 5 });
    expect(badParams.error ?? badParams.result).toBeDefined();
    // Still serving.
    expect((await openAs("after-garbage.oq", "emial = 1")).diagnostics[0]!.code).toBe("OQ212");
  });

  it("refuses a message longer than the limit as it arrives, without holding it, and keeps going", async () => {
    const errorsBefore = client.messages.filter((m) => m.error && m.id === null).length;
    // 20 MB promised and sent: skipped as it streams in, answered with one error.
    const body = "x".repeat(20 * 1024 * 1024);
    client.sendRaw(`Content-Length: ${body.length}\r\n\r\n${body}`);
    await client.waitFor(
      () => client.messages.filter((m) => m.error && m.id === null).length >= errorsBefore + 1,
    );
    const refusal = client.messages.filter((m) => m.error && m.id === null).at(-1)!;
    expect(refusal.error).toMatchObject({ code: -32700 });
    expect(refusal.error!.message).toContain("more than the limit");
    expect((await openAs("after-huge.oq", "emial = 1")).diagnostics[0]!.code).toBe("OQ212");
  });

  it("caps the diagnostics of a megabyte of garbage, at the library's cost", async () => {
    const garbage = "@ ( ] emial == 'x' ".repeat(Math.floor(999_000 / 19));
    // The server's own CPU time: the machine may be shared, and wall time counts the others' work.
    // The library's check of this text alone takes 0.65-1.4 s of CPU on a loaded 2-core machine
    // (chevrotain's lexer and the garbage collector: BENCHMARKS.md); the bound catches the server
    // adding work of its own (a second check, per-diagnostic costs), not the lexer's.
    const before = client.cpuSeconds();
    const published = await openAs("garbage.oq", garbage);
    expect(published.diagnostics.length).toBeLessThanOrEqual(51);
    expect(published.diagnostics.at(-1)!.code).toBe("OQ010");
    expect(client.cpuSeconds() - before).toBeLessThan(2.5);
    const tooLong = await openAs("too-long.oq", "x".repeat(1_048_576));
    expect(tooLong.diagnostics.map((d) => d.code)).toEqual(["OQ001"]);
  });

  it("exits with status 0 after shutdown and exit; a request between them is refused", async () => {
    const other = new LspClient({ cwd: project });
    await other.initialize();
    await other.request("shutdown");
    const late = await other.call("textDocument/hover", {
      textDocument: { uri: "file:///x.oq" },
      position: { line: 0, character: 0 },
    });
    expect(late.error?.code).toBe(-32600);
    other.notify("exit");
    expect(await other.exited).toBe(0);
  });
});
