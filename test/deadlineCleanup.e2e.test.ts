import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Sandbox } from "../src/sandbox/server.js";
import { queryFolder as folder, runQuery } from "./support/lifetime.js";
import { until } from "./support/until.js";
import { testSandbox } from "./support/sandbox.js";

/*
 * The clean-up after --timeout runs past the deadline (a report must not be left behind because
 * time ran out), but says so at once, and a server that went dead costs it seconds, not minutes
 * (docs/running.md, "--timeout").
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe("the clean-up after the deadline", () => {
  it("is announced on stderr, and a server that stopped answering is given up on soon, naming the report left", async () => {
    sandbox = await testSandbox({ faults: { neverComplete: true } });
    const dir = folder();
    const started = Date.now();
    const running = runQuery(sandbox, dir, ["--out", "q.csv", "--timeout", "2s"]);
    // Once the report exists, the server goes silent: the wait, then the clean-up, meet no answer.
    await until(
      () => (sandbox!.stats.byRoute["GET contact_activity/:id"] ?? 0) > 0,
      "the first status check",
    );
    sandbox.faults.noAnswer = Infinity;
    const result = await running;
    const elapsedMs = Date.now() - started;
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /oq: q\.oq: timed out after 2\.0s; deleting report (\d+) \(at most 3m30s; Ctrl-C to leave it\)\n/,
    );
    const id = /deleting report (\d+)/.exec(result.stderr)![1]!;
    expect(result.stderr).toContain(`oq reports delete ${id}`);
    // The DELETE was sent and met silence, a few times, not for minutes (it was 2 minutes).
    expect(sandbox.stats.unanswered).toBeGreaterThanOrEqual(2);
    expect(elapsedMs).toBeLessThan(60_000);
    expect(sandbox.liveReports().map((report) => String(report.id))).toEqual([id]);
    expect(existsSync(join(dir, "q.csv"))).toBe(false);
  }, 180_000);
});
