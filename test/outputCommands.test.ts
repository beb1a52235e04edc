import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Sandbox } from "../src/sandbox/server.js";
import { runReport } from "../src/runner/runReport.js";
import { oq, type CliRun } from "./support/oqInProcess.js";
import { outFolder, request, sandboxClient } from "./support/inProcess.js";
import { scratch } from "./support/scratch.js";
import { sandboxEnv, testCredentials, testSandbox } from "./support/sandbox.js";
import { until } from "./support/until.js";

/*
 * (In process: test/support/oqInProcess.ts. A full disk under stdout and a reader that leaves
 * need a real process: output.e2e.test.ts.)
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

function partFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith(".part") || name.endsWith(".tmp"));
}

/** One clear line per failure: no stack trace, no credential. */
function expectCleanFailure(run: CliRun): void {
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stdout + run.stderr).not.toContain(testCredentials.password);
}

/** The CSV a run of q.oq without faults gives, from a sandbox with the same data (in process). */
async function cleanCsv(): Promise<string> {
  const clean = await testSandbox();
  try {
    const path = join(outFolder(), "clean.csv");
    const summary = await runReport({
      client: sandboxClient(clean),
      request: request(query),
      destination: { kind: "file", path },
      pollIntervalMs: 20,
    });
    expect(summary.ok).toBe(true);
    return readFileSync(path, "utf8");
  } finally {
    await clean.close();
  }
}

describe("--out is checked before anything is sent", () => {
  it("an existing folder, with or without a final slash, gets <query>.csv inside it", async () => {
    sandbox = await testSandbox();
    const dir = folder();
    mkdirSync(join(dir, "results"));
    for (const out of ["results", "results/"]) {
      const run = await oq(["run", "q.oq", "--out", out, "--poll-interval", "20ms"], {
        cwd: dir,
        env: sandboxEnv(sandbox),
      });
      expect(run.status).toBe(0);
      expect(run.stderr).toContain("→ results/q.csv");
      expect(readdirSync(join(dir, "results"))).toEqual(["q.csv"]);
    }
    expect(readFileSync(join(dir, "results", "q.csv"), "utf8")).toBe(await cleanCsv());
    expect(sandbox.stats.reportsCreated).toBe(2);
    expect(sandbox.liveReports()).toEqual([]);
  });

  it("a missing folder, a file as a folder, or a folder where the CSV would go: usage errors (exit 2) before any call", async () => {
    sandbox = await testSandbox();
    const dir = folder({ "q.oq": query, "plain.txt": "x" });
    mkdirSync(join(dir, "out", "q.csv"), { recursive: true });
    const cases: [string[], RegExp][] = [
      [["--out", "missing/q.csv"], /--out: the folder .*missing does not exist/],
      [["--out", "plain.txt/q.csv"], /--out: .*plain\.txt is not a folder/],
      [["--out", "out"], /--out: .*out\/q\.csv is a folder, not a file/],
      [["--out", "/dev/null"], /--out: \/dev\/null is not a regular file/],
    ];
    for (const [args, message] of cases) {
      const run = await oq(["run", "q.oq", ...args, "--poll-interval", "20ms"], {
        cwd: dir,
        env: sandboxEnv(sandbox),
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expectCleanFailure(run);
    }
    expect(sandbox.stats.requests).toBe(0);
  });
});

describe("a CSV that cannot be saved keeps its report", () => {
  it("the folder removed while the report builds: exit 1, the report kept, its id and the command that fetches it printed, no retry", async () => {
    sandbox = await testSandbox({ buildTimeMs: 1500 });
    const dir = folder();
    mkdirSync(join(dir, "out"));
    const env = sandboxEnv(sandbox);
    const running = oq(["run", "q.oq", "--out", "out/q.csv", "--poll-interval", "20ms", "--json"], {
      cwd: dir,
      env,
    });
    await until(() => sandbox!.stats.reportsCreated === 1, "the report to be created");
    rmSync(join(dir, "out"), { recursive: true });
    const run = await running;
    expect(run.status).toBe(1);
    // The temporary file is made before the export is asked for: it could not be, so no export.
    expect(sandbox.stats.byRoute[exportRoute]).toBeUndefined();
    expect(sandbox.stats.reportsDeleted).toBe(0);
    const [id] = sandbox.liveReports().map((report) => String(report.id));
    const command = `oq reports export ${id} --list-id ${sandbox.listId} --out ${join(dir, "out", "q.csv")}`;
    expect(run.stderr).toContain(
      `could not save the CSV to ${join(dir, "out", "q.csv")}: no such file or directory (ENOENT)`,
    );
    expect(run.stderr).toContain(`report ${id} is kept in Ongage: fetch its CSV with: ${command}`);
    const [summary] = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ ok: false, reportId: id, deleted: false, exportCommand: command });
    expectCleanFailure(run);

    // The printed command does fetch it.
    mkdirSync(join(dir, "out"));
    const fetched = await oq(command.split(" ").slice(1), { cwd: dir, env });
    expect(fetched.status).toBe(0);
    expect(readFileSync(join(dir, "out", "q.csv"), "utf8")).toBe(await cleanCsv());
  });
});

describe("file modes (the CSV's: test/output.test.ts)", () => {
  it("oq fields pull keeps a replaced file's mode", async () => {
    sandbox = await testSandbox();
    const dir = folder({ "fields.json": "{}\n" });
    chmodSync(join(dir, "fields.json"), 0o640);
    const pull = await oq(["fields", "pull"], { cwd: dir, env: sandboxEnv(sandbox) });
    expect(pull.status).toBe(0);
    expect(statSync(join(dir, "fields.json")).mode & 0o777).toBe(0o640);
    expect(partFiles(dir)).toEqual([]);
  });
});

describe("oq reports export and oq fields pull fail in one line", () => {
  /** A sandbox with one kept, completed report of `contacts` contacts; its id. */
  async function keptReport(dir: string, contacts = 400): Promise<string> {
    sandbox = await testSandbox({ buildTimeMs: 0, contacts });
    const summary = await runReport({
      client: sandboxClient(sandbox),
      request: request(query),
      destination: { kind: "file", path: join(dir, "first.csv") },
      pollIntervalMs: 20,
      keep: true,
    });
    expect(summary.ok).toBe(true);
    return summary.reportId!;
  }

  it("reports export: a download cut off midway is started again, without a stack trace", async () => {
    const dir = folder();
    const id = await keptReport(dir, 10_000);
    sandbox!.faults.dropExportAfterBytes = 100_000;
    const run = await oq(["reports", "export", id, "--out", "again.csv"], {
      cwd: dir,
      env: sandboxEnv(sandbox!),
    });
    expect(sandbox!.faults.dropExportAfterBytes).toBeUndefined();
    expect(sandbox!.stats.byRoute[exportRoute]).toBe(3);
    expectCleanFailure(run);
    expect(run.status).toBe(0);
    expect(readFileSync(join(dir, "again.csv"), "utf8")).toBe(readFileSync(join(dir, "first.csv"), "utf8"));
    expect(partFiles(dir)).toEqual([]);
  });

  it("reports export: a body cut mid-row every time fails in one line, exit 1", async () => {
    const dir = folder();
    const id = await keptReport(dir);
    sandbox!.faults.exportCutRow = 9;
    const cut = await oq(["reports", "export", id, "--out", "cut.csv"], {
      cwd: dir,
      env: sandboxEnv(sandbox!),
    });
    expect(cut.status).toBe(1);
    expect(sandbox!.faults.exportCutRow).toBe(5);
    expect(cut.stderr).toMatch(
      new RegExp(
        `^oq: report ${id}: the export ended with a row of 2 fields .*it was cut short \\(tried 4 times\\)\\n$`,
      ),
    );
    expect(existsSync(join(dir, "cut.csv"))).toBe(false);
    expect(partFiles(dir)).toEqual([]);
    expectCleanFailure(cut);
  });

  it("reports export: one call when the download works (no look-up of the report first)", async () => {
    const dir = folder();
    const id = await keptReport(dir);
    const requests = sandbox!.stats.requests;
    const run = await oq(["reports", "export", id, "--out", "again.csv"], {
      cwd: dir,
      env: sandboxEnv(sandbox!),
    });
    expect(run.status).toBe(0);
    expect(sandbox!.stats.requests - requests).toBe(1);
    expect(readFileSync(join(dir, "again.csv"), "utf8")).toBe(readFileSync(join(dir, "first.csv"), "utf8"));
  });

  it("reports export of a report not completed: refused by the server, then looked up to say so", async () => {
    sandbox = await testSandbox({ buildTimeMs: 60_000 });
    const dir = folder();
    const client = sandboxClient(sandbox);
    const { id } = await client.createReport(request(query));
    const run = await oq(["reports", "export", id, "--out", "pending.csv"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
    });
    expect(run.status).toBe(1);
    expect(sandbox.stats.byRoute[exportRoute]).toBe(1);
    expect(sandbox.stats.byRoute["GET contact_activity/:id"]).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`^oq: report ${id} is .*, not completed; nothing to export yet\n$`),
    );
    expect(existsSync(join(dir, "pending.csv"))).toBe(false);
    expectCleanFailure(run);
  });

  it("reports export: a bad --out is a usage error before any call; an existing folder gets ID.csv", async () => {
    const dir = folder();
    const id = await keptReport(dir);
    const env = sandboxEnv(sandbox!);
    const requests = sandbox!.stats.requests;
    for (const out of ["missing/x.csv", "first.csv/x.csv"]) {
      const bad = await oq(["reports", "export", id, "--out", out], { cwd: dir, env });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/^oq: --out: .*(does not exist|is not a folder)\n$/);
      expectCleanFailure(bad);
    }
    expect(sandbox!.stats.requests).toBe(requests);
    mkdirSync(join(dir, "exports"));
    expect((await oq(["reports", "export", id, "--out", "exports"], { cwd: dir, env })).status).toBe(0);
    expect(readdirSync(join(dir, "exports"))).toEqual([`${id}.csv`]);
  });

  it("fields pull: a bad --out is a usage error before any call", async () => {
    sandbox = await testSandbox();
    const dir = folder();
    const run = await oq(["fields", "pull", "--out", "missing/fields.json"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^oq: --out: the folder .*missing does not exist\n$/);
    expectCleanFailure(run);
    expect(sandbox.stats.requests).toBe(0);
  });
});

describe("what reaches the terminal", () => {
  it("titles, statuses and file names with control characters are printed escaped", async () => {
    sandbox = await testSandbox({ buildTimeMs: 0 });
    const env = sandboxEnv(sandbox);
    const evilName = "evil\u001b[31m.oq";
    const dir = folder({ [evilName]: 'title "Evil \\u001b]0;pwned\\u0007\\u009b2J end"\nin segment 1\n' });
    const run = await oq(
      ["run", evilName, "--keep", "--out", "evil.csv", "--poll-interval", "20ms", "--json"],
      { cwd: dir, env },
    );
    expect(run.status).toBe(0);
    const id = String(sandbox.liveReports()[0]!.id);
    const list = await oq(["reports", "list"], { cwd: dir, env });
    const status = await oq(["reports", "status", id], { cwd: dir, env });
    const json = await oq(["reports", "list", "--json"], { cwd: dir, env });
    expect(list.stdout).toContain("Evil \\x1b]0;pwned\\x07\\x9b2J end");
    expect(status.stdout).toContain("Evil \\x1b]0;pwned\\x07\\x9b2J end");
    expect(JSON.parse(json.stdout).reports[0].title).toMatch(
      /^\[oq [0-9a-f]{8}\] Evil \u001b]0;pwned\u0007\u009b2J end/,
    );
    for (const r of [run, list, status, json])
      expect(r.stdout + r.stderr).not.toMatch(/[\u001b\u0007\u009b]/);
  });

  it("a query's file name with control characters is escaped in the summary line", async () => {
    sandbox = await testSandbox();
    const evilName = "evil\u001b[31m.oq";
    const dir = folder({ [evilName]: "in segment 1\n" });
    const run = await oq(["run", evilName, "--out", "evil.csv", "--poll-interval", "20ms"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("✓ evil\\x1b[31m.oq: report 1000 (deleted)");
    expect(run.stderr).not.toContain("\u001b");
  });
});

describe("oq run's summary", () => {
  it("one line per query on stderr, even off a terminal; --quiet silences it; --json is always an array", async () => {
    sandbox = await testSandbox();
    const dir = folder({ "a.oq": query, "b.oq": "in segment 2\n" });
    const env = sandboxEnv(sandbox);
    const two = await oq(["run", "a.oq", "b.oq", "--out", "out", "--poll-interval", "20ms"], {
      cwd: dir,
      env,
    });
    expect(two.status).toBe(0);
    const lines = two.stderr.trimEnd().split("\n").sort();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^✓ a\.oq: report 10\d\d \(deleted\), \d+ rows, [\d.]+ KB → out\/a\.csv, \d+ API calls, [\d.]+m?s$/,
    );
    expect(lines[1]).toMatch(
      /^✓ b\.oq: report 10\d\d \(deleted\), \d+ rows, [\d.]+ KB → out\/b\.csv, \d+ API calls, [\d.]+m?s$/,
    );

    const quiet = await oq(["run", "a.oq", "--out", "a.csv", "--quiet", "--poll-interval", "20ms"], {
      cwd: dir,
      env,
    });
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).toBe("");

    const one = await oq(["run", "a.oq", "--out", "a.csv", "--json", "--poll-interval", "20ms"], {
      cwd: dir,
      env,
    });
    const summaries = JSON.parse(one.stdout);
    expect(Array.isArray(summaries)).toBe(true);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ file: "a.oq", ok: true });
  });
});

describe("the sandbox's export faults", () => {
  it("are read from --faults", async () => {
    const { parseFaults } = await import("../src/sandbox/faults.js");
    expect(parseFaults("export-envelope:1,export-html:2,export-gzip:3,export-cut-row:4")).toEqual({
      exportEnvelope: 1,
      exportHtml: 2,
      exportGzip: 3,
      exportCutRow: 4,
    });
    expect(() => parseFaults("export-html")).toThrow("export-html needs a whole number");
  });
});
