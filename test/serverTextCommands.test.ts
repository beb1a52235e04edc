import { afterEach, describe, expect, it } from "vitest";
import { headerAuth } from "../src/client/auth.js";
import { OngageClient } from "../src/client/client.js";
import { OngageError } from "../src/client/errors.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { oq, type InProcessRun } from "./support/oqInProcess.js";
import { scratch } from "./support/scratch.js";
import { fakeOngage, type FakeOngage } from "./support/fakeOngage.js";
import { until } from "./support/until.js";
import { sandboxEnv, testSandbox } from "./support/sandbox.js";

/*
 * Whatever a server sends reaches the terminal escaped or not at all, and its answers are
 * described as what they are (docs/running.md, "Output").
 */

let fakes: FakeOngage[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((fake) => fake.close()));
  fakes = [];
});

function clientFor(fake: FakeOngage): OngageClient {
  return new OngageClient({
    auth: headerAuth({ username: "u", password: "p4ssword", accountCode: "acct" }),
    baseUrl: fake.url,
    listId: "12345",
    backoff: { baseMs: 1, maxMs: 5, retries: 2 },
  });
}

async function failureOf(promise: Promise<unknown>): Promise<OngageError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OngageError);
  return error as OngageError;
}

describe("answers are described as what they are", () => {
  it("a reply that is not JSON is called that, not also 'in an unexpected shape'", async () => {
    const fake = await fakeOngage("1", (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("oops, not json");
      return true;
    });
    fakes.push(fake);
    const error = await failureOf(clientFor(fake).listReports());
    expect(fake.requests).toEqual(["GET /api/contact_activity"]);
    expect(error.message).toBe("Ongage sent a reply that is not JSON: oops, not json");
  });

  it("a Content-Length that overstates the body: the answer was cut short, the server was reached", async () => {
    const fake = await fakeOngage("1", (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "500" });
      res.write('{"metadata":{"error":false},"payload":[');
      setTimeout(() => res.socket?.destroy(), 20);
      return true;
    });
    fakes.push(fake);
    const error = await failureOf(clientFor(fake).listReports());
    // Tried again, as a dropped connection is.
    expect(fake.requests).toHaveLength(3);
    expect(error.kind).toBe("network");
    expect(error.message).toMatch(/^GET contact_activity: the answer from 127\.0\.0\.1:\d+ was cut short \(/);
    expect(error.message).not.toContain("could not reach");
  });
});

describe("the clean-up notice names the signal to send again", () => {
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  it("after SIGTERM: send SIGTERM or press Ctrl-C again, not 'Ctrl-C again'", async () => {
    sandbox = await testSandbox({ contacts: 10_000, faults: { slowBodyMs: 300 } });
    const dir = scratch({ "q.oq": "in segment 3\n" });
    let command: InProcessRun | undefined;
    const running = oq(["run", "q.oq", "--out", "q.csv", "--poll-interval", "20ms"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
      onStart: (started) => (command = started),
    });
    await until(
      () => sandbox!.stats.byRoute["GET contact_activity/:id/export"] !== undefined,
      "the download",
    );
    command!.signal("SIGTERM");
    const result = await running;
    expect(result.status).toBe(143);
    expect(result.stderr).toContain("send SIGTERM or press Ctrl-C again to leave them");
    expect(result.stderr).not.toContain("; Ctrl-C again");
    expect(sandbox.liveReports()).toEqual([]);
  });
});

describe("credentials with a space at either end", () => {
  it("a usage error at once that names the variable, not its value, and nothing is sent", async () => {
    const sandbox = await testSandbox();
    try {
      const dir = scratch({ "q.oq": "in segment 3\n" });
      for (const [name, value] of [
        ["ONGAGE_PASSWORD", ` ${sandbox.credentials.password}`],
        ["ONGAGE_USERNAME", `${sandbox.credentials.username}\t`],
        ["ONGAGE_ACCOUNT_CODE", `${sandbox.credentials.accountCode} `],
      ] as const) {
        const run = await oq(["run", "q.oq", "--out", "q.csv"], {
          cwd: dir,
          env: sandboxEnv(sandbox, { [name]: value }),
        });
        expect(run.status, name).toBe(2);
        expect(run.stderr).toContain(`${name} begins or ends with a space`);
        expect(run.stderr).not.toContain(value.trim());
      }
      expect(sandbox.stats.requests).toBe(0);
    } finally {
      await sandbox.close();
    }
  });
});
