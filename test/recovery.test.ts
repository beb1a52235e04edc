import { existsSync, readdirSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { OngageClientOptions } from "../src/client/client.js";
import { badCreateAnswers } from "../src/sandbox/faults.js";
import type { Sandbox, SandboxOptions } from "../src/sandbox/server.js";
import { fakeTimeSandbox, holdsSecret, runLifetime, type LifetimeRun } from "./support/inProcess.js";

/*
 * Reports made by creates whose outcome is unknown (docs/running.md, "Guarantees"): each is
 * looked for by the run's marker and deleted (or kept with --keep); no report is made twice or
 * outlives the run, whatever the server does with the answer, the listing or the title. In
 * process, on a fake clock (runReport as `oq run` drives it); the CLI's reading of
 * createLookupMs and its wording of such an error: test/recovery.e2e.test.ts.
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function wire(options: SandboxOptions, clientOptions: Partial<OngageClientOptions> = {}) {
  const wired = await fakeTimeSandbox(options, clientOptions);
  sandbox = wired.sandbox;
  return wired;
}

/** No credential in anything the run gives a user: its summary and its progress. */
function expectNoSecret(run: LifetimeRun): void {
  expect(holdsSecret(JSON.stringify(run.summary) + JSON.stringify(run.progress))).toBe(false);
}

const partFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith(".part"));

describe("creates whose answer cannot be read", () => {
  it.each(badCreateAnswers)(
    "create-answer:%s: the report is found by its marker, used, and deleted",
    async (kind) => {
      const wired = await wire({ faults: { createAnswer: kind } });
      const run = await runLifetime(wired);
      expect(wired.sandbox.faults.createAnswer).toBeUndefined(); // the fault happened
      // Recovered from silently: no error, nothing left, nothing unaccounted for.
      expect(run.summary.error).toBeUndefined();
      expect(run.summary).toMatchObject({ ok: true, deleted: true, leftBehind: [] });
      expect(run.summary.unaccountedCreates).toBeUndefined();
      expect(readFileSync(run.csv, "utf8")).toMatch(/^email,/);
      expect(wired.sandbox.stats.reportsCreated).toBe(1);
      expect(wired.sandbox.stats.byRoute["GET contact_activity"]).toBeGreaterThanOrEqual(1);
      expect(wired.sandbox.liveReports()).toEqual([]);
      expect(partFiles(run.dir)).toEqual([]);
      expectNoSecret(run);
    },
  );

  it("create-answer:html with --keep: the one report made is kept, and its id given", async () => {
    const wired = await wire({ faults: { createAnswer: "html" } });
    const run = await runLifetime(wired, { keep: true });
    expect(wired.sandbox.faults.createAnswer).toBeUndefined();
    expect(run.summary.ok).toBe(true);
    expect(wired.sandbox.stats.reportsCreated).toBe(1);
    expect(run.summary.reportId).toBeDefined();
    expect(wired.sandbox.liveReports().map((report) => String(report.id))).toEqual([run.summary.reportId]);
  });

  it("create-answer:shape on a report listed later than oq looks: a clear error that says how to find it", async () => {
    const wired = await wire(
      { faults: { createAnswer: "shape", lateVisibleMs: 60_000 } },
      { createLookupMs: 300 },
    );
    const run = await runLifetime(wired);
    expect(wired.sandbox.faults.createAnswer).toBeUndefined();
    expect(run.summary.ok).toBe(false);
    const [report] = wired.sandbox.liveReports();
    const marker = /^\[oq [0-9a-f]{8}\]/.exec(report!.request.title)![0];
    expect(run.summary.error).toContain("Ongage sent a report in an unexpected shape");
    expect(run.summary.error).toContain(`look in \`oq reports list\` for a title starting with ${marker}`);
    expect(wired.sandbox.stats.reportsCreated).toBe(1);
    expectNoSecret(run);
  });

  it("create-answer:gzip on a report that then fails: a clear error, and the report deleted", async () => {
    const wired = await wire({ faults: { createAnswer: "gzip", failReports: true } });
    const run = await runLifetime(wired);
    expect(wired.sandbox.faults.createAnswer).toBeUndefined();
    expect(run.summary.ok).toBe(false);
    expect(run.summary.error).toMatch(/^report \d+ ended with status 3 \(Failed\)$/);
    expect(wired.sandbox.stats.reportsCreated).toBe(1);
    expect(wired.sandbox.liveReports()).toEqual([]);
  });
});

describe("never a duplicate, never a leftover", () => {
  it("late-visible: a lost create's report listed seconds late is waited for, not made again", async () => {
    const wired = await wire({ faults: { dropCreateAfterCommit: 1, lateVisibleMs: 2000 } });
    const run = await runLifetime(wired);
    expect(wired.sandbox.faults.dropCreateAfterCommit).toBe(0);
    expect(run.summary.error).toBeUndefined();
    expect(run.summary.ok).toBe(true);
    expect(wired.sandbox.stats.reportsCreated).toBe(1);
    expect(wired.sandbox.liveReports()).toEqual([]);
    expectNoSecret(run);
  });

  it("truncate-titles: the marker comes first, so a shortened title is still found", async () => {
    const wired = await wire({ faults: { dropCreateAfterCommit: 1, truncateTitles: 24 } });
    const run = await runLifetime(wired, { keep: true });
    expect(run.summary.ok).toBe(true);
    expect(wired.sandbox.stats.droppedCreates).toBe(1);
    expect(wired.sandbox.stats.reportsCreated).toBe(1);
    // Kept, to see what Ongage stored: the marker survived the cut.
    expect(wired.sandbox.liveReports().map((report) => report.request.title)).toEqual([
      expect.stringMatching(/^\[oq [0-9a-f]{8}\] Weekly gma$/),
    ]);
    expect(run.summary.title).toMatch(/^\[oq [0-9a-f]{8}\] Weekly gmail openers for the marketing team$/);
  });

  it("delayed-store: a create stored only after --timeout cancelled it is found and deleted", async () => {
    const wired = await wire({ faults: { delayedStoreMs: 4000 } });
    const run = await runLifetime(wired, { timeoutMs: 2000 });
    expect(run.summary.ok).toBe(false);
    expect(run.summary.error).toMatch(/^the report was not created within 2\.0s \(the timeout\)/);
    expect(wired.sandbox.stats.reportsCreated).toBe(1);
    expect(wired.sandbox.stats.reportsDeleted).toBe(1);
    expect(wired.sandbox.liveReports()).toEqual([]);
    expect(existsSync(run.csv)).toBe(false);
  });

  it("a second report made while the first was unlisted is noticed at the end, and both are deleted", async () => {
    // Looking for only 300 ms, oq decides the lost create made nothing and creates again; the
    // first report shows up later, and the sweep at the end deletes it too.
    const wired = await wire(
      { buildTimeMs: 4000, faults: { dropCreateAfterCommit: 1, lateVisibleMs: 2500 } },
      { createLookupMs: 300 },
    );
    const run = await runLifetime(wired);
    expect(run.summary.ok).toBe(true);
    expect(wired.sandbox.stats.droppedCreates).toBe(1);
    expect(wired.sandbox.stats.reportsCreated).toBe(2);
    expect(wired.sandbox.stats.reportsDeleted).toBe(2);
    expect(wired.sandbox.liveReports()).toEqual([]);
  });

  it("delayed-store past the client's own timeout: the duplicate made by the retry is deleted", async () => {
    const wired = await wire(
      { buildTimeMs: 3000, faults: { delayedStoreMs: 2000 } },
      { timeoutMs: 800, createLookupMs: 200 },
    );
    const run = await runLifetime(wired);
    expect(run.summary.ok).toBe(true);
    expect(wired.sandbox.stats.reportsCreated).toBe(2);
    expect(wired.sandbox.stats.reportsDeleted).toBe(2);
    expect(wired.sandbox.liveReports()).toEqual([]);
  });
});

/*
 * A create whose answer was lost, and whose report Ongage lists late, is never left behind
 * silently: the end of the run looks for it longer than the create's own look-up, and a run
 * that still cannot account for it says so and fails (docs/running.md, "When things go wrong").
 */
describe("a lost create listed late, after the run made another", () => {
  it("the end of the run waits for the late listing and deletes both: ok, none left", async () => {
    // The report builds at once, so the run ends long before Ongage lists the lost create's report.
    const wired = await wire(
      { buildTimeMs: 50, faults: { dropCreateAfterCommit: 1, lateVisibleMs: 2500 } },
      { createLookupMs: 300 },
    );
    const run = await runLifetime(wired);
    expect(wired.sandbox.stats.reportsCreated).toBe(2);
    expect(run.summary).toMatchObject({ ok: true, leftBehind: [] });
    expect(run.summary.unaccountedCreates).toBeUndefined();
    expect(wired.sandbox.stats.reportsDeleted).toBe(2);
    expect(wired.sandbox.liveReports()).toEqual([]);
    expect(existsSync(run.csv)).toBe(true);
  });

  it("listed later than the clean-up can wait: the run fails and names the marker to look for", async () => {
    const wired = await wire(
      { buildTimeMs: 50, faults: { dropCreateAfterCommit: 1, lateVisibleMs: 600_000 } },
      { createLookupMs: 200 },
    );
    const run = await runLifetime(wired, { cleanupTimeoutMs: 3000 });
    const { summary } = run;
    expect(wired.sandbox.stats.reportsCreated).toBe(2);
    expect(wired.sandbox.stats.reportsDeleted).toBe(1);
    expect(wired.sandbox.liveReports()).toHaveLength(1);
    expect(existsSync(run.csv)).toBe(true);
    expect(summary.ok).toBe(false);
    const marker = summary.title.slice(0, summary.title.indexOf("]") + 1);
    expect(summary.unaccountedCreates).toEqual({ marker, count: 1 });
    expect(summary.error).toContain(`look in \`oq reports list\` for a title starting with ${marker}`);
    expect(wired.sandbox.liveReports()[0]!.request.title.startsWith(marker)).toBe(true);
  });
});

/*
 * After a signal the clean-up has 15 s (app/interrupt.ts), not the 3½ minutes it has otherwise:
 * the report whose id is known is deleted at once, while the lost create is looked for, and the
 * look-up ends within that bound, naming the marker of what it could not find.
 */
describe("a signal while a lost create is looked for", () => {
  it("the known report is deleted at once; the look-up fits in the signal's bound and names the marker", async () => {
    // The first create's answer is lost and its report listed only after 10 minutes: the run
    // creates again (report 1001, 60 s to build) and is stopped 20 s in, as `kill -INT` does.
    const wired = await wire({
      buildTimeMs: 60_000,
      faults: { dropCreateAfterCommit: 1, lateVisibleMs: 600_000 },
    });
    const stop = new AbortController();
    const leave = new AbortController();
    let stoppedAt = 0;
    wired.clock.after(20_000, () => {
      stoppedAt = wired.clock.now();
      stop.abort();
      // As app/interrupt.ts does: the clean-up is abandoned 15 s after the signal.
      wired.clock.after(15_000, () => leave.abort());
    });
    const run = await runLifetime(wired, {
      signal: stop.signal,
      cleanupSignal: leave.signal,
      cleanupAfterStopMs: 15_000,
    });
    const { summary } = run;
    expect(wired.sandbox.stats.droppedCreates).toBe(1); // the fault happened
    expect(stop.signal.aborted).toBe(true); // so did the signal, before the clean-up's bound
    expect(wired.sandbox.stats.reportsCreated).toBe(2);
    expect(wired.sandbox.stats.reportsDeleted).toBe(1);
    expect(summary).toMatchObject({ ok: false, deleted: true, leftBehind: [] });
    expect(summary.error).not.toContain("cut short");
    expect(leave.signal.aborted).toBe(false); // the clean-up ended within the signal's bound
    expect(wired.clock.now() - stoppedAt).toBeLessThanOrEqual(15_000);
    const [lost] = wired.sandbox.liveReports();
    const marker = summary.title.slice(0, summary.title.indexOf("]") + 1);
    expect(lost!.request.title.startsWith(marker)).toBe(true);
    expect(String(lost!.id)).not.toBe(summary.reportId);
    expect(summary.unaccountedCreates).toEqual({ marker, count: 1 });
    expect(summary.error).toContain(`look in \`oq reports list\` for a title starting with ${marker}`);
  });
});
