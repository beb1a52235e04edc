import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

/** What a fake Ongage saw: each request as "METHOD /path" (the list id dropped, the path decoded). */
export interface FakeOngage {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** Answers a request (its body read whole), or returns false for the default answer. */
export type FakeRoute = (req: IncomingMessage, res: ServerResponse, path: string, body: string) => boolean;

/** Ongage's envelope around a payload. */
export function envelope(payload: unknown): string {
  return JSON.stringify({ metadata: { error: false, total: 1 }, payload });
}

/**
 * A purpose-built Ongage imitation for what the sandbox cannot do (ids it picks, answers cut
 * short in particular ways): `route` answers a request, or returns false for the default, a
 * report flow with `reportId` that completes at once, whose export has the columns the create
 * selected (one contact).
 */
export async function fakeOngage(
  reportId: string,
  route: FakeRoute = () => false,
  options: { tls?: { cert: Buffer; key: Buffer } } = {},
): Promise<FakeOngage> {
  const requests: string[] = [];
  let columns = ["email", "opens"];
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname.replace(/^\/\d+/, ""));
      requests.push(`${req.method} ${path}`);
      if (route(req, res, path, body)) return;
      if (req.method === "POST")
        columns = (JSON.parse(body) as { selected_fields: string[] }).selected_fields;
      res.writeHead(200, { "content-type": path.endsWith("/export") ? "text/csv" : "application/json" });
      if (path.endsWith("/export"))
        return res.end(`${columns.join(",")}\r\na@example.com${",".repeat(columns.length - 1)}\r\n`);
      if (req.method === "GET" && path === "/api/contact_activity") return res.end(envelope([]));
      res.end(envelope({ id: reportId, status: 2, status_desc: "Completed", title: "t" }));
    });
  };
  // Over TLS (`options.tls`, a certificate for localhost): at https://localhost.
  const server: Server = options.tls ? createHttpsServer(options.tls, answer) : createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: options.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
