import { spawn } from "node:child_process";
import { closeSync, openSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import type { Sandbox } from "../src/sandbox/server.js";
import { oqBin } from "./support/cli.js";
import { scratch } from "./support/scratch.js";
import { sandboxEnv, testSandbox } from "./support/sandbox.js";

/*
 * The two cases of the file below that need a real process (a full disk under stdout, a reader
 * that leaves the pipe); the rest run in process: test/outputCommands.test.ts.
 * What the user gets from `oq run`, `oq reports export` and `oq fields pull`: files where they
 * asked, never a bad or partial CSV, never a report deleted before its CSV is saved, one clear
 * line per failure, one summary line per query, and nothing that drives the terminal. What the
 * runner does with an export that is not a whole CSV, and the CSV's file mode, are tested in
 * process: test/output.test.ts.
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const query = "in segment 1234567890\nduring 120d\nselect email, ocx_status, opens, last_open_date\n";
const exportRoute = "GET contact_activity/:id/export";

/** A scratch folder with q.oq (or the given files), named with no run of the test credentials. */
const folder = (files: Record<string, string> = { "q.oq": query }): string => scratch(files, "oq-output-");

describe("a CSV that cannot be saved keeps its report", () => {
  it("stdout on a full disk (/dev/full): exit 1, the report kept and the command printed, one export", async () => {
    sandbox = await testSandbox();
    const dir = folder();
    const full = openSync("/dev/full", "w");
    const env = { ...process.env, ...sandboxEnv(sandbox) } as NodeJS.ProcessEnv;
    const child = spawn(process.execPath, [oqBin, "run", "q.oq", "--poll-interval", "20ms"], {
      cwd: dir,
      env,
      stdio: ["ignore", full, "pipe"],
    });
    closeSync(full);
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(status).toBe(1);
    expect(sandbox.stats.byRoute[exportRoute]).toBe(1);
    const [id] = sandbox.liveReports().map((report) => String(report.id));
    expect(id).toBeDefined();
    expect(stderr).toContain("could not save the CSV to stdout: no space left on device (ENOSPC)");
    expect(stderr).toContain(
      `report ${id} is kept in Ongage: fetch its CSV with: oq reports export ${id} --list-id ${sandbox.listId} --out report-${id}.csv`,
    );
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith(`oq-export-${child.pid}-`))).toEqual([]);
  });
});

describe("a reader that leaves (oq run q.oq | head -1)", () => {
  it("stops at once: one export, the report deleted, exit 0, no stack trace", async () => {
    sandbox = await testSandbox({ contacts: 20_000 });
    const dir = folder();
    const env = { ...process.env, ...sandboxEnv(sandbox) } as NodeJS.ProcessEnv;
    const child = spawn(process.execPath, [oqBin, "run", "q.oq", "--poll-interval", "20ms"], {
      cwd: dir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    // Read the first chunk, then close the pipe, as `head -1` does.
    child.stdout.once("data", () => child.stdout.destroy());
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(sandbox.stats.byRoute[exportRoute]).toBe(1);
    expect(sandbox.stats.reportsDeleted).toBe(1);
    expect(sandbox.liveReports()).toEqual([]);
    expect(status).toBe(0);
    expect(stderr).toMatch(
      /^oq: q\.oq: stopped: could not save the CSV to stdout: broken pipe \(EPIPE\); report 1000 deleted\n$/,
    );
  });
});
