import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { headerAuth } from "../src/client/auth.js";
import { OngageClient } from "../src/client/client.js";
import { compile } from "../src/index.js";
import { runReport } from "../src/runner/runReport.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { queryFolder as folder, runQuery } from "./support/lifetime.js";
import { testSandbox } from "./support/sandbox.js";

/*
 * A create whose answer was lost, and whose report Ongage lists late, is never left behind
 * silently: the end of the run looks for it longer than the create's own look-up, and a run
 * that still cannot account for it says so and fails (docs/running.md, "When things go wrong").
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe("a lost create listed late, after the run made another", () => {
  it("the end of the run waits for the late listing and deletes both: exit 0, none left", async () => {
    // The report builds at once, so the run ends long before Ongage lists the lost create's report.
    sandbox = await testSandbox({
      buildTimeMs: 50,
      faults: { dropCreateAfterCommit: 1, lateVisibleMs: 2500 },
    });
    const dir = folder({ createLookupMs: 300 });
    const result = await runQuery(sandbox, dir, ["--out", "q.csv", "--json"]);
    expect(sandbox.stats.reportsCreated).toBe(2);
    expect(result.status).toBe(0);
    expect(sandbox.stats.reportsDeleted).toBe(2);
    expect(sandbox.liveReports()).toEqual([]);
    const [summary] = JSON.parse(result.stdout) as Array<{
      ok: boolean;
      leftBehind: string[];
      unaccountedCreates?: unknown;
    }>;
    expect(summary).toMatchObject({ ok: true, leftBehind: [] });
    expect(summary!.unaccountedCreates).toBeUndefined();
    expect(existsSync(join(dir, "q.csv"))).toBe(true);
  });

  it("listed later than the clean-up can wait: the run fails and names the marker to look for (library)", async () => {
    sandbox = await testSandbox({
      buildTimeMs: 50,
      faults: { dropCreateAfterCommit: 1, lateVisibleMs: 600_000 },
    });
    const client = new OngageClient({
      auth: headerAuth(sandbox.credentials),
      baseUrl: sandbox.url,
      listId: sandbox.listId,
      createLookupMs: 200,
    });
    const dir = folder();
    const summary = await runReport({
      client,
      request: compile("in segment 1").payload!,
      destination: { kind: "file", path: join(dir, "x.csv") },
      pollIntervalMs: 20,
      cleanupTimeoutMs: 3000,
    });
    expect(sandbox.stats.reportsCreated).toBe(2);
    expect(sandbox.stats.reportsDeleted).toBe(1);
    expect(sandbox.liveReports()).toHaveLength(1);
    expect(existsSync(join(dir, "x.csv"))).toBe(true);
    expect(summary.ok).toBe(false);
    const marker = summary.title.slice(0, summary.title.indexOf("]") + 1);
    expect(summary.unaccountedCreates).toEqual({ marker, count: 1 });
    // The library names no command of the CLI (oq run's words come from app/recoveryCommands.ts).
    expect(summary.error).toContain(`look in Ongage's list of reports for a title starting with ${marker}`);
    expect(sandbox.liveReports()[0]!.request.title.startsWith(marker)).toBe(true);
  });
});
