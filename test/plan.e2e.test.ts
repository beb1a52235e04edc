import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ContactSet } from "../src/emit/planSchema.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { runOqAsync } from "./support/cli.js";
import type { CliRun } from "./support/oqInProcess.js";
import { expectNothingLeft, planFolder, planOf, report } from "./support/planFixture.js";
import { sandboxEnv, testSandbox } from "./support/sandbox.js";
import { until } from "./support/until.js";

/*
 * `oq run --plan` as the built command, for what only a process shows: a real SIGINT during the
 * downloads. What the merged CSV holds, failures and --keep are tested in process
 * (planCommand.test.ts).
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

function runPlanCli(
  dir: string,
  temp: string,
  args: string[],
  onSpawn?: (child: ChildProcess) => void,
): Promise<CliRun> {
  return runOqAsync(["run", "--plan", "plan.json", "--poll-interval", "20ms", ...args], {
    cwd: dir,
    env: sandboxEnv(sandbox!, { TMPDIR: temp }),
    ...(onSpawn ? { onSpawn } : {}),
  });
}

describe("oq run --plan: signals", () => {
  const union: ContactSet = { kind: "union", of: [report(0), report(1), report(2), report(3)] };

  it("SIGINT during the downloads: exit 130, no CSV, every report of the plan deleted, and --json says so", async () => {
    sandbox = await testSandbox({ contacts: 10_000, faults: { slowBodyMs: 300 } });
    const { dir, temp } = planFolder(planOf(union));
    let child: ChildProcess | undefined;
    const running = runPlanCli(dir, temp, ["--out", "merged.csv", "--json"], (c) => (child = c));
    await until(
      () =>
        sandbox!.stats.reportsCreated === 4 &&
        sandbox!.stats.byRoute["GET contact_activity/:id/export"] !== undefined,
      "the reports made and a download under way",
    );
    child!.kill("SIGINT");
    const run = await running;
    expect(run.status).toBe(130);
    expect(run.stderr).toContain("oq: stopping (SIGINT)");
    // What is known after the signal: the reports made, and that they were deleted.
    const [summary] = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ file: "plan.json", ok: false, error: "stopped", deleted: true });
    expect(summary.reports.map((report: { reportId: string }) => report.reportId).sort()).toEqual([
      "1000",
      "1001",
      "1002",
      "1003",
    ]);
    expect(existsSync(join(dir, "merged.csv"))).toBe(false);
    expect(sandbox.stats.reportsDeleted).toBe(4);
    expect(sandbox.liveReports()).toEqual([]);
    expectNothingLeft(dir, temp, run);
  });
});
