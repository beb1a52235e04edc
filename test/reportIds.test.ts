import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { headerAuth } from "../src/client/auth.js";
import { OngageClient } from "../src/client/client.js";
import { runReport, type RunSummary } from "../src/runner/runReport.js";
import { envelope, fakeOngage, type FakeOngage } from "./support/fakeOngage.js";
import { outFolder, request } from "./support/inProcess.js";
import { oq } from "./support/oqInProcess.js";
import { sandboxNow, testCredentials } from "./support/sandbox.js";
import { scratch } from "./support/scratch.js";

/*
 * A report id goes into the request's path, where "." and ".." are dot segments that URL
 * parsing resolves: `DELETE contact_activity/..` would be sent to /api/, and
 * `contact_activity/.` to the whole collection. Such an id is refused where the client builds a
 * report's path, whoever chose it: the user (a usage error) or the server (a protocol error,
 * the report named as one oq cannot address).
 */

let server: FakeOngage | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const env = (url: string) => ({
  ONGAGE_BASE_URL: url,
  ONGAGE_LIST_ID: "12345",
  ONGAGE_USERNAME: testCredentials.username,
  ONGAGE_PASSWORD: testCredentials.password,
  ONGAGE_ACCOUNT_CODE: testCredentials.accountCode,
  OQ_NOW: sandboxNow,
});

/** Requests that name a report, or that went elsewhere than the calls oq makes. */
const addressing = (requests: string[]) =>
  requests.filter((line) => !/^(POST|GET) \/api\/contact_activity$/.test(line));

/** One report run against `server`, as `oq run` runs it, with a short look-up for lost creates. */
function runAgainst(server: FakeOngage): Promise<RunSummary> {
  const client = new OngageClient({
    auth: headerAuth(testCredentials),
    baseUrl: server.url,
    listId: "12345",
    createLookupMs: 50,
  });
  return runReport({
    client,
    request: request(),
    destination: { kind: "file", path: join(outFolder(), "q.csv") },
    pollIntervalMs: 20,
  });
}

describe("a report id that is a dot segment", () => {
  it.each([
    ["status", "."],
    ["status", ".."],
    ["export", ".."],
    ["delete", "."],
    ["delete", ".."],
  ])("oq reports %s %j: a usage error, and no request is sent", async (command, id) => {
    server = await fakeOngage("1000");
    const run = await oq(["reports", command, id], { cwd: scratch({}), env: env(server.url) });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`"${id}" is not a report id oq can use`);
    expect(server.requests).toEqual([]);
  });

  it.each([".", ".."])(
    "a create answered with id %j: a protocol error that says the report cannot be addressed; no request goes elsewhere",
    async (id) => {
      let title = "";
      server = await fakeOngage(id, (req, res, path, body) => {
        if (req.method === "POST") title = (JSON.parse(body) as { title: string }).title;
        if (req.method === "GET" && path === "/api/contact_activity") {
          // The report the create made, listed under its title (the run's clean-up looks for it).
          res.writeHead(200, { "content-type": "application/json" });
          res.end(envelope([{ id, status: 2, title }]));
          return true;
        }
        return false;
      });
      const summary = await runAgainst(server);
      // The create was answered (the fault happened), and nothing but creates and lists followed.
      expect(server.requests[0]).toBe("POST /api/contact_activity");
      expect(addressing(server.requests)).toEqual([]);
      expect(summary.ok).toBe(false);
      expect(summary.error).toContain(
        `Ongage answered the create with report id "${id}", which cannot be put in a request's path: oq cannot poll, export or delete that report`,
      );
      expect(summary.error).toContain(`its title starts with ${title.slice(0, title.indexOf("]") + 1)}`);
      // The clean-up found it by its marker and says it could not delete it.
      expect(summary.leftBehind).toEqual([id]);
      expect(summary.error).toContain(`could not delete report ${id}: "${id}" is not a report id oq can use`);
    },
  );

  it('a create answered with id ".." that the list does not show: still named as left in Ongage, never as deleted', async () => {
    server = await fakeOngage("..", (req, res, path) => {
      if (req.method === "GET" && path === "/api/contact_activity") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(envelope([]));
        return true;
      }
      return false;
    });
    const summary = await runAgainst(server);
    // The create was answered with the id (the fault happened), and the list showed nothing.
    expect(server.requests[0]).toBe("POST /api/contact_activity");
    expect(addressing(server.requests)).toEqual([]);
    expect(summary).toMatchObject({ ok: false, deleted: false, leftBehind: [".."] });
    expect(summary.error).toContain('Ongage answered the create with report id ".."');
  });
});
