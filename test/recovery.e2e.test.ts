import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { headerAuth } from "../src/client/auth.js";
import { OngageClient } from "../src/client/client.js";
import { compile } from "../src/index.js";
import { runReport } from "../src/runner/runReport.js";
import { badCreateAnswers } from "../src/sandbox/faults.js";
import type { Sandbox } from "../src/sandbox/server.js";
import type { CliRun } from "./support/cli.js";
import { partFiles, queryFolder as folder, runQuery } from "./support/lifetime.js";
import { testCredentials, testSandbox } from "./support/sandbox.js";

/*
 * Reports made by creates whose outcome is unknown (docs/running.md, "Guarantees"): each is
 * looked for by the run's marker and deleted (or kept with --keep); no report is made twice or
 * outlives the run, whatever the server does with the answer, the listing or the title.
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const run = (dir: string, args: string[]) => runQuery(sandbox!, dir, args);

function expectNoSecret(result: CliRun): void {
  for (const secret of [testCredentials.password, testCredentials.username, testCredentials.accountCode])
    expect(result.stdout + result.stderr).not.toContain(secret);
}

/** The titles of the sandbox's reports. */
function liveTitles(): string[] {
  return sandbox!.liveReports().map((report) => report.request.title);
}

describe("creates whose answer cannot be read", () => {
  it.each(badCreateAnswers)(
    "create-answer:%s: the report is found by its marker, used, and deleted",
    async (kind) => {
      sandbox = await testSandbox({ faults: { createAnswer: kind } });
      const dir = folder();
      const result = await run(dir, ["--out", "q.csv"]);
      expect(sandbox.faults.createAnswer).toBeUndefined(); // the fault happened
      // Nothing but the query's summary line: the unreadable answer was recovered from silently.
      expect(result.stderr).toMatch(/^✓ q\.oq: report 1000 \(deleted\), [^\n]*\n$/);
      expect(result.status).toBe(0);
      expect(readFileSync(join(dir, "q.csv"), "utf8")).toMatch(/^email,/);
      expect(sandbox.stats.reportsCreated).toBe(1);
      expect(sandbox.stats.byRoute["GET contact_activity"]).toBeGreaterThanOrEqual(1);
      expect(sandbox.liveReports()).toEqual([]);
      expect(partFiles(dir)).toEqual([]);
      expectNoSecret(result);
    },
  );

  it("create-answer:html with --keep: the one report made is kept, and its id given", async () => {
    sandbox = await testSandbox({ faults: { createAnswer: "html" } });
    const dir = folder();
    const result = await run(dir, ["--out", "q.csv", "--keep", "--json"]);
    expect(sandbox.faults.createAnswer).toBeUndefined();
    expect(result.status).toBe(0);
    expect(sandbox.stats.reportsCreated).toBe(1);
    const [{ reportId }] = JSON.parse(result.stdout) as { reportId: string }[];
    expect(sandbox.liveReports().map((report) => String(report.id))).toEqual([reportId]);
  });

  it("create-answer:shape on a report listed later than oq looks: a clear error that says how to find it", async () => {
    sandbox = await testSandbox({ faults: { createAnswer: "shape", lateVisibleMs: 60_000 } });
    const dir = folder({ createLookupMs: 300 });
    const result = await run(dir, ["--out", "q.csv"]);
    expect(sandbox.faults.createAnswer).toBeUndefined();
    expect(result.status).toBe(1);
    const [report] = sandbox.liveReports();
    const marker = /^\[oq [0-9a-f]{8}\]/.exec(report!.request.title)![0];
    expect(result.stderr).toContain("Ongage sent a report in an unexpected shape");
    expect(result.stderr).toContain(`look in \`oq reports list\` for a title starting with ${marker}`);
    expect(sandbox.stats.reportsCreated).toBe(1);
    expectNoSecret(result);
  });

  it("create-answer:gzip on a report that then fails: a clear error, and the report deleted", async () => {
    sandbox = await testSandbox({ faults: { createAnswer: "gzip", failReports: true } });
    const dir = folder();
    const result = await run(dir, ["--out", "q.csv"]);
    expect(sandbox.faults.createAnswer).toBeUndefined();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^oq: q\.oq: report \d+ ended with status 3 \(Failed\)$/m);
    expect(sandbox.stats.reportsCreated).toBe(1);
    expect(sandbox.liveReports()).toEqual([]);
  });
});

describe("never a duplicate, never a leftover", () => {
  it("late-visible: a lost create's report listed seconds late is waited for, not made again", async () => {
    sandbox = await testSandbox({ faults: { dropCreateAfterCommit: 1, lateVisibleMs: 2000 } });
    const dir = folder();
    const result = await run(dir, ["--out", "q.csv"]);
    expect(sandbox.faults.dropCreateAfterCommit).toBe(0);
    expect(result.status).toBe(0);
    expect(sandbox.stats.reportsCreated).toBe(1);
    expect(sandbox.liveReports()).toEqual([]);
    expectNoSecret(result);
  });

  it("truncate-titles: the marker comes first, so a shortened title is still found", async () => {
    sandbox = await testSandbox({ faults: { dropCreateAfterCommit: 1, truncateTitles: 24 } });
    const dir = folder();
    const result = await run(dir, ["--out", "q.csv", "--keep", "--json"]);
    expect(result.status).toBe(0);
    expect(sandbox.stats.droppedCreates).toBe(1);
    expect(sandbox.stats.reportsCreated).toBe(1);
    // Kept, to see what Ongage stored: the marker survived the cut.
    expect(liveTitles()).toEqual([expect.stringMatching(/^\[oq [0-9a-f]{8}\] Weekly gma$/)]);
    expect(JSON.parse(result.stdout)[0].title).toMatch(
      /^\[oq [0-9a-f]{8}\] Weekly gmail openers for the marketing team$/,
    );
  });

  it("delayed-store: a create stored only after --timeout cancelled it is found and deleted", async () => {
    sandbox = await testSandbox({ faults: { delayedStoreMs: 4000 } });
    const dir = folder();
    const result = await run(dir, ["--out", "q.csv", "--timeout", "2s"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/oq: q\.oq: the report was not created within 2\.0s \(the timeout\)/);
    expect(sandbox.stats.reportsCreated).toBe(1);
    expect(sandbox.stats.reportsDeleted).toBe(1);
    expect(sandbox.liveReports()).toEqual([]);
    expect(existsSync(join(dir, "q.csv"))).toBe(false);
  });

  it("a second report made while the first was unlisted is noticed at the end, and both are deleted", async () => {
    // Looking for only 300 ms, oq decides the lost create made nothing and creates again; the
    // first report shows up later, and the sweep at the end deletes it too.
    sandbox = await testSandbox({
      buildTimeMs: 4000,
      faults: { dropCreateAfterCommit: 1, lateVisibleMs: 2500 },
    });
    const dir = folder({ createLookupMs: 300 });
    const result = await run(dir, ["--out", "q.csv"]);
    expect(result.status).toBe(0);
    expect(sandbox.stats.droppedCreates).toBe(1);
    expect(sandbox.stats.reportsCreated).toBe(2);
    expect(sandbox.stats.reportsDeleted).toBe(2);
    expect(sandbox.liveReports()).toEqual([]);
  });

  it("delayed-store past the client's own timeout: the duplicate made by the retry is deleted (library)", async () => {
    sandbox = await testSandbox({ buildTimeMs: 3000, faults: { delayedStoreMs: 2000 } });
    const client = new OngageClient({
      auth: headerAuth(sandbox.credentials),
      baseUrl: sandbox.url,
      listId: sandbox.listId,
      timeoutMs: 800,
      createLookupMs: 200,
    });
    const dir = folder();
    const summary = await runReport({
      client,
      request: compile("in segment 1").payload!,
      destination: { kind: "file", path: join(dir, "x.csv") },
      pollIntervalMs: 20,
    });
    expect(summary.ok).toBe(true);
    expect(sandbox.stats.reportsCreated).toBe(2);
    expect(sandbox.stats.reportsDeleted).toBe(2);
    expect(sandbox.liveReports()).toEqual([]);
  });
});
