import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { addCompilingCommands } from "../src/cli/compilingCommands.js";
import type { Host } from "../src/app/host.js";
import { scratch } from "./support/scratch.js";
import { oq } from "./support/oqInProcess.js";

const now = "2024-02-01T00:00:00Z";
const nowSeconds = Date.parse(now) / 1000;

describe("oq compile", () => {
  it("prints the payload on stdout and nothing on stderr", async () => {
    const dir = scratch({
      "gmail.oq": 'email ends "gmail.com" and opens >= 3 during 30d select email,opens\n',
    });
    const run = await oq(["compile", "gmail.oq", "--now", now], { cwd: dir });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const payload = JSON.parse(run.stdout);
    expect(payload.title).toBe("gmail");
    expect(payload.filters.from_date).toBe(nowSeconds - 30 * 86_400);
    expect(payload.filters.to_date).toBe(nowSeconds);
  });

  it("reads standard input for -", async () => {
    const run = await oq(["compile", "-", "--compact"], { input: "in segment 7", env: { OQ_NOW: now } });
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(run.stdout).filters.criteria[0].operand).toEqual(["7"]);
  });

  it("takes 'now' from OQ_NOW for reproducible output", async () => {
    const a = await oq(["compile", "-"], { input: "opens > 1 during 1d", env: { OQ_NOW: now } });
    expect(JSON.parse(a.stdout).filters.to_date).toBe(nowSeconds);
  });

  it("reports errors on stderr with file:line:col, a caret and help, exit 1, no payload", async () => {
    const dir = scratch({ "bad.oq": '# a query\nemial ends "x" and opens >= "three"\n' });
    const run = await oq(["compile", "bad.oq"], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("bad.oq:2:1: error: unknown field 'emial'");
    expect(run.stderr).toContain("2 | emial ends");
    expect(run.stderr).toContain("  | ^^^^^ not a field of this list");
    expect(run.stderr).toContain("= help: did you mean 'email'?");
    expect(run.stderr).toContain("bad.oq:2:29: error: opens is a numeric field");
    expect(run.stderr).toContain("2 errors");
    // Not a terminal: no colour codes.
    expect(run.stderr).not.toContain("\x1b[");
  });

  it("--json gives the diagnostics as data", async () => {
    const run = await oq(["compile", "-", "--json"], { input: "opens > " });
    expect(run.status).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.ok).toBe(false);
    expect(result.diagnostics[0]).toMatchObject({
      file: "<stdin>",
      line: 1,
      column: 8,
      severity: "error",
      code: "OQ101",
    });
    expect(result.diagnostics[0].hints.length).toBeGreaterThan(0);
  });

  it("uses custom fields from --schema, OQ_SCHEMA or oq.config.json", async () => {
    const schema = JSON.stringify([{ name: "age", type: "numeric" }]);
    const dir = scratch({ "fields.json": schema, "q.oq": "age > 30\n" });
    expect((await oq(["compile", "q.oq"], { cwd: dir })).status).toBe(1);
    expect((await oq(["compile", "q.oq", "--schema", "fields.json"], { cwd: dir })).status).toBe(0);
    expect(
      (await oq(["compile", "q.oq"], { cwd: dir, env: { OQ_SCHEMA: join(dir, "fields.json") } })).status,
    ).toBe(0);
    const withConfig = scratch({
      "oq.config.json": JSON.stringify({ schema: "fields.json" }),
      "fields.json": schema,
      "q.oq": "age > 30\n",
    });
    expect((await oq(["compile", "q.oq"], { cwd: withConfig })).status).toBe(0);
  });

  it("finds the oq.config.json nearest the query file, wherever oq runs from", async () => {
    const dir = scratch({});
    mkdirSync(join(dir, "queries"));
    writeFileSync(join(dir, "queries", "oq.config.json"), JSON.stringify({ schema: "fields.json" }));
    writeFileSync(join(dir, "queries", "fields.json"), JSON.stringify({ fields: { age: "numeric" } }));
    writeFileSync(join(dir, "queries", "q.oq"), "age > 30\n");
    expect((await oq(["check", "queries/q.oq"], { cwd: dir })).status).toBe(0);
    expect((await oq(["check", "q.oq"], { cwd: join(dir, "queries") })).status).toBe(0);
  });

  it("takes Ongage's undocumented request flags from oq.config.json", async () => {
    const dir = scratch({ "oq.config.json": JSON.stringify({ requestFlags: { include_behavior: false } }) });
    const payload = JSON.parse((await oq(["compile", "-"], { cwd: dir, input: "opens > 1" })).stdout);
    expect(payload.include_behavior).toBe(false);
    expect(payload.combined_as_and).toBe(true);
  });

  it("rejects an oq.config.json with unknown settings, naming them", async () => {
    const dir = scratch({ "oq.config.json": JSON.stringify({ shema: "fields.json" }) });
    const run = await oq(["compile", "-"], { cwd: dir, input: "opens > 1" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("is not a valid oq config");
    expect(run.stderr).toContain("shema");
  });
});

describe("control characters in what oq prints", () => {
  it("compile, plan and check --json escape C1 controls in values (valid JSON, the same value)", async () => {
    const dir = scratch({ "q.oq": 'email = "a\u009b2Jb"\n' });
    for (const args of [
      ["compile", "q.oq"],
      ["compile", "q.oq", "--compact"],
      ["plan", "q.oq", "--json"],
    ]) {
      const run = await oq(args, { cwd: dir });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).not.toContain("\u009b");
      expect(run.stdout).toContain("\\u009b");
    }
    const payload = JSON.parse((await oq(["compile", "q.oq"], { cwd: dir })).stdout);
    expect(payload.filters.criteria[0].operand).toEqual(["a\u009b2Jb"]);
  });
});

describe("oq check", () => {
  it("checks every file and fails if any fails", async () => {
    const dir = scratch({ "a.oq": "opens > 1\n", "b.oq": "opens >\n", "c.oq": "clicks contains 1\n" });
    const run = await oq(["check", "a.oq", "b.oq", "c.oq"], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("b.oq:1:8: error");
    expect(run.stderr).toContain("c.oq:1:8: error");
    expect((await oq(["check", "a.oq"], { cwd: dir })).status).toBe(0);
  });

  it("takes a query as oq run does: one that runs as a plan of several reports is ok", async () => {
    const dir = scratch({ "mixed.oq": 'email ends "gmail.com" and (opens > 3 or clicks > 2)\n' });
    const run = await oq(["check", "mixed.oq"], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe("1 query ok\n");
    expect((await oq(["compile", "mixed.oq"], { cwd: dir })).status).toBe(1);
  });

  it("--json lists a result per file", async () => {
    const dir = scratch({ "a.oq": "opens > 1\n", "b.oq": "opens >\n" });
    const results = JSON.parse((await oq(["check", "a.oq", "b.oq", "--json"], { cwd: dir })).stdout);
    expect(results.map((r: { file: string; ok: boolean }) => [r.file, r.ok])).toEqual([
      ["a.oq", true],
      ["b.oq", false],
    ]);
  });
});

describe("usage errors exit 2", () => {
  it.each([
    [["compile"], "missing required argument"],
    [["compile", "nope.oq"], "cannot read nope.oq: no such file"],
    [["compile", "-", "--bogus"], "unknown option"],
    [["frobnicate"], "unknown command"],
    [["compile", "-", "--now", "yesterday"], "--now (or OQ_NOW) must be an ISO 8601 time"],
    [["compile", "-", "--schema", "missing.json"], "cannot read the field schema"],
  ])("oq %j", async (args, message) => {
    const run = await oq(args, { input: "opens > 1" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe("");
  });

  it("an invalid schema file names the problem", async () => {
    const dir = scratch({ "fields.json": JSON.stringify({ fields: { age: "integer" } }) });
    const run = await oq(["compile", "-", "--schema", "fields.json"], { cwd: dir, input: "opens > 1" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown field type "integer"');
  });
});

describe("help", () => {
  it("oq --version is the package's version", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect((await oq(["--version"])).stdout.trim()).toBe(version);
  });

  it("oq --help lists every command", async () => {
    const run = await oq(["--help"]);
    expect(run.status).toBe(0);
    for (const command of ["compile", "check", "explain", "fmt", "decompile"])
      expect(run.stdout).toContain(command);
  });

  it("oq playground --help names its port; a port that is no number is a usage error (exit 2)", async () => {
    const help = await oq(["playground", "--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--port <n>");
    expect(help.stdout).toContain("127.0.0.1");
    const wrong = await oq(["playground", "--port", "eighty"]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toBe("oq: --port takes a whole number, not 'eighty'\n");
  });

  it("a field schema's problems are listed one a line (they printed as '\\x0a')", async () => {
    const folder = scratch({ "q.oq": "opens > 1\n", "bad.json": '{"fields":{"a":"nope"}}' });
    const run = await oq(["compile", "q.oq", "--schema", "bad.json"], { cwd: folder });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/is not a valid field schema:\n {2}at fields\.a: unknown field type "nope"/);
    expect(run.stderr).not.toContain("\\x0a");
  });

  it("a port past 65535 is a usage error (exit 2) for oq playground and oq sandbox, not a stack trace", async () => {
    for (const command of ["playground", "sandbox"]) {
      const run = await oq([command, "--port", "70000"]);
      expect(run.status).toBe(2);
      expect(run.stderr).toBe("oq: --port takes a port from 0 to 65535 (0: any free port), not '70000'\n");
    }
  });

  it("oq compile --help describes its options", async () => {
    const run = await oq(["compile", "--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("--now");
    expect(run.stdout).toContain("--schema");
  });
});

describe("the compiling commands' own bundle (what bin/oq.js runs for compile, check, plan, explain)", () => {
  it("is run for exactly the commands compilingCommands.ts adds", () => {
    const bin = readFileSync(new URL("../bin/oq.js", import.meta.url), "utf8");
    const routed = JSON.parse(/const compilingCommands = (\[[^\]]*\]);/.exec(bin)![1]!) as string[];
    const program = new Command();
    addCompilingCommands(program, {} as Host);
    expect(routed).toEqual(program.commands.map((command) => command.name()));
  });

  it("answers every argv as the whole program does: help, usage errors, results, query errors", async () => {
    const dir = scratch({
      "good.oq": 'email ends "gmail.com" and opens >= 3 during 30d select email, opens\n',
      "typo.oq": "opnes >= 3\n",
      "syntax.oq": "opens >= during 30d\n",
      "or.oq": "opens > 1 or clicks > 1\n",
    });
    const argvs = [
      ["compile", "--help"],
      ["check", "--help"],
      ["compile"],
      ["compile", "good.oq", "--bogus"],
      ["compile", "missing.oq"],
      ["compile", "good.oq"],
      ["compile", "good.oq", "--json", "--compact"],
      ["compile", "typo.oq"],
      ["compile", "syntax.oq", "--json"],
      ["check", "good.oq", "typo.oq"],
      ["plan", "or.oq"],
      ["explain", "good.oq"],
      ["explain", "syntax.oq"],
      ["compile", "good.oq", "--now", "yesterday"],
    ];
    for (const argv of argvs) {
      const env = { OQ_NOW: "2024-02-01T00:00:00Z" };
      const whole = await oq(argv, { cwd: dir, env });
      expect(await oq(argv, { cwd: dir, env, entry: "compiling" }), argv.join(" ")).toEqual(whole);
    }
  });
});

describe("oq reports' own bundle (what bin/oq.js runs for oq reports ...)", () => {
  it("answers every argv as the whole program does: help, usage errors, a missing credential", async () => {
    const env = { ONGAGE_USERNAME: undefined, ONGAGE_API_KEY: undefined };
    for (const argv of [
      ["reports"],
      ["reports", "--help"],
      ["reports", "help", "export"],
      ["reports", "export"],
      ["reports", "export", "12", "--bogus"],
      ["reports", "export", "12", "-h"],
      ["reports", "export", "12"],
      ["reports", "list", "--json"],
      ["reports", "status", "abc"],
      ["reports", "delete", "1", "2"],
      ["reports", "--version"],
      ["reports", "nope"],
    ]) {
      const whole = await oq(argv, { env });
      expect(await oq(argv, { env, entry: "reports" }), argv.join(" ")).toEqual(whole);
    }
  });
});

describe("oq fmt and oq decompile", () => {
  it("fmt --check fails on unformatted files and --write fixes them", async () => {
    const dir = scratch({ "q.oq": "SELECT email WHERE opens>1\n" });
    expect((await oq(["fmt", "--check", "q.oq"], { cwd: dir })).status).toBe(1);
    expect((await oq(["fmt", "--write", "q.oq"], { cwd: dir })).status).toBe(0);
    expect(readFileSync(join(dir, "q.oq"), "utf8")).toBe("opens > 1\nselect email\n");
    expect((await oq(["fmt", "--check", "q.oq"], { cwd: dir })).status).toBe(0);
  });

  it("fmt refuses, with check's diagnostics, a query whose shape check refuses, and leaves the file alone", async () => {
    for (const text of [
      "select email opens > 1\n",
      "during 7d opens > 1\n",
      "users active opens > 1\n",
      "favourite opens > 1\n",
      "opens > 1 during 7d during 8d\n",
    ]) {
      const dir = scratch({ "q.oq": text });
      const checked = await oq(["check", "q.oq"], { cwd: dir, env: { OQ_NOW: now } });
      const written = await oq(["fmt", "--write", "q.oq"], { cwd: dir });
      expect(written.status, text).toBe(1);
      expect(checked.status, text).toBe(1);
      expect(written.stderr, text).toMatch(/must start with 'where'|is given twice/);
      // The same diagnostics; check adds a summary line.
      expect(checked.stderr.startsWith(written.stderr), `${written.stderr}\n${checked.stderr}`).toBe(true);
      expect(readFileSync(join(dir, "q.oq"), "utf8")).toBe(text);
      expect((await oq(["fmt", "q.oq"], { cwd: dir })).stdout).toBe("");
    }
  });

  it("decompile turns a payload back into a query", async () => {
    const payload = (
      await oq(["compile", "-"], {
        input: 'title "T" email ends "x.com" users active',
        env: { OQ_NOW: now },
      })
    ).stdout;
    const back = await oq(["decompile", "-"], { input: payload });
    expect(back.status).toBe(0);
    expect(back.stdout).toContain('email ends "x.com"');
    const again = await oq(["compile", "-"], { input: back.stdout, env: { OQ_NOW: now } });
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(payload));
  });

  it("decompile takes the field schema as compile does, and says when a query needs one", async () => {
    const schema = JSON.stringify({ fields: { first_name: "string" } });
    const dir = scratch({ "fields.json": schema, "q.oq": 'first_name = "Ann"\nselect email, first_name\n' });
    const payload = (
      await oq(["compile", "q.oq", "--schema", "fields.json"], {
        cwd: dir,
        env: { OQ_NOW: now },
      })
    ).stdout;
    writeFileSync(join(dir, "q.json"), payload);
    const compileBack = async (source: string, env: Record<string, string> = {}) =>
      await oq(["compile", "-"], { cwd: dir, input: source, env: { OQ_NOW: now, ...env } });

    // Without a schema: the query, and a warning naming the fields it needs one for.
    const bare = await oq(["decompile", "q.json"], { cwd: dir });
    expect(bare.status).toBe(0);
    expect(bare.stderr).toContain(
      "q.json: warning: first_name is not a built-in field: the query compiles only with a field schema that has it",
    );
    expect((await compileBack(bare.stdout)).status).toBe(1);

    // With --schema, OQ_SCHEMA or oq.config.json: no warning, and the query compiles back.
    for (const [args, env] of [
      [["--schema", "fields.json"], {}],
      [[], { OQ_SCHEMA: "fields.json" }],
    ] as const) {
      const run = await oq(["decompile", "q.json", ...args], { cwd: dir, env });
      expect(run.status).toBe(0);
      expect(run.stderr).toBe("");
      expect(JSON.parse((await compileBack(run.stdout, { OQ_SCHEMA: "fields.json" })).stdout)).toEqual(
        JSON.parse(payload),
      );
    }
    const configured = scratch({
      "fields.json": schema,
      "oq.config.json": JSON.stringify({ schema: "fields.json" }),
      "q.json": payload,
    });
    expect(await oq(["decompile", "q.json"], { cwd: configured })).toMatchObject({ status: 0, stderr: "" });

    // A schema without the field: the query would not compile back, so it is an error.
    writeFileSync(join(dir, "other.json"), JSON.stringify({ fields: { city: "string" } }));
    const wrong = await oq(["decompile", "q.json", "--schema", "other.json"], { cwd: dir });
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toBe("");
    expect(wrong.stderr).toContain("unknown field 'first_name'");
  });

  it("decompile reports a payload that is not a request", async () => {
    const run = await oq(["decompile", "-"], { input: '{"title": ""}' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("title");
  });
});

describe("oq explain", () => {
  const query = 'title "Weekly"\nemail ends "gmail.com" and opens >= 3\nselect email, opens\n';
  const sentence =
    'Report "Weekly": all contacts whose email ends with "gmail.com" and who opened at least 3 times, counting activity in the last 30 days, from 2024-01-02 00:00 to 2024-02-01 00:00 UTC; columns: email, opens.\n';

  it("prints the query in words on stdout, nothing on stderr, exit 0", async () => {
    const dir = scratch({ "weekly.oq": query });
    const run = await oq(["explain", "weekly.oq", "--now", now], { cwd: dir });
    expect(run).toEqual({ status: 0, stdout: sentence, stderr: "" });
  });

  it("reads standard input for -, with now from OQ_NOW and custom fields from --schema", async () => {
    const dir = scratch({ "fields.json": JSON.stringify({ fields: { age: "numeric" } }) });
    const run = await oq(["explain", "-", "--schema", "fields.json"], {
      cwd: dir,
      input: "age != 30 during 1d",
      env: { OQ_NOW: now },
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      'Report "age != 30": all contacts whose age is not 30 (an empty age does not match), counting activity in the last day, from 2024-01-31 00:00 to 2024-02-01 00:00 UTC; the default columns: email, ocx_created_date, ocx_status, sent, opens, clicks, ocx_unsubscribe_date, ocx_resubscribe_date, ocx_bounce_date, ocx_complaint_date, last_sent_date, last_open_date.\n',
    );
  });

  it("on errors prints exactly what oq check prints, no explanation, exit 1", async () => {
    const dir = scratch({ "bad.oq": '# a query\nemial ends "x" and opens >= "three"\n' });
    const explained = await oq(["explain", "bad.oq"], { cwd: dir });
    const checked = await oq(["check", "bad.oq"], { cwd: dir });
    expect(explained.status).toBe(1);
    expect(explained.stdout).toBe("");
    expect(explained.stderr).toContain("bad.oq:2:1: error: unknown field 'emial'");
    expect(explained.stderr).toBe(checked.stderr);
  });

  it("prints warnings on stderr beside the explanation", async () => {
    const run = await oq(["explain", "-", "--now", now], { input: 'email != ["a", "b"]' });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("warning: '!=' with a list");
    expect(run.stdout).toContain('whose email differs from at least one of "a", "b"');
  });

  it("--json gives the explanation's parts and the diagnostics", async () => {
    const dir = scratch({ "weekly.oq": query });
    const run = await oq(["explain", "weekly.oq", "--json", "--now", now], { cwd: dir });
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ file: "weekly.oq", ok: true, diagnostics: [] });
    expect(result.explanation.text).toBe(sentence.trim());
    expect(result.explanation.condition.parts.map((part: { text: string }) => part.text)).toEqual([
      'whose email ends with "gmail.com"',
      "who opened at least 3 times",
    ]);
    expect(result.explanation.window).toEqual({
      from: "2024-01-02T00:00:00Z",
      to: "2024-02-01T00:00:00Z",
      endsNow: true,
      text: "counting activity in the last 30 days, from 2024-01-02 00:00 to 2024-02-01 00:00 UTC",
    });

    const failed = await oq(["explain", "-", "--json"], { input: "opens > " });
    expect(failed.status).toBe(1);
    const failure = JSON.parse(failed.stdout);
    expect(failure.ok).toBe(false);
    expect(failure.explanation).toBeUndefined();
    expect(failure.diagnostics[0]).toMatchObject({ file: "<stdin>", line: 1, column: 8, code: "OQ101" });
  });

  it("shows control characters of the query as escapes, never raw", async () => {
    const run = await oq(["explain", "-", "--now", now], { input: 'title "a\u202eb" email = "x\u009by"' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Report "a\\u202eb": all contacts whose email is "x\\x9by"');
    expect(run.stdout).not.toMatch(/[\u009b\u202e]/);
  });

  it.each([
    [["explain"], "missing required argument"],
    [["explain", "nope.oq"], "cannot read nope.oq: no such file"],
    [["explain", "-", "--bogus"], "unknown option"],
    [["explain", "-", "--now", "yesterday"], "--now (or OQ_NOW) must be an ISO 8601 time"],
  ])("usage error: oq %j exits 2", async (args, message) => {
    const run = await oq(args, { input: "opens > 1" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe("");
  });
});
