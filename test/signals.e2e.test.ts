import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { headerAuth } from "../src/client/auth.js";
import { OngageClient } from "../src/client/client.js";
import { compile } from "../src/index.js";
import { runReport } from "../src/runner/runReport.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { runOqAsync, type CliRun } from "./support/cli.js";
import { partFiles, queryFolder as folder, runQuery } from "./support/lifetime.js";
import { until } from "./support/until.js";
import { sandboxEnv, testSandbox } from "./support/sandbox.js";

/*
 * The end of a run (docs/running.md, "Guarantees"): --timeout bounds the whole run, SIGINT,
 * SIGTERM and SIGHUP all clean up and exit 128+signal, and the clean-up is bounded, says what
 * it deletes, and can be abandoned by a second signal, naming what is left.
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const run = (dir: string, args: string[], onSpawn?: (child: ChildProcess) => void) =>
  runQuery(sandbox!, dir, args, onSpawn);

describe("--timeout is a deadline for the whole run", () => {
  it("a download slower than the deadline is cancelled: exit 1, no CSV, the completed report kept with the command that fetches it", async () => {
    sandbox = await testSandbox({ contacts: 10_000, faults: { slowBodyMs: 3000 } });
    const dir = folder();
    const result = await run(dir, ["--out", "q.csv", "--timeout", "5s"]);
    expect(sandbox.stats.byRoute["GET contact_activity/:id/export"]).toBeGreaterThanOrEqual(1);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/the download of report \d+ did not finish within 5\.0s/);
    expect(existsSync(join(dir, "q.csv"))).toBe(false);
    expect(partFiles(dir)).toEqual([]);
    // Its data exists only in Ongage: kept, never deleted before it is saved.
    expect(sandbox.stats.reportsDeleted).toBe(0);
    expect(sandbox.liveReports()).toHaveLength(1);
    expect(result.stderr).toMatch(
      /is kept in Ongage: fetch its CSV with: oq reports export \d+ .*--out .*q\.csv/,
    );
  });
});

/** Starts `oq run` and sends it `signal` once `ready` holds (checked against the server). */
async function signalled(
  dir: string,
  args: string[],
  signal: NodeJS.Signals,
  ready: () => boolean,
): Promise<CliRun> {
  let child: ChildProcess | undefined;
  const running = run(dir, args, (c) => (child = c));
  await until(ready, "the moment to send the signal");
  child!.kill(signal);
  return running;
}

describe("signals", () => {
  for (const [signal, code] of [
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    it(`${signal} during a download: exit ${code}, no CSV, no .part file, the report deleted`, async () => {
      sandbox = await testSandbox({ contacts: 10_000, faults: { slowBodyMs: 300 } });
      const dir = folder();
      const result = await signalled(
        dir,
        ["--out", "q.csv"],
        signal,
        () => sandbox!.stats.byRoute["GET contact_activity/:id/export"] !== undefined,
      );
      expect(result.status).toBe(code);
      expect(result.stderr).toContain(`oq: stopping (${signal})`);
      expect(existsSync(join(dir, "q.csv"))).toBe(false);
      expect(partFiles(dir)).toEqual([]);
      expect(sandbox.stats.reportsDeleted).toBe(1);
      expect(sandbox.liveReports()).toEqual([]);
    });
  }

  it("SIGTERM while creating: exit 143, and the report the create made is found and deleted", async () => {
    sandbox = await testSandbox({ faults: { delayedStoreMs: 1500 } });
    const dir = folder();
    const result = await signalled(
      dir,
      ["--out", "q.csv"],
      "SIGTERM",
      () => sandbox!.stats.byRoute["POST contact_activity"] !== undefined,
    );
    expect(result.status).toBe(143);
    expect(sandbox.faults.delayedStoreMs).toBeUndefined(); // the store was delayed (the fault is used up)
    expect(sandbox.stats.reportsCreated).toBe(1);
    expect(sandbox.liveReports()).toEqual([]);
  });

  it("oq reports export: SIGTERM midway gives exit 143 and leaves no partial file", async () => {
    sandbox = await testSandbox({ contacts: 10_000, buildTimeMs: 0 });
    const env = sandboxEnv(sandbox);
    const dir = folder();
    const kept = await runOqAsync(
      ["run", "q.oq", "--keep", "--out", "first.csv", "--json", "--poll-interval", "20ms"],
      { cwd: dir, env },
    );
    const [{ reportId }] = JSON.parse(kept.stdout) as { reportId: string }[];
    sandbox.faults.slowBodyMs = 300;
    let child: ChildProcess | undefined;
    const exporting = runOqAsync(["reports", "export", reportId, "--out", "q.csv"], {
      cwd: dir,
      env,
      onSpawn: (c) => (child = c),
    });
    await until(() => sandbox!.stats.byRoute["GET contact_activity/:id/export"] === 2, "the export to start");
    child!.kill("SIGTERM");
    const result = await exporting;
    expect(result.status).toBe(143);
    expect(existsSync(join(dir, "q.csv"))).toBe(false);
    expect(partFiles(dir)).toEqual([]);
  });

  it("Ctrl-C while the final delete hangs: the report is named; a second Ctrl-C leaves it and says how to delete it", async () => {
    sandbox = await testSandbox({ faults: { hangDeletes: 1 } });
    const dir = folder();
    let child: ChildProcess | undefined;
    let stderr = "";
    const running = run(dir, ["--out", "q.csv"], (c) => {
      child = c;
      c.stderr!.on("data", (text: string) => (stderr += text));
    });
    await until(() => sandbox!.stats.byRoute["DELETE contact_activity/:id"] !== undefined, "the delete");
    const [report] = sandbox.liveReports();
    child!.kill("SIGINT");
    await until(() => stderr.includes(`deleting report ${report!.id}`), "the clean-up to be announced");
    child!.kill("SIGINT");
    const result = await running;
    expect(result.status).toBe(130);
    expect(result.stderr).toContain(
      `oq: q.oq: report ${report!.id} is still in Ongage; delete it with: oq reports delete ${report!.id}`,
    );
    // The CSV was saved before the delete began; the report is honestly left behind.
    expect(readFileSync(join(dir, "q.csv"), "utf8")).toMatch(/^email,/);
    expect(sandbox.liveReports().map((r) => r.id)).toEqual([report!.id]);
    expect(partFiles(dir)).toEqual([]);
  });

  it("the clean-up is bounded: a delete that never answers is given up after cleanupTimeoutMs (library)", async () => {
    sandbox = await testSandbox({ faults: { hangDeletes: 1 } });
    const client = new OngageClient({
      auth: headerAuth(sandbox.credentials),
      baseUrl: sandbox.url,
      listId: sandbox.listId,
    });
    const dir = folder();
    const summary = await runReport({
      client,
      request: compile("in segment 1").payload!,
      destination: { kind: "file", path: join(dir, "x.csv") },
      pollIntervalMs: 20,
      cleanupTimeoutMs: 500,
    });
    expect(sandbox.faults.hangDeletes).toBe(0);
    expect(summary.ok).toBe(false);
    expect(summary.error).toMatch(/could not delete report \d+: the clean-up was cut short/);
    expect(summary.leftBehind).toEqual([summary.reportId]);
    expect(existsSync(join(dir, "x.csv"))).toBe(true);
  });
});
