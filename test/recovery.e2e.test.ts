import { afterEach, describe, expect, it } from "vitest";
import type { Sandbox } from "../src/sandbox/server.js";
import { queryFolder as folder, runQuery } from "./support/lifetime.js";
import { testCredentials, testSandbox } from "./support/sandbox.js";

/*
 * The recovery of creates whose outcome is unknown is tested in process
 * (test/recovery.test.ts). Through the built `oq`: the CLI reads createLookupMs from
 * oq.config.json, and words a report it could not account for as one line that says how to
 * find it, with no credential.
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe("oq run: a create whose answer cannot be read", () => {
  it("create-answer:shape on a report listed later than oq looks: a clear error that says how to find it", async () => {
    sandbox = await testSandbox({ faults: { createAnswer: "shape", lateVisibleMs: 60_000 } });
    const dir = folder({ createLookupMs: 300 });
    const result = await runQuery(sandbox, dir, ["--out", "q.csv"]);
    expect(sandbox.faults.createAnswer).toBeUndefined();
    expect(result.status).toBe(1);
    const [report] = sandbox.liveReports();
    const marker = /^\[oq [0-9a-f]{8}\]/.exec(report!.request.title)![0];
    expect(result.stderr).toMatch(/^oq: q\.oq: [^\n]*Ongage sent a report in an unexpected shape/m);
    expect(result.stderr).toContain(`look in \`oq reports list\` for a title starting with ${marker}`);
    expect(sandbox.stats.reportsCreated).toBe(1);
    for (const secret of Object.values(testCredentials))
      expect(result.stdout + result.stderr).not.toContain(secret);
  });
});
