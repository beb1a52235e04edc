import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { oqBin } from "./cli.js";

/*
 * A JSON-RPC client for `oq lsp` over stdio, as an editor talks to it: Content-Length framing
 * written here (not vscode-jsonrpc), so that a test can also send bytes no library would, and
 * see every message the server writes, answers with no id included.
 */

export interface RpcMessage {
  jsonrpc: "2.0";
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: {
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    severity: number;
    code?: string;
    codeDescription?: { href: string };
    source: string;
    message: string;
  }[];
}

export class LspClient {
  /** Every message the server wrote, in order. */
  readonly messages: RpcMessage[] = [];
  readonly exited: Promise<number | null>;
  stderr = "";
  private nextId = 1;
  private buffer = Buffer.alloc(0);
  private waiters: { test: (message: RpcMessage) => boolean; resolve: (message: RpcMessage) => void }[] = [];
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(options: { cwd?: string; env?: Record<string, string | undefined> } = {}) {
    const env: Record<string, string | undefined> = {
      ...process.env,
      OQ_NOW: undefined,
      OQ_SCHEMA: undefined,
      ...options.env,
    };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    this.child = spawn(process.execPath, [oqBin, "lsp", "--stdio"], {
      cwd: options.cwd,
      env: env as NodeJS.ProcessEnv,
    });
    this.child.stdout.on("data", (chunk: Buffer) => this.receive(chunk));
    this.child.stderr.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const length = Number(
        /Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())?.[1],
      );
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString("utf8");
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      const message = JSON.parse(body) as RpcMessage;
      this.messages.push(message);
      // The server asks the client things (registrations): say yes.
      if (message.method !== undefined && message.id !== undefined)
        this.send({ jsonrpc: "2.0", id: message.id, result: null });
      for (const waiter of [...this.waiters])
        if (waiter.test(message)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(message);
        }
    }
  }

  /**
   * The CPU time (user and system, in seconds) the server has used, from Linux's
   * /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s).
   */
  cpuSeconds(): number {
    const fields = readFileSync(`/proc/${this.child.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  }

  /** Writes bytes as they are, framed or not. */
  sendRaw(bytes: string | Buffer): void {
    this.child.stdin.write(bytes);
  }

  send(message: RpcMessage): void {
    const body = Buffer.from(JSON.stringify(message), "utf8");
    this.sendRaw(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
  }

  /** The first message from now on (or already received, with `seen`) that passes `test`. */
  waitFor(test: (message: RpcMessage) => boolean, timeoutMs = 10_000, seen = false): Promise<RpcMessage> {
    const earlier = seen ? this.messages.find(test) : undefined;
    if (earlier) return Promise.resolve(earlier);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no such message in ${timeoutMs} ms\n${this.stderr}`)),
        timeoutMs,
      );
      this.waiters.push({
        test,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      });
    });
  }

  /** The whole response (result or error) to a request. */
  async call(method: string, params?: unknown): Promise<RpcMessage> {
    const id = this.nextId++;
    const response = this.waitFor((message) => message.id === id && message.method === undefined);
    this.send({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) });
    return response;
  }

  /** A request's result; an error response throws. */
  async request<T = unknown>(method: string, params?: unknown): Promise<T> {
    const response = await this.call(method, params);
    if (response.error) throw new Error(`${method}: ${response.error.message}`);
    return response.result as T;
  }

  notify(method: string, params?: unknown): void {
    this.send({ jsonrpc: "2.0", method, ...(params === undefined ? {} : { params }) });
  }

  async initialize(): Promise<{ capabilities: Record<string, unknown> }> {
    const result = await this.request<{ capabilities: Record<string, unknown> }>("initialize", {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
    });
    this.notify("initialized", {});
    return result;
  }

  /** The diagnostics published for that version of the document. */
  diagnosticsFor(uri: string, version: number): Promise<PublishedDiagnostics> {
    return this.waitFor(
      (message) =>
        message.method === "textDocument/publishDiagnostics" &&
        (message.params as PublishedDiagnostics).uri === uri &&
        (message.params as PublishedDiagnostics).version === version,
      10_000,
      true,
    ).then((message) => message.params as PublishedDiagnostics);
  }

  /** Opens a document and waits for its diagnostics. */
  open(path: string, text: string, version = 1): Promise<PublishedDiagnostics> {
    const uri = pathToFileURL(path).href;
    this.notify("textDocument/didOpen", { textDocument: { uri, languageId: "oq", version, text } });
    return this.diagnosticsFor(uri, version);
  }

  /** Replaces a document's whole text and waits for its diagnostics. */
  change(path: string, text: string, version: number): Promise<PublishedDiagnostics> {
    const uri = pathToFileURL(path).href;
    this.notify("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ text }] });
    return this.diagnosticsFor(uri, version);
  }

  close(path: string): void {
    this.notify("textDocument/didClose", { textDocument: { uri: pathToFileURL(path).href } });
  }

  async shutdown(): Promise<number | null> {
    await this.request("shutdown");
    this.notify("exit");
    return this.exited;
  }

  kill(): void {
    this.child.kill();
  }
}
