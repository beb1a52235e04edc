import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Sandbox, SandboxOptions } from "../src/sandbox/server.js";
import {
  cleanCsv,
  fakeTimeSandbox,
  holdsSecret,
  outFolder,
  runLifetime,
  type LifetimeRun,
} from "./support/inProcess.js";

/*
 * What the runner does with an export that is not a whole CSV, and the modes of the files it
 * writes (docs/running.md, "Exports that are not a whole CSV", "Guarantees about what you get").
 * In process, on a fake clock; the CLI's side (where --out points, exit codes, the summary line,
 * the terminal): test/outputCommands.test.ts and output.e2e.test.ts.
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const exportRoute = "GET contact_activity/:id/export";

async function wire(options: SandboxOptions = {}) {
  const wired = await fakeTimeSandbox(options);
  sandbox = wired.sandbox;
  return wired;
}

const partFiles = (dir: string) =>
  readdirSync(dir).filter((name) => name.endsWith(".part") || name.endsWith(".tmp"));

/** A clear failure: no credential in what the user sees. */
function expectNoSecret(run: LifetimeRun): void {
  expect(holdsSecret(JSON.stringify(run.summary) + JSON.stringify(run.progress))).toBe(false);
}

describe("a bad export is refused, never saved as the CSV", () => {
  const refusals: [string, Record<string, number>, RegExp][] = [
    [
      "a JSON error envelope on HTTP 200",
      { exportEnvelope: 9 },
      /Ongage reported an error: Export failed: the report file is not available/,
    ],
    ["an HTML page", { exportHtml: 9 }, /Ongage sent an HTML page instead of the CSV/],
    [
      "gzip bytes that were not asked for",
      { exportGzip: 9 },
      /Ongage sent the export gzip-compressed, which oq did not ask for/,
    ],
  ];
  for (const [what, faults, message] of refusals) {
    it(`${what}: a failure with a clear message, no CSV, not retried, the report kept`, async () => {
      const wired = await wire({ faults });
      const run = await runLifetime(wired);
      expect(run.summary.ok).toBe(false);
      // The fault happened, once.
      expect(Object.values(wired.sandbox.faults)).toEqual([8]);
      expect(wired.sandbox.stats.byRoute[exportRoute]).toBe(1);
      expect(run.summary.error).toMatch(message);
      expect(run.summary.error).toMatch(
        /report 1000 is kept in Ongage: fetch its CSV with: oq reports export 1000/,
      );
      expect(run.summary).toMatchObject({ deleted: false, exportCommand: expect.any(String) });
      expect(wired.sandbox.liveReports()).toHaveLength(1);
      expect(existsSync(run.csv)).toBe(false);
      expect(partFiles(run.dir)).toEqual([]);
      expectNoSecret(run);
    });
  }

  it("a body that ends cleanly mid-row is downloaded again, and the CSV is whole", async () => {
    const wired = await wire({ faults: { exportCutRow: 1 } });
    const run = await runLifetime(wired);
    expect(run.summary.ok).toBe(true);
    expect(wired.sandbox.faults.exportCutRow).toBe(0);
    expect(wired.sandbox.stats.byRoute[exportRoute]).toBe(2);
    expect(readFileSync(run.csv, "utf8")).toBe(await cleanCsv());
    expect(wired.sandbox.liveReports()).toEqual([]);
  });

  it("a body cut mid-row every time: a failure after the retries, no CSV", async () => {
    const wired = await wire({ faults: { exportCutRow: 9 } });
    const run = await runLifetime(wired);
    expect(run.summary.ok).toBe(false);
    expect(wired.sandbox.stats.byRoute[exportRoute]).toBe(4);
    expect(run.summary.error).toMatch(
      /the export ended with a row of 2 fields where the header has 4, after \d+ bytes: it was cut short \(tried 4 times\)/,
    );
    expect(existsSync(run.csv)).toBe(false);
    expect(partFiles(run.dir)).toEqual([]);
    expectNoSecret(run);
  });
});

describe("file modes", () => {
  it("a replaced 0600 CSV stays 0600, a new one gets the usual mode", async () => {
    const wired = await wire();
    const path = join(outFolder(), "private.csv");
    writeFileSync(path, "old\n");
    chmodSync(path, 0o600);
    const replaced = await runLifetime(wired, { destination: { kind: "file", path } });
    expect(replaced.summary.ok).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, "utf8")).not.toBe("old\n");
    const fresh = await runLifetime(wired);
    expect(fresh.summary.ok).toBe(true);
    expect(statSync(fresh.csv).mode & 0o777).toBe(0o666 & ~process.umask());
  });
});
