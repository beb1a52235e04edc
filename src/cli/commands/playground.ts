import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Host } from "../../app/host.js";
import { exitCodes } from "../../app/exitCodes.js";
import { portFlag, portUnavailable } from "../portFlag.js";

/*
 * `oq playground`: serves the built page (dist/playground/, docs/playground.md) on 127.0.0.1
 * only, until Ctrl-C. The page needs no server (it works opened from disk); this is for those
 * who would rather open a URL. It serves the folder's few files as they are, and nothing else:
 * no other path, no listing, no method but GET and HEAD.
 */

const contentTypes: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * The built page's folder, dist/playground, found from where this code runs: the bundle
 * (dist/cli/ or dist/cli/chunks/) or, in tests, src/cli/commands/. Only a folder named
 * dist/playground that holds the built script counts (src/playground/ has the page, unbuilt).
 */
function playgroundFolder(): string | undefined {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up <= 3; up++, folder = dirname(folder)) {
    const candidate =
      basename(folder) === "dist" ? join(folder, "playground") : join(folder, "dist", "playground");
    if (existsSync(join(candidate, "index.html")) && existsSync(join(candidate, "playground.js")))
      return candidate;
  }
  return undefined;
}

function serve(files: ReadonlyMap<string, { type: string; body: Buffer }>): Server {
  return createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const file = files.get(path === "/" ? "/index.html" : path);
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (!file) {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
      return;
    }
    response.writeHead(200, {
      "content-type": file.type,
      "content-length": file.body.length,
      "x-content-type-options": "nosniff",
      "cache-control": "no-cache",
    });
    response.end(request.method === "HEAD" ? undefined : file.body);
  });
}

/** `oq playground [--port N]`: the page on http://127.0.0.1:N/, until Ctrl-C. */
export async function playgroundCommand(options: { port: string }, host: Host): Promise<number> {
  const port = portFlag(options.port);
  const folder = playgroundFolder();
  if (!folder) {
    host.stderr.write("oq: the playground page is not built (dist/playground/): run npm run build\n");
    return exitCodes.failed;
  }
  const files = new Map(
    readdirSync(folder)
      .filter((name) => contentTypes[extname(name)] !== undefined)
      .map((name) => [
        `/${name}`,
        { type: contentTypes[extname(name)]!, body: readFileSync(join(folder, name)) },
      ]),
  );
  const server = serve(files);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
  } catch (error) {
    const unavailable = portUnavailable(error, port);
    if (unavailable === undefined) throw error;
    host.stderr.write(unavailable);
    return exitCodes.failed;
  }
  const { port: listening } = server.address() as AddressInfo;
  host.stdout.write(
    `The oq playground is on http://127.0.0.1:${listening}/ (this machine only). Ctrl-C stops it.\n`,
  );
  await new Promise<void>((resolve) => host.once("SIGINT", resolve).once("SIGTERM", resolve));
  await new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return exitCodes.ok;
}
