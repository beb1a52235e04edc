import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { headerAuth } from "../src/client/auth.js";
import { OngageClient } from "../src/client/client.js";
import { OngageError } from "../src/client/errors.js";
import { nodeTransport, type Transport } from "../src/client/transport.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { runReport } from "../src/runner/runReport.js";
import { outFolder, request, sandboxClient } from "./support/inProcess.js";
import { testCredentials, testSandbox } from "./support/sandbox.js";

/*
 * What a DELETE's answer says about the report: a 2xx with no body at all (200 empty, 204)
 * deleted it, like Ongage's envelope without an error; an error in the envelope, or a body that
 * is not one, did not (or cannot be told to have).
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** The sandbox's answers, but every DELETE answered `status` with `body` once the sandbox has done it. */
function deleteAnsweredWith(status: number, body: string): { transport: Transport; deletes: () => number } {
  const inner = nodeTransport(10);
  let deletes = 0;
  const transport: Transport = async (call) => {
    const response = await inner(call);
    if (call.method !== "DELETE" || response.status !== 200) return response;
    deletes++;
    response.body.resume();
    return { status, header: () => null, body: Readable.from(body ? [Buffer.from(body)] : []) };
  };
  return { transport, deletes: () => deletes };
}

describe("a DELETE answered with no body", () => {
  it.each([
    [200, ""],
    [204, ""],
    [200, "\n"],
  ])("%i with %j: the report counts as deleted, not as still in Ongage", async (status, body) => {
    sandbox = await testSandbox();
    const answers = deleteAnsweredWith(status, body);
    const client = sandboxClient(sandbox, { transport: answers.transport });
    const summary = await runReport({
      client,
      request: request(),
      destination: { kind: "file", path: join(outFolder(), "q.csv") },
      pollIntervalMs: 20,
    });
    expect(answers.deletes()).toBe(1);
    expect(sandbox.liveReports()).toEqual([]);
    expect(summary.error).toBeUndefined();
    expect(summary).toMatchObject({ ok: true, deleted: true, leftBehind: [] });
  });

  it("an error in the envelope, or a body that is not one, is still a failed delete", async () => {
    for (const [body, says] of [
      [
        JSON.stringify({ metadata: { error: true }, payload: { code: 403, message: "not yours" } }),
        /not yours/,
      ],
      ["<html>gateway</html>", /not JSON/],
    ] as const) {
      const client = new OngageClient({
        auth: headerAuth(testCredentials),
        baseUrl: "http://127.0.0.1:9",
        transport: async () => ({
          status: 200,
          header: () => null,
          body: Readable.from([Buffer.from(body)]),
        }),
      });
      const failure = await client.deleteReport("1000").catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OngageError);
      expect((failure as OngageError).message).toMatch(says);
    }
  });
});
