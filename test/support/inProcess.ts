import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { headerAuth } from "../../src/client/auth.js";
import { OngageClient, type OngageClientOptions } from "../../src/client/client.js";
import { nodeTransport, type Transport } from "../../src/client/transport.js";
import type { ContactActivityRequest } from "../../src/emit/payloadSchema.js";
import { compile } from "../../src/index.js";
import type { Sandbox, SandboxOptions } from "../../src/sandbox/server.js";
import { FakeClock } from "./fakeClock.js";
import { lifetimeQuery } from "./lifetimeQuery.js";
import { sandboxNow, testSandbox } from "./sandbox.js";

/*
 * The runner's guarantees tested in process: runReport()/runPlan() with a client of the
 * sandbox, as `oq run` drives them, without starting the command. What the server saw is in
 * sandbox.stats and liveReports(), as in the e2e tests.
 */

/** A query compiled as `oq run` compiles it against the test sandbox (OQ_NOW = sandboxNow). */
export function request(text = lifetimeQuery): ContactActivityRequest {
  const compiled = compile(text, { now: sandboxNow });
  if (!compiled.payload) throw new Error(`the test query does not compile: ${text}`);
  return compiled.payload;
}

/** A client of `sandbox` as `oq run` makes one (credentials, list id), with `options`. */
export function sandboxClient(sandbox: Sandbox, options: Partial<OngageClientOptions> = {}): OngageClient {
  return new OngageClient({
    auth: headerAuth(sandbox.credentials),
    baseUrl: sandbox.url,
    listId: sandbox.listId,
    ...options,
  });
}

/** A scratch folder for a run's CSV. */
export function outFolder(): string {
  return mkdtempSync(join(tmpdir(), "oq-inprocess-"));
}

/**
 * A sandbox and a client sharing a fake clock: reports build, faults wait, calls time out and
 * back-offs pass on it, in milliseconds of real time. The clock moves on only when every call
 * sent has reached the sandbox (HTTP is real, and not on the clock) and nothing else is under
 * way; run the work with `clock.run(...)`.
 */
export async function fakeTimeSandbox(
  options: SandboxOptions = {},
  clientOptions: Partial<OngageClientOptions> = {},
): Promise<{ clock: FakeClock; sandbox: Sandbox; client: OngageClient }> {
  let sent = 0;
  // Requests the sandbox has received, once it is started (the clock is made first: the sandbox runs on it).
  let received = () => sent;
  const clock = new FakeClock(Date.parse(sandboxNow), () => received() < sent);
  const sandbox = await testSandbox({ ...options, clock });
  received = () => sandbox.stats.requests;
  const inner = nodeTransport(10);
  const counting: Transport = (call) => {
    sent++;
    return inner(call);
  };
  const client = sandboxClient(sandbox, { clock, transport: counting, ...clientOptions });
  return { clock, sandbox, client };
}
