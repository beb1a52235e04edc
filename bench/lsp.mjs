// `npm run bench:lsp`: the language server (`oq lsp`, built) against the library in the same run:
// didChange to published diagnostics on a 2,000-condition document next to plan() of that text
// in this process (what the server's check is), and the server's RSS after 1,000 edits. Prints
// the table and writes it as BENCHMARKS.md's "Language server" section.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { plan } from "../dist/lib/index.js";
import { writeBenchmarksSection } from "./benchmarksFile.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const heading = "## Language server";

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** 2,000 comparisons joined by `and`, of three fields and operators. */
function document(variant) {
  const parts = [];
  for (let i = 0; i < 2000; i++) {
    if (i % 3 === 0) parts.push(`opens >= ${i + variant}`);
    else if (i % 3 === 1) parts.push(`email contains "a${i}"`);
    else parts.push(`clicks < ${i + 10_000}`);
  }
  return `${parts.join(" and\n")}\nduring 30d\n`;
}

/** A minimal LSP client: Content-Length framing, publishDiagnostics by version. */
function startServer() {
  const child = spawn(process.execPath, [`${root}bin/oq.js`, "lsp", "--stdio"], { cwd: root });
  let buffer = Buffer.alloc(0);
  const waiting = new Map();
  child.stdout.on("data", (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, end).toString())[1]);
      if (buffer.length < end + 4 + length) return;
      const message = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString());
      buffer = buffer.subarray(end + 4 + length);
      const key =
        message.method === "textDocument/publishDiagnostics"
          ? `v${message.params.version}`
          : `id${message.id}`;
      waiting.get(key)?.(message);
      waiting.delete(key);
    }
  });
  const send = (message) => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...message }));
    child.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
  };
  const next = (key) => new Promise((resolve) => waiting.set(key, resolve));
  return { child, send, next };
}

const uri = pathToFileURL(`${root}bench-lsp.oq`).href;
const server = startServer();
const initialized = server.next("id1");
server.send({
  id: 1,
  method: "initialize",
  params: { processId: process.pid, rootUri: null, capabilities: {} },
});
await initialized;
server.send({ method: "initialized", params: {} });
let version = 1;
let published = server.next(`v${version}`);
server.send({
  method: "textDocument/didOpen",
  params: { textDocument: { uri, languageId: "oq", version, text: document(0) } },
});
await published;

/** One whole-text change, timed to its diagnostics. */
async function edit(text) {
  version++;
  published = server.next(`v${version}`);
  const started = performance.now();
  server.send({
    method: "textDocument/didChange",
    params: { textDocument: { uri, version }, contentChanges: [{ text }] },
  });
  const message = await published;
  if (message.params.diagnostics.length > 0) throw new Error(JSON.stringify(message.params.diagnostics[0]));
  return performance.now() - started;
}

// Interleaved, so that the machine's load falls on both alike.
const serverTimes = [];
const libraryTimes = [];
for (let i = 0; i < 30; i++) {
  serverTimes.push(await edit(document(i + 1)));
  const text = document(i + 1);
  const started = performance.now();
  plan(text, {});
  libraryTimes.push(performance.now() - started);
}
for (let i = 0; i < 1000; i++) await edit(document(i % 7));
const rssMb =
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.child.pid}/status`, "utf8"))[1]) / 1024;
const shutdown = server.next(`id2`);
server.send({ id: 2, method: "shutdown" });
await shutdown;
server.send({ method: "exit" });

const serverMs = median(serverTimes);
const libraryMs = median(libraryTimes);
const ratio = serverMs / libraryMs;
const date = new Date().toISOString().slice(0, 10);
const machine = `Node ${process.version}, ${os.cpus().length} cores`;
const section =
  `${heading}\n\nThe latest \`npm run bench:lsp\` (${date}; ${machine}; medians of 30, the two measured in turn).\n\n` +
  `| benchmark | oq lsp | baseline (same run) | ratio | target | met |\n| --- | --- | --- | --- | --- | --- |\n` +
  `| didChange to published diagnostics, 2,000-condition document (${document(0).length.toLocaleString("en")} characters) | ${serverMs.toFixed(1)} ms | plan() of the same text in this process: ${libraryMs.toFixed(1)} ms | ${ratio.toFixed(2)}x | ≤ 3x | ${ratio <= 3 ? "yes" : "**no**"} |\n` +
  `| the server's RSS after 1,000 such edits | ${rssMb.toFixed(0)} MB | (absolute) |  | < 100 MB | ${rssMb < 100 ? "yes" : "**no**"} |\n`;
process.stdout.write(`${section}\n`);
writeBenchmarksSection(heading, section);
