import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Sandbox } from "../src/sandbox/server.js";
import { runOqAsync } from "./support/cli.js";
import type { CliRun } from "./support/oqInProcess.js";
import { keptReport } from "./support/inProcess.js";
import { partFiles, queryFolder as folder, runQuery } from "./support/lifetime.js";
import { until } from "./support/until.js";
import { sandboxEnv, testSandbox } from "./support/sandbox.js";

/*
 * The end of a run as OS signals drive it (docs/running.md, "Guarantees"): SIGINT, SIGTERM and
 * SIGHUP all clean up and exit 128+signal, and a second signal abandons the clean-up, naming
 * what is left. What the runner does when its signal is aborted (during the create, the wait or
 * the download), the deadline and the clean-up's bound: test/faults.test.ts, in process.
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const run = (dir: string, args: string[], onSpawn?: (child: ChildProcess) => void) =>
  runQuery(sandbox!, dir, args, onSpawn);

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
    it(`${signal} during a download: exit ${code}, no CSV, no .part file, the report deleted, and --json says so`, async () => {
      sandbox = await testSandbox({ contacts: 10_000, faults: { slowBodyMs: 300 } });
      const dir = folder();
      const result = await signalled(
        dir,
        ["--out", "q.csv", "--json"],
        signal,
        () => sandbox!.stats.byRoute["GET contact_activity/:id/export"] !== undefined,
      );
      expect(result.status).toBe(code);
      expect(result.stderr).toContain(`oq: stopping (${signal})`);
      // What is known after the signal: the report made, and that it was deleted.
      const [summary] = JSON.parse(result.stdout);
      expect(summary).toMatchObject({ ok: false, error: "stopped", reportId: "1000", deleted: true });
      expect(existsSync(join(dir, "q.csv"))).toBe(false);
      expect(partFiles(dir)).toEqual([]);
      expect(sandbox.stats.reportsDeleted).toBe(1);
      expect(sandbox.liveReports()).toEqual([]);
    });
  }

  it("oq reports export: SIGTERM midway gives exit 143 and leaves no partial file", async () => {
    sandbox = await testSandbox({ contacts: 10_000, buildTimeMs: 0 });
    const env = sandboxEnv(sandbox);
    const dir = folder();
    const reportId = await keptReport(sandbox);
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
});
