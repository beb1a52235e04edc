import type { IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import type { BadCreateAnswer } from "./faults.js";
import type { SandboxState } from "./state.js";

/* The faults that spoil an answer: a server that hangs, trickles, echoes headers or garbles a create's answer. */

/**
 * The faults that make a server hang or lie about everything; true if one answered (or
 * deliberately did not answer) the request.
 */
export function misbehave(state: SandboxState, req: IncomingMessage, res: ServerResponse): boolean {
  const { faults, stats } = state;
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
    const bytes = Buffer.from(
      "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-padding: " + "x".repeat(1_000_000),
    );
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
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "content-length": Buffer.byteLength(page),
    });
    res.end(page);
    return true;
  }
  return false;
}

/** A debugging page of the kind a misconfigured proxy serves: every request header, in several encodings. */
function headerEchoPage(req: IncomingMessage): string {
  const escape = (text: string) =>
    text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const headers = Object.entries(req.headers).map(
    ([name, value]) => [name, Array.isArray(value) ? value.join(", ") : (value ?? "")] as const,
  );
  const rows = headers
    .map(
      ([name, value]) =>
        `<tr><td>${escape(name)}</td><td>${escape(value)}</td><td>${value}</td><td>${encodeURIComponent(value)}</td></tr>`,
    )
    .join("\n");
  const user = req.headers["x_username"];
  const password = req.headers["x_password"];
  const basic =
    typeof user === "string" && typeof password === "string"
      ? `<p>Authorization: Basic ${Buffer.from(`${user}:${password}`).toString("base64")}</p>`
      : "";
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
export function badCreateAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  kind: BadCreateAnswer,
  report: Record<string, string>,
): void {
  const good = JSON.stringify({ metadata: { error: false }, payload: report });
  const send = (body: string | Buffer, headers: Record<string, string | number> = {}) => {
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      ...headers,
    });
    res.end(body);
  };
  switch (kind) {
    case "html":
      return send(
        "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>",
        { "content-type": "text/html" },
      );
    case "truncated":
      return send(good.slice(0, Math.floor(good.length / 2)));
    case "lying-length":
      // Promises more than it sends, then hangs up.
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(good) + 100,
      });
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
