import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Sandbox } from "../src/sandbox/server.js";
import { oq, type CliRun } from "./support/oqInProcess.js";
import { sandboxEnv, testCredentials, testSandbox } from "./support/sandbox.js";

/*
 * `oq run`, `oq reports` and `oq fields pull` as a user runs them: the built command as a child
 * process, talking HTTP to a sandbox served from this test process.
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

function folder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "oq-e2e-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const gmail = 'email ends "gmail.com" and opens >= 1\nduring 90d\nselect email, opens\n';

/** Every run must keep the credentials to itself. */
function expectNoSecrets(run: CliRun): void {
  expect(run.stdout).not.toContain(testCredentials.password);
  expect(run.stderr).not.toContain(testCredentials.password);
}

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith(".part"));
}

describe("oq run", () => {
  it("creates the report, waits, prints the CSV on stdout and deletes the report", async () => {
    sandbox = await testSandbox();
    const dir = folder({ "gmail.oq": gmail });
    const run = await oq(["run", "gmail.oq", "--poll-interval", "20ms"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
    });
    expect(run.stderr).toMatch(
      /^✓ gmail\.oq: report 1000 \(deleted\), \d+ rows, [\d.]+ KB → stdout, \d+ API calls, [\d.]+m?s\n$/,
    );
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split("\r\n");
    expect(lines[0]).toBe("email,opens");
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines.slice(1)) expect(line).toMatch(/@gmail\.com,[1-9]/);
    expect(sandbox.liveReports()).toEqual([]);
    expect(sandbox.stats.reportsCreated).toBe(1);
    expectNoSecrets(run);
  });

  it("writes --out through a temporary file and leaves nothing else behind", async () => {
    sandbox = await testSandbox();
    const dir = folder({ "gmail.oq": gmail });
    const run = await oq(["run", "gmail.oq", "--out", "gmail.csv", "--poll-interval", "20ms", "--json"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
    });
    expect(run.status).toBe(0);
    const [summary] = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ ok: true, deleted: true, output: join(dir, "gmail.csv") });
    expect(summary.calls).toBe(3 + summary.polls); // create, polls, export, delete
    const csv = readFileSync(join(dir, "gmail.csv"), "utf8");
    expect(csv.trimEnd().split("\r\n")).toHaveLength(summary.rows + 1);
    expect(Buffer.byteLength(csv)).toBe(summary.bytes);
    expect(leftovers(dir)).toEqual([]);
  });

  it("on a folder, binds each query's parameters from NAME.params.json beside it; --param wins", async () => {
    sandbox = await testSandbox();
    const query = "email ends $domain and opens >= 0\nduring 90d\nselect email\n";
    const dir = folder({
      "gmail.oq": query,
      "gmail.params.json": '{ "domain": "@gmail.com" }',
      "yahoo.oq": query,
      "yahoo.params.json": '{ "domain": "@yahoo.com" }',
    });
    const domainsOf = (csv: string) =>
      new Set(
        readFileSync(csv, "utf8")
          .trimEnd()
          .split("\r\n")
          .slice(1)
          .map((line) => line.split("@")[1]),
      );
    const args = ["run", dir, "--out", join(dir, "out/"), "--poll-interval", "20ms", "--quiet"];
    const run = await oq(args, { cwd: dir, env: sandboxEnv(sandbox) });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(domainsOf(join(dir, "out", "gmail.csv"))).toEqual(new Set(["gmail.com"]));
    expect(domainsOf(join(dir, "out", "yahoo.csv"))).toEqual(new Set(["yahoo.com"]));

    const flagged = await oq([...args, "--param", "domain=@yahoo.com"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
    });
    expect(flagged.status).toBe(0);
    expect(domainsOf(join(dir, "out", "gmail.csv"))).toEqual(new Set(["yahoo.com"]));
    expect(sandbox.liveReports()).toEqual([]);
  });

  it("stops before any call when a parameter has no value", async () => {
    sandbox = await testSandbox();
    const dir = folder({ "q.oq": "email ends $domain\n" });
    const run = await oq(["run", "q.oq"], { cwd: dir, env: sandboxEnv(sandbox) });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("the parameter $domain has no value");
    expect(run.stderr).toContain("nothing was sent to Ongage");
    expect(sandbox.stats.reportsCreated).toBe(0);
  });

  it("runs several queries concurrently, one CSV each, and one failure does not stop the others", async () => {
    sandbox = await testSandbox();
    // `nickname` is in this project's schema but not in the sandbox's list: Ongage answers 412.
    const dir = folder({
      "a.oq": gmail,
      "b.oq": "in segment 2\n",
      "broken.oq": 'nickname = "x"\n',
      "fields.json": JSON.stringify({ fields: { nickname: "string" } }),
    });
    const run = await oq(
      [
        "run",
        "a.oq",
        "b.oq",
        "broken.oq",
        "--out",
        "results",
        "--schema",
        "fields.json",
        "--poll-interval",
        "20ms",
        "--json",
      ],
      {
        cwd: dir,
        env: sandboxEnv(sandbox),
      },
    );
    expect(run.status).toBe(1);
    const summaries = JSON.parse(run.stdout) as { file: string; ok: boolean; error?: string }[];
    expect(summaries.map((s) => [s.file, s.ok])).toEqual([
      ["a.oq", true],
      ["b.oq", true],
      ["broken.oq", false],
    ]);
    expect(summaries[2]!.error).toContain("412");
    expect(run.stderr).toContain("broken.oq");
    expect(readdirSync(join(dir, "results")).sort()).toEqual(["a.csv", "b.csv"]);
    expect(sandbox.liveReports()).toEqual([]);
  });

  it("runs every query of a folder", async () => {
    sandbox = await testSandbox();
    const dir = folder();
    const queries = join(dir, "queries");
    (await import("node:fs")).mkdirSync(join(queries, "nested"), { recursive: true });
    writeFileSync(join(queries, "one.oq"), "in segment 1\n");
    writeFileSync(join(queries, "nested", "two.oq"), "in segment 3\n");
    const run = await oq(["run", "queries", "--out", "out", "--poll-interval", "20ms"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
    });
    expect(run.status).toBe(0);
    expect(readdirSync(join(dir, "out")).sort()).toEqual(["one.csv", "two.csv"]);
  });

  it("stops at a compile error before making any call", async () => {
    sandbox = await testSandbox();
    const dir = folder({ "bad.oq": "emial = 1\n", "good.oq": gmail });
    const run = await oq(["run", "good.oq", "bad.oq", "--out", "out"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("bad.oq:1:1: error: unknown field 'emial'");
    expect(run.stderr).toContain("nothing was sent to Ongage");
    expect(sandbox.stats.requests).toBe(0);
  });

  it("--detailed downloads one row per event", async () => {
    sandbox = await testSandbox();
    const dir = folder({ "gmail.oq": gmail });
    const run = await oq(["run", "gmail.oq", "--detailed", "--poll-interval", "20ms"], {
      cwd: dir,
      env: sandboxEnv(sandbox),
    });
    expect(run.status).toBe(0);
    expect(run.stdout.split("\r\n")[0]).toBe("email,ocx_contact_id,mailing_id,activity,activity_date");
    expect(run.stdout).toMatch(/,(sent|open|click),\d{4}-\d{2}-\d{2} /);
  });

  it("--keep leaves the report for `oq reports`", async () => {
    sandbox = await testSandbox();
    const env = sandboxEnv(sandbox);
    const dir = folder({ "gmail.oq": gmail });
    const run = await oq(
      ["run", "gmail.oq", "--keep", "--out", "first.csv", "--json", "--poll-interval", "20ms"],
      { cwd: dir, env },
    );
    const [{ reportId }] = JSON.parse(run.stdout);
    expect(run.stderr).toContain(`report ${reportId} (kept)`);
    expect(sandbox.liveReports().map((r) => String(r.id))).toEqual([reportId]);

    const list = await oq(["reports", "list"], { cwd: dir, env });
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${reportId}\\s+Completed\\s+\\[oq [0-9a-f]{8}\\] `, "m"));

    const listJson = JSON.parse(
      (await oq(["reports", "list", "--json", "--limit", "5"], { cwd: dir, env })).stdout,
    );
    expect(listJson.total).toBe(1);

    const status = await oq(["reports", "status", reportId], { cwd: dir, env });
    expect(status.stdout).toContain("Completed (status 2)");

    const exported = await oq(["reports", "export", reportId, "--out", "again.csv"], {
      cwd: dir,
      env,
    });
    expect(exported.status).toBe(0);
    expect(readFileSync(join(dir, "again.csv"), "utf8")).toBe(readFileSync(join(dir, "first.csv"), "utf8"));

    const deleted = await oq(["reports", "delete", reportId], { cwd: dir, env });
    expect(deleted.status).toBe(0);
    expect(sandbox.liveReports()).toEqual([]);
    const gone = await oq(["reports", "status", reportId], { cwd: dir, env });
    expect(gone.status).toBe(1);
    expect(gone.stderr).toContain("404");
    for (const r of [run, list, status, exported, deleted, gone]) expectNoSecrets(r);
  });
});

describe("oq fields pull", () => {
  it("writes the schema file the compiler uses", async () => {
    sandbox = await testSandbox();
    const dir = folder({ "q.oq": 'age >= 40 and city = "Paris"\n' });
    const env = sandboxEnv(sandbox);
    expect((await oq(["check", "q.oq"], { cwd: dir, env })).status).toBe(1);
    const pull = await oq(["fields", "pull", "--out", "fields.json"], { cwd: dir, env });
    expect(pull.status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "fields.json"), "utf8"))).toEqual({
      fields: { first_name: "string", city: "string", age: "numeric", birthday: "date", customer_id: "id" },
    });
    expect((await oq(["check", "q.oq", "--schema", "fields.json"], { cwd: dir, env })).status).toBe(0);
  });
});

describe("configuration and credentials", () => {
  it("a missing credential is a usage error naming the variable", async () => {
    sandbox = await testSandbox();
    const dir = folder({ "gmail.oq": gmail });
    const run = await oq(["run", "gmail.oq"], {
      cwd: dir,
      env: sandboxEnv(sandbox, { ONGAGE_PASSWORD: undefined }),
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("ONGAGE_PASSWORD is not set");
    expect(sandbox.stats.requests).toBe(0);
  });

  it("wrong credentials fail with Ongage's 401, and the password is not printed", async () => {
    sandbox = await testSandbox();
    const dir = folder({ "gmail.oq": gmail });
    const wrong = `${testCredentials.password}-wrong`;
    const run = await oq(["run", "gmail.oq", "--json", "--out", "x.csv"], {
      cwd: dir,
      env: sandboxEnv(sandbox, { ONGAGE_PASSWORD: wrong }),
    });
    expect(run.status).toBe(1);
    expect(run.stdout + run.stderr).toContain("401");
    expect(run.stdout + run.stderr).not.toContain(wrong);
    expect(existsSync(join(dir, "x.csv"))).toBe(false);
  });

  it("refuses plain http to a host other than this machine", async () => {
    const dir = folder({ "gmail.oq": gmail });
    const run = await oq(["run", "gmail.oq"], {
      cwd: dir,
      env: {
        ONGAGE_BASE_URL: "http://api.ongage.net",
        ONGAGE_USERNAME: "u",
        ONGAGE_PASSWORD: "p",
        ONGAGE_ACCOUNT_CODE: "a",
      },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("only https");
  });

  it("--list-id and --base-url win over the environment, which wins over oq.config.json (each checked both ways round)", async () => {
    sandbox = await testSandbox({ listId: "999" });
    const right = { listId: "999", baseUrl: sandbox.url };
    // A base URL that reaches the sandbox but none of Ongage's routes: a quick 404, as a wrong list id gives.
    const wrong = { listId: "2", baseUrl: `${sandbox.url}/elsewhere` };
    const list = async (
      config: { listId: string; baseUrl: string },
      environment: { listId: string; baseUrl: string },
      flags: string[] = [],
    ) => {
      const dir = folder({ "oq.config.json": JSON.stringify(config) });
      const env = sandboxEnv(sandbox!, {
        ONGAGE_LIST_ID: environment.listId,
        ONGAGE_BASE_URL: environment.baseUrl,
      });
      const run = await oq(["reports", "list", ...flags], { cwd: dir, env });
      if (run.status !== 0) expect(run.stderr).toContain("404");
      return run.status;
    };
    // The environment over the config file, for each setting, both ways round.
    expect(await list({ ...right, listId: wrong.listId }, right)).toBe(0);
    expect(await list(right, { ...right, listId: wrong.listId })).toBe(1);
    expect(await list({ ...right, baseUrl: wrong.baseUrl }, right)).toBe(0);
    expect(await list(right, { ...right, baseUrl: wrong.baseUrl })).toBe(1);
    // The flags over the environment, likewise.
    expect(await list(right, { ...right, listId: wrong.listId }, ["--list-id", right.listId])).toBe(0);
    expect(await list(right, right, ["--list-id", wrong.listId])).toBe(1);
    expect(await list(right, { ...right, baseUrl: wrong.baseUrl }, ["--base-url", right.baseUrl])).toBe(0);
    expect(await list(right, right, ["--base-url", wrong.baseUrl])).toBe(1);
  });

  it("rejects a bad --poll-interval as a usage error", async () => {
    const dir = folder({ "gmail.oq": gmail });
    const run = await oq(["run", "gmail.oq", "--poll-interval", "5x"], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--poll-interval takes a duration");
  });
});

describe("oq sandbox", () => {
  it("rejects an unknown fault as a usage error", async () => {
    const run = await oq(["sandbox", "--faults", "explode"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown fault 'explode'");
  });
});
