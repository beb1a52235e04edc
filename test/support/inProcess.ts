import { oqRecoveryCommands } from "../../src/app/recoveryCommands.js";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { headerAuth } from "../../src/client/auth.js";
import { OngageClient, type OngageClientOptions } from "../../src/client/client.js";
import { nodeTransport, type Transport } from "../../src/client/transport.js";
import type { ContactActivityRequest } from "../../src/emit/payloadSchema.js";
import type { QueryPlan } from "../../src/emit/planSchema.js";
import { compile } from "../../src/index.js";
import { runReport, type RunOptions, type RunProgress, type RunSummary } from "../../src/runner/runReport.js";
import type { Sandbox, SandboxOptions } from "../../src/sandbox/server.js";
import { FakeClock } from "./fakeClock.js";
import { lifetimeQuery } from "./lifetimeQuery.js";
import { sandboxNow, testCredentials, testSandbox } from "./sandbox.js";

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

/** A plan of two reports whose contacts are united: gmail addresses, or contacts who opened twice. */
export const gmailOrOpenersPlan: QueryPlan = {
  reports: [
    request('email ends "gmail.com"\nduring 90d\nselect email, opens\n'),
    request("opens >= 2\nduring 90d\nselect email, opens\n"),
  ],
  combine: {
    kind: "union",
    of: [
      { kind: "report", report: 0 },
      { kind: "report", report: 1 },
    ],
  },
  key: "email",
  columns: ["email", "opens"],
};

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
 * Real I/O under way in this process that is not on the fake clock: file system work (a CSV
 * written to its temporary file, renamed, removed) and socket writes, connects and look-ups not
 * yet done. Time must not jump while one is pending, or a download would meet its deadline.
 */
const realIo = new Set([
  "FSReqCallback",
  "FSReqPromise",
  "WriteWrap",
  "ShutdownWrap",
  "TCPConnectWrap",
  "GetAddrInfoReqWrap",
]);
function realIoPending(): boolean {
  return process.getActiveResourcesInfo().some((resource) => realIo.has(resource));
}

/**
 * A sandbox and a client sharing a fake clock: reports build, faults wait, calls time out and
 * back-offs pass on it, in milliseconds of real time. The clock moves on only when every call
 * sent has reached the sandbox (HTTP is real, and not on the clock), no file or socket work is
 * pending, and nothing else is under way; run the work with `clock.run(...)`.
 */
export async function fakeTimeSandbox(
  options: SandboxOptions = {},
  clientOptions: Partial<OngageClientOptions> = {},
  /** Stands between the client and the sandbox (an answer it makes up never reaches the sandbox). */
  between: (toSandbox: Transport, clock: FakeClock) => Transport = (toSandbox) => toSandbox,
): Promise<{ clock: FakeClock; sandbox: Sandbox; client: OngageClient }> {
  let sent = 0;
  // Requests the sandbox has received, once it is started (the clock is made first: the sandbox runs on it).
  let received = () => sent;
  const clock = new FakeClock(Date.parse(sandboxNow), () => received() < sent || realIoPending());
  const sandbox = await testSandbox({ ...options, clock });
  received = () => sandbox.stats.requests;
  const inner = nodeTransport(10);
  const counting: Transport = (call) => {
    sent++;
    return inner(call);
  };
  const client = sandboxClient(sandbox, { clock, transport: between(counting, clock), ...clientOptions });
  return { clock, sandbox, client };
}

/** The test credentials, each a secret that no output may hold. */
export const secrets = [testCredentials.password, testCredentials.username, testCredentials.accountCode];

/** Whether `text` holds any of the test credentials (what a user could see: errors, summaries, progress). */
export function holdsSecret(text: string): boolean {
  return secrets.some((secret) => text.includes(secret));
}

/** What runLifetime gives back: the summary, the progress events, and where the CSV went. */
export interface LifetimeRun {
  summary: RunSummary;
  progress: RunProgress[];
  dir: string;
  csv: string;
}

/**
 * The report of the lifetime query run as `oq run q.oq --out q.csv --poll-interval 20ms` runs it,
 * on the fake clock of `wired` (see fakeTimeSandbox), with `options` on top.
 */
export async function runLifetime(
  wired: { clock: FakeClock; client: OngageClient },
  options: Partial<RunOptions> = {},
): Promise<LifetimeRun> {
  const dir = outFolder();
  const csv = join(dir, "q.csv");
  const progress: RunProgress[] = [];
  const summary = await wired.clock.run(
    runReport({
      client: wired.client,
      request: request(),
      destination: { kind: "file", path: csv },
      pollIntervalMs: 20,
      onProgress: (event) => progress.push(event),
      // As `oq run` words what is left to do by hand.
      recoveryCommands: oqRecoveryCommands,
      ...options,
    }),
  );
  return { summary, progress, dir, csv };
}

/** A completed report kept in `sandbox` (as `oq run --keep` leaves one), on the real clock: its id. */
export async function keptReport(sandbox: Sandbox): Promise<string> {
  const summary = await runReport({
    client: sandboxClient(sandbox),
    request: request(),
    destination: { kind: "file", path: join(outFolder(), "kept.csv") },
    pollIntervalMs: 20,
    keep: true,
  });
  if (!summary.ok || !summary.reportId) throw new Error(`the report was not made: ${summary.error}`);
  return summary.reportId;
}

/** The CSV a run without faults gives, from a sandbox with the same data (`options`). */
export async function cleanCsv(options: SandboxOptions = {}): Promise<string> {
  const clean = await fakeTimeSandbox(options);
  try {
    const run = await runLifetime(clean);
    if (!run.summary.ok) throw new Error(`the clean run failed: ${run.summary.error}`);
    return readFileSync(run.csv, "utf8");
  } finally {
    await clean.sandbox.close();
  }
}
