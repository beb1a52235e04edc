import { EventEmitter } from "node:events";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import type { Host } from "../src/app/host.js";
import { runJobs } from "../src/app/runJobs.js";
import { runPlan, type PlanOptions, type PlanProgress, type PlanSummary } from "../src/runner/runPlan.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { fakeTimeSandbox, gmailOrOpenersPlan, outFolder, sandboxClient } from "./support/inProcess.js";
import { testSandbox } from "./support/sandbox.js";
import { watchPlanFiles, type PlanFiles } from "./support/planFiles.js";

/*
 * docs/running.md, "Plans", when things go wrong: every report a plan makes is deleted (or kept
 * and named), whatever phase a signal or an error hits, and what cannot be accounted for is
 * named by its marker, as for a single run. The phases are caught through the plan's temporary
 * folder (test/support/planFiles.ts): the signal arrives as the merge begins or spills, the disk
 * fills as the reports are downloaded there or as the merge spills.
 */

let sandbox: Sandbox | undefined;
let files: PlanFiles | undefined;
afterEach(async () => {
  files?.restore();
  files = undefined;
  await sandbox?.close();
  sandbox = undefined;
});

const plan = gmailOrOpenersPlan;

/** A budget small enough that the merge spills its rows to a few partition files. */
const spillingBudget = 2048;

/** runPlan on the real clock against `sandbox`, its CSV to `dir`/merged.csv. */
function runSpillingPlan(dir: string, options: Partial<PlanOptions> = {}) {
  return runPlan({
    client: sandboxClient(sandbox!),
    plan,
    destination: { kind: "file", path: join(dir, "merged.csv") },
    pollIntervalMs: 20,
    mergeBudgetBytes: spillingBudget,
    ...options,
  });
}

const markerOf = (title: string) => /^\[oq [0-9a-f]{8}\]/.exec(title)![0];

describe("a signal while the merged CSV is being written", () => {
  it("deletes every report, writes nothing, and removes the spill folder once the merge stopped writing", async () => {
    sandbox = await testSandbox({ contacts: 2000, buildTimeMs: 0 });
    const stop = new AbortController();
    // Ctrl-C as the merge opens its first partition file; every file after its first is slow to open.
    files = watchPlanFiles({ onOpen: (event) => event === "open" && stop.abort(), slowOpenMs: 5 });
    const states: PlanProgress["state"][] = [];
    const dir = outFolder();
    const summary = await runSpillingPlan(dir, {
      signal: stop.signal,
      onProgress: (event) => states.push(event.state),
    });
    // The signal arrived during the merge, as it spilled, and more partition files followed.
    expect(states.slice(states.indexOf("merging"))).not.toContain("saving");
    expect(files.events.filter((event) => event === "open").length).toBeGreaterThan(1);
    expect(summary).toMatchObject({ ok: false, error: "stopped", deleted: true, leftBehind: [] });
    expect(sandbox.stats.reportsCreated).toBe(2);
    expect(sandbox.stats.reportsDeleted).toBe(2);
    expect(sandbox.liveReports()).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
    // Removed once, after the merge last touched a partition file: nothing of it is left.
    expect(files.events.filter((event) => event === "rm")).toHaveLength(1);
    expect(files.events.at(-1)).toBe("rm");
    expect(existsSync(files.folder!)).toBe(false);
  });

  it("through runJobs (oq run, the REPL's .run): SIGTERM deletes every report and ends by the signal, without a stack trace", async () => {
    sandbox = await testSandbox({ contacts: 2000, buildTimeMs: 0 });
    const host = fakeHost();
    files = watchPlanFiles({ onOpen: (event) => event === "read report-0.csv" && host.emit("SIGTERM") });
    const dir = outFolder();
    const { summaries, stoppedBy } = await runJobs(
      host,
      sandboxClient(sandbox),
      [{ name: "plan.json", destination: { kind: "file", path: join(dir, "merged.csv") }, plan }],
      { pollIntervalMs: 20, timeoutMs: 60_000, outlivesWork: true, listId: sandbox.listId },
    );
    // The signal arrived as the merge began.
    expect(files.events[0]).toBe("read report-0.csv");
    expect(stoppedBy).toBe("SIGTERM");
    expect(host.exits).toEqual([]);
    expect(summaries[0]).toMatchObject({ ok: false, error: "stopped", deleted: true });
    expect(host.stderr.text).toContain("oq: stopping (SIGTERM)");
    expect(host.stderr.text).toMatch(/^oq: plan\.json: stopped$/m);
    expect(host.stderr.text).not.toMatch(/^\s+at /m);
    expect(sandbox.stats.reportsDeleted).toBe(2);
    expect(sandbox.liveReports()).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(files.folder!)).toBe(false);
  });
});

describe("a full temp folder during a plan", () => {
  it("keeps every report and lists them (the results are saved nowhere), and names the folder in words", async () => {
    sandbox = await testSandbox({ contacts: 2000, buildTimeMs: 0 });
    files = watchPlanFiles({ fullSpill: true });
    const dir = outFolder();
    const summary = await runSpillingPlan(dir);
    // The disk was full: a partition write was refused.
    expect(files.events).toContain("ENOSPC");
    const ids = summary.reports.map((report) => report.reportId);
    expect(summary.ok).toBe(false);
    expect(summary.error).toContain(
      `could not write the merge's temporary files in ${files.folder}: no space left on device (ENOSPC)`,
    );
    expect(summary.error).not.toContain("ENOSPC: no space left on device, write");
    expect(summary.error).toContain(`the plan's reports are kept in Ongage (${ids.join(", ")})`);
    expect(summary.deleted).toBe(false);
    expect(summary.leftBehind).toEqual([]);
    expect(sandbox.stats.reportsDeleted).toBe(0);
    expect(sandbox.liveReports()).toHaveLength(2);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(files.folder!)).toBe(false);
  });

  it("as a report is downloaded into it: every report kept and listed", async () => {
    sandbox = await testSandbox({ buildTimeMs: 0 });
    files = watchPlanFiles({ fullDownloads: true });
    const dir = outFolder();
    const summary = await runSpillingPlan(dir);
    expect(files.events).toContain("ENOSPC"); // the disk was full
    const ids = summary.reports.map((report) => report.reportId);
    expect(ids).not.toContain(undefined);
    expect(summary.ok).toBe(false);
    expect(summary.error).toMatch(
      /^report \d of 2 \(\d+\): could not save the CSV to .*oq-plan-.*: no space left on device \(ENOSPC\)/,
    );
    expect(summary.error).toContain(`the plan's reports are kept in Ongage (${ids.join(", ")})`);
    expect(sandbox.stats.reportsDeleted).toBe(0);
    expect(sandbox.liveReports()).toHaveLength(2);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(files.folder!)).toBe(false);
  });
});

describe("a temp folder that cannot be made", () => {
  it("fails the plan in words before any report is made", async () => {
    sandbox = await testSandbox();
    const saved = process.env["TMPDIR"];
    const dir = outFolder();
    const missing = join(dir, "missing");
    process.env["TMPDIR"] = missing;
    try {
      const summary = await runSpillingPlan(dir);
      expect(summary.ok).toBe(false);
      expect(summary.error).toBe(
        `could not make a temporary folder in ${missing}: no such file or directory (ENOENT)`,
      );
      expect(sandbox.stats.requests).toBe(0);
    } finally {
      if (saved === undefined) delete process.env["TMPDIR"];
      else process.env["TMPDIR"] = saved;
    }
  });
});

describe("a plan names every report it may have left, as a single run does", () => {
  it("one part fails while another's create is in flight: that create's marker is named", async () => {
    // The first create is stored (unlisted) 5 s after it arrives; every report fails.
    const wired = await fakeTimeSandbox({
      faults: { failReports: true, delayedStoreMs: 5000, lateVisibleMs: 3_600_000 },
    });
    sandbox = wired.sandbox;
    const summary = await wired.clock.run(
      runPlan({
        client: wired.client,
        plan,
        destination: { kind: "file", path: join(outFolder(), "merged.csv") },
        pollIntervalMs: 100,
      }),
    );
    expect(sandbox.faults.delayedStoreMs).toBeUndefined(); // the fault happened
    expect(sandbox.stats.reportsCreated).toBe(2);
    const left = sandbox.liveReports();
    expect(left).toHaveLength(1);
    const marker = markerOf(left[0]!.request.title);
    expect(summary.ok).toBe(false);
    expect(summary.error).toMatch(/^report \d of 2 \(\d+\): report \d+ ended with status 3 \(Failed\)/);
    expect(summary.error).toContain(`look in Ongage's list of reports for a title starting with ${marker}`);
    const stopped = summary.reports.find((report) => report.reportId === undefined)!;
    expect(stopped.unaccountedCreates).toEqual({ marker, count: 1 });
  });

  it("Ctrl-C during another part's look-up for a lost create: its marker is named, the other report deleted", async () => {
    const stop = new AbortController();
    // The first create's answer is lost, and its report is not listed for an hour.
    const wired = await fakeTimeSandbox(
      { faults: { dropCreateAfterCommit: 1, lateVisibleMs: 3_600_000 } },
      {
        onEvent: (event) => {
          if (event.type === "call" && event.method === "GET" && event.path === "contact_activity")
            stop.abort();
        },
      },
    );
    sandbox = wired.sandbox;
    const summary = await wired.clock.run(
      runPlan({
        client: wired.client,
        plan,
        destination: { kind: "file", path: join(outFolder(), "merged.csv") },
        pollIntervalMs: 100,
        signal: stop.signal,
      }),
    );
    expect(sandbox.stats.droppedCreates).toBe(1); // the fault happened
    expect(stop.signal.aborted).toBe(true);
    expect(sandbox.stats.reportsCreated).toBe(2);
    const left = sandbox.liveReports();
    expect(left).toHaveLength(1);
    const marker = markerOf(left[0]!.request.title);
    expect(summary.ok).toBe(false);
    expect(summary.error).toMatch(/^stopped; report \d of 2: /);
    expect(summary.error).toContain(`for a title starting with ${marker}`);
    expect(sandbox.stats.reportsDeleted).toBe(1);
  });

  it("through runJobs, Ctrl-C during a look-up for a lost create: the known reports are deleted at once, each said once, within the signal's 15 s", async () => {
    // The first create's answer is lost and its report listed only after 10 minutes; the
    // reports take a minute to build, and SIGINT comes 20 s in, as `kill -INT` does.
    const wired = await fakeTimeSandbox({
      buildTimeMs: 60_000,
      faults: { dropCreateAfterCommit: 1, lateVisibleMs: 600_000 },
    });
    sandbox = wired.sandbox;
    const host = fakeHost();
    let stoppedAt = 0;
    wired.clock.after(20_000, () => {
      stoppedAt = wired.clock.now();
      host.emit("SIGINT");
    });
    const { summaries, stoppedBy } = await wired.clock.run(
      runJobs(
        host,
        wired.client,
        [{ name: "plan.json", destination: { kind: "file", path: join(outFolder(), "merged.csv") }, plan }],
        { pollIntervalMs: 100, timeoutMs: 600_000, outlivesWork: true, listId: sandbox.listId },
      ),
    );
    expect(sandbox.stats.droppedCreates).toBe(1); // the fault happened
    expect(stoppedBy).toBe("SIGINT"); // so did the signal
    // The clean-up ended within the 15 s the signal leaves it (app/interrupt.ts), on oq's clock.
    expect(wired.clock.now() - stoppedAt).toBeLessThanOrEqual(15_000);
    expect(sandbox.stats.reportsCreated).toBe(3);
    expect(sandbox.stats.reportsDeleted).toBe(2);
    const [lost] = sandbox.liveReports();
    const marker = markerOf(lost!.request.title);
    const summary = summaries[0] as PlanSummary;
    expect(summary.ok).toBe(false);
    expect(summary.leftBehind).toEqual([]);
    expect(summary.reports.map((report) => report.deleted)).toEqual([true, true]);
    expect(summary.error).toContain(`for a title starting with ${marker}`);
    expect(summary.error).not.toContain("cut short");
    // Each report named once as it is deleted.
    const said = host.stderr.text
      .match(/deleting reports? [\d, ]+/g)!
      .join(", ")
      .match(/\d+/g)!;
    expect([...said].sort()).toEqual(summary.reports.map((report) => report.reportId!).sort());
  });

  it("Ctrl-C while a create is in flight: the report found by its marker is deleted, and its summary says so", async () => {
    // The first create is stored 1.5 s after it arrives; the signal comes as it arrives.
    const wired = await fakeTimeSandbox({ faults: { delayedStoreMs: 1500 } });
    sandbox = wired.sandbox;
    const stop = new AbortController();
    const running = wired.clock.run(
      runPlan({
        client: wired.client,
        plan,
        destination: { kind: "file", path: join(outFolder(), "merged.csv") },
        pollIntervalMs: 100,
        signal: stop.signal,
      }),
    );
    const aborted = (async () => {
      while (!wired.sandbox.stats.byRoute["POST contact_activity"])
        await new Promise((resolve) => setTimeout(resolve, 1));
      stop.abort();
    })();
    const summary = await running;
    await aborted;
    expect(sandbox.faults.delayedStoreMs).toBeUndefined(); // the store was delayed (the fault is used up)
    expect(sandbox.liveReports()).toEqual([]);
    const made = sandbox.stats.reportsCreated;
    expect(made).toBeGreaterThanOrEqual(1);
    expect(sandbox.stats.reportsDeleted).toBe(made);
    // Every report made is in the summary, deleted: none is missing because its create did not answer.
    const named = summary.reports.filter((report) => report.reportId !== undefined);
    expect(named).toHaveLength(made);
    expect(named.every((report) => report.deleted)).toBe(true);
    expect(summary.deleted).toBe(true);
  });

  it("--keep with a failing part: the error lists every report kept", async () => {
    const wired = await fakeTimeSandbox({ buildTimeMs: 1000 });
    sandbox = wired.sandbox;
    const ids = new Map<number, string>();
    const onProgress = (event: PlanProgress) => {
      if (event.report === undefined || event.reportId === undefined || ids.has(event.report)) return;
      ids.set(event.report, event.reportId);
      if (ids.size < 2) return;
      // Both exist: report 2 ends in failure, report 1 never completes.
      for (const report of sandbox!.liveReports()) {
        if (String(report.id) === ids.get(1)) report.failed = true;
        if (String(report.id) === ids.get(0)) report.readyAt = Infinity;
      }
    };
    const summary = await wired.clock.run(
      runPlan({
        client: wired.client,
        plan,
        destination: { kind: "file", path: join(outFolder(), "merged.csv") },
        pollIntervalMs: 100,
        keep: true,
        onProgress,
      }),
    );
    expect(summary.ok).toBe(false);
    expect(summary.error).toMatch(new RegExp(`^report 2 of 2 \\(${ids.get(1)}\\): `));
    expect(summary.error).toContain(
      `the plan's reports are kept in Ongage (--keep): ${ids.get(0)}, ${ids.get(1)}`,
    );
    expect(sandbox.stats.reportsDeleted).toBe(0);
    expect(sandbox.liveReports()).toHaveLength(2);
  });
});

/** A host process for runJobs: its signals are emitted by the test, its stderr kept as text. */
function fakeHost(): Host & EventEmitter & { exits: number[]; stderr: { text: string } } {
  const stderr = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        stderr.text += chunk.toString();
        done();
      },
    }),
    { text: "" },
  );
  const exits: number[] = [];
  return Object.assign(new EventEmitter(), {
    stderr,
    exits,
    exit: (code?: number) => void exits.push(code ?? 0),
    cwd: () => process.cwd(),
  }) as unknown as Host & EventEmitter & { exits: number[]; stderr: { text: string } };
}
