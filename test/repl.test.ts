import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Sandbox } from "../src/sandbox/server.js";
import { compile } from "../src/index.js";
import { complete } from "../src/assist/completion.js";
import { historyPath } from "../src/repl/history.js";
import { QueryBuffer } from "../src/repl/input.js";
import { parseRunFlags } from "../src/repl/runLast.js";
import { flagsOf } from "../src/app/flags.js";
import { oq } from "./support/oqInProcess.js";
import { sandboxEnv, testSandbox } from "./support/sandbox.js";
import { until } from "./support/until.js";

/*
 * `oq repl` fed by a pipe, as a script runs it: one result per query, no prompt or colour,
 * exit 1 if anything failed, no history written. (tests in a terminal: repl.pty.e2e.test.ts)
 */

const now = "2024-06-01T00:00:00Z";

function home(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "oq-repl-pipe-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** `oq repl` with `input` on standard input, HOME and XDG_STATE_HOME in a scratch folder. */
async function repl(input: string, args: string[] = [], dir = home()) {
  const run = await oq(["repl", "--now", now, ...args], {
    cwd: dir,
    input,
    env: { HOME: dir, XDG_STATE_HOME: join(dir, "state") },
  });
  return { ...run, dir };
}

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe("oq repl from a pipe", () => {
  it("prints one summary per query, no prompt, no colour, and exits 0 when all compile", async () => {
    const run = await repl('email ends "gmail.com" and\nopens >= 3\n\nclicks > 1 during 7d; users active\n');
    expect(run.stdout).toBe(
      [
        '✓ email ends "gmail.com" and opens >= 3',
        "  window  2024-05-02 00:00:00Z → 2024-06-01 00:00:00Z (30 days)",
        "  users   all",
        "  select  email, ocx_created_date, ocx_status, sent, opens, clicks, ocx_unsubscribe_date, ocx_resubscribe_date, ocx_bounce_date, ocx_complaint_date, last_sent_date, last_open_date",
        "✓ clicks > 1",
        "  window  2024-05-25 00:00:00Z → 2024-06-01 00:00:00Z (7 days)",
        "  users   all",
        "  select  email, ocx_created_date, ocx_status, sent, opens, clicks, ocx_unsubscribe_date, ocx_resubscribe_date, ocx_bounce_date, ocx_complaint_date, last_sent_date, last_open_date",
        // `users active` alone has no condition: it amends the query before it.
        "(added to the last query; a new query starts with its condition)",
        "✓ clicks > 1",
        "  window  2024-05-25 00:00:00Z → 2024-06-01 00:00:00Z (7 days)",
        "  users   active",
        "  select  email, ocx_created_date, ocx_status, sent, opens, clicks, ocx_unsubscribe_date, ocx_resubscribe_date, ocx_bounce_date, ocx_complaint_date, last_sent_date, last_open_date",
        "",
      ].join("\n"),
    );
    expect(run.stderr).toBe("");
    expect(run.stdout + run.stderr).not.toMatch(/oq> |\x1b\[/);
    expect(run.status).toBe(0);
  });

  it("shows an error as oq check does, and exits 1", async () => {
    const dir = home({ "bad.oq": 'opens > "x"\n' });
    const run = await repl('opens > "x"\n', [], dir);
    const check = await oq(["check", "bad.oq"], { cwd: dir });
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(check.stderr.replaceAll("bad.oq", "<query>"));
    expect(run.status).toBe(1);
  });

  it(".json prints the body oq compile prints; .fmt, .explain, .fields and .now", async () => {
    const dir = home();
    const run = await repl(
      'email   ends "x.com"   and opens>=3\n.json\n.fmt\n.explain\n.fields ocx_c\n.now 2024-01-01T00:00:00Z\nopens > 1\n',
      [],
      dir,
    );
    expect(run.status).toBe(0);
    const json = /^\{\n[^]*?\n\}\n/m.exec(run.stdout)![0];
    expect(JSON.parse(json)).toEqual(compile('email   ends "x.com"   and opens>=3', { now }).payload);
    expect(run.stdout).toContain('email ends "x.com" and opens >= 3\n');
    expect(run.stdout).toContain("2 criteria, joined by AND");
    expect(run.stdout).toContain('→ email (email) _LIKE ["x.com"]');
    expect(run.stdout).toMatch(/^ocx_created_date {4}date {5}system\nocx_complaint_date {2}date {5}system$/m);
    expect(run.stdout).toContain("now: 2024-01-01T00:00:00Z\n");
    expect(run.stdout).toContain("window  2023-12-02 00:00:00Z → 2024-01-01 00:00:00Z");
  });

  it(".param binds a parameter as --param does, .params lists them, .param NAME unbinds", async () => {
    const dir = home();
    const run = await repl(
      "email ends $domain\n.param domain=gmail.com\n.param n:=[1, 2]\n.params\nemail ends $domain\n.json\n.param domain\nemail ends $domain\n",
      [],
      dir,
    );
    expect(run.stdout).toContain('$domain = "gmail.com"\n$n = [1,2] (the last query does not use it)\n');
    const json = /^\{\n[^]*?\n\}\n/m.exec(run.stdout)![0];
    expect(JSON.parse(json).filters.criteria[0].operand).toEqual(["gmail.com"]);
    // A value bound for the session warns at no query that does not name it (OQ271).
    expect(run.stderr).not.toContain("the parameter n is bound");
    expect(run.stdout).toContain("$domain unbound\n");
    expect(run.stderr.match(/the parameter \$domain has no value/g)).toHaveLength(2);
    expect(run.status).toBe(1);
  });

  it(".now and .schema compile the last query again; .load names its file; .help lists .exit and .run's flags", async () => {
    const dir = home({ "bad.oq": "opens > 1\nand emial = 1\n" });
    const run = await repl(
      "opens > 1 during 1d\n.now 2024-01-01T00:00:00Z\n.json\n.load /nonexistent.oq\n.load bad.oq\n.help\n",
      [],
      dir,
    );
    const json = JSON.parse(/^\{\n[^]*?\n\}\n/m.exec(run.stdout)![0]) as unknown;
    expect(json).toEqual(compile("opens > 1 during 1d", { now: "2024-01-01T00:00:00Z" }).payload);
    expect(run.stderr).toContain("oq: cannot read the query file /nonexistent.oq: ENOENT\n");
    expect(run.stderr).not.toContain("no such file or directory");
    expect(run.stderr).toContain("bad.oq:2:5: error: unknown field 'emial'");
    expect(run.stdout).toMatch(/^ {2}\.quit, \.exit /m);
    // .run's flags, from the table they are declared in.
    for (const flag of flagsOf(".run")) expect(run.stdout).toMatch(new RegExp(`^ {6}--${flag.name}\\b`, "m"));
  });

  it(".save and .load a query; .schema brings custom fields", async () => {
    const dir = home({ "fields.json": JSON.stringify({ fields: { tier: "string" } }) });
    const run = await repl(
      'tier = "gold"\n.schema fields.json\ntier = "gold"\n.save gold.oq\n.load gold.oq\n',
      [],
      dir,
    );
    expect(run.stderr).toMatch(/unknown field 'tier'|tier/);
    expect(run.stdout).toContain("1 custom fields from fields.json");
    expect(readFileSync(join(dir, "gold.oq"), "utf8")).toBe('tier = "gold"\n');
    expect(run.stdout.match(/✓ tier = "gold"/g)).toHaveLength(2);
    expect(run.status).toBe(1); // the first query, before .schema
  });

  it("reads every example file and every oq fmt output as one query", async () => {
    const examples = join(import.meta.dirname, "..", "examples");
    for (const name of readdirSync(examples).filter((file) => file.endsWith(".oq"))) {
      const text = readFileSync(join(examples, name), "utf8");
      const formatted = (await oq(["fmt", join(examples, name)])).stdout;
      for (const input of [text, formatted, `${text}\n.json\n`]) {
        const project = Object.fromEntries(
          ["fields.json", "oq.config.json"].map((file) => [file, readFileSync(join(examples, file), "utf8")]),
        );
        const run = await repl(input, [], home(project));
        expect(run.stderr, name).toBe("");
        expect(run.stdout.match(/^✓/gm), name).toHaveLength(1);
        expect(run.status, name).toBe(0);
      }
    }
    const commented = await repl("# my session\nopens > 1\n");
    expect(commented.stdout).toMatch(/^✓ opens > 1\n/);
    expect(commented.status).toBe(0);
  });

  it("exits 1 on an unknown command or a query still open at the end; never writes a history", async () => {
    const run = await repl(".bogus\nopens >= 1 and\n");
    expect(run.stderr).toContain("oq: unknown command .bogus; .help lists them");
    expect(run.stderr).toContain("error");
    expect(run.status).toBe(1);
    expect(existsSync(join(run.dir, "state"))).toBe(false);
    expect(readdirSync(run.dir)).toEqual([]);
  });

  it(".run --sandbox runs the last query in a local sandbox and shows the first rows", async () => {
    const dir = home();
    const run = await oq(["repl", "--now", now], {
      cwd: dir,
      input:
        'email ends "gmail.com" and opens >= 1 select email, opens\n.run --sandbox --poll-interval 20ms --out gmail.csv\n',
      env: { HOME: dir, XDG_STATE_HOME: join(dir, "state") },
    });
    expect(run.status).toBe(0);
    const csv = readFileSync(join(dir, "gmail.csv"), "utf8").trimEnd().split("\r\n");
    const rows = csv.length - 1;
    expect(rows).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/^email +opens\n─+ +─+\n\S+@gmail\.com +[1-9]/m);
    expect(run.stdout).toContain(`${rows} row${rows === 1 ? "" : "s"}`);
    expect(run.stdout).toMatch(
      new RegExp(`→ ${join(dir, "gmail.csv").replace(/[.]/g, "\\.")} \\(report \\d+ deleted\\)\\n$`),
    );
  });

  it("a query that needs a plan shows its reports, and .run runs them and merges their contacts", async () => {
    const dir = home();
    const run = await oq(["repl", "--now", now], {
      cwd: dir,
      input:
        'email ends "gmail.com" and (opens > 3 or clicks > 2) select email, opens\n.run --sandbox --poll-interval 20ms --out plan.csv\n',
      env: { HOME: dir, XDG_STATE_HOME: join(dir, "state") },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("✓ runs as 2 reports; the contacts in report 1 or report 2");
    expect(run.stdout).toContain('report 2  email ends "gmail.com" and clicks > 2');
    const csv = readFileSync(join(dir, "plan.csv"), "utf8").trimEnd().split("\r\n");
    expect(csv[0]).toBe("email,opens");
    const emails = csv.slice(1).map((row) => row.split(",")[0]!);
    expect(emails.length).toBeGreaterThan(0);
    expect(new Set(emails).size).toBe(emails.length);
    expect(emails.every((email) => email.endsWith("@gmail.com"))).toBe(true);
    expect(run.stdout).toMatch(/\(reports \d+, \d+ deleted\)\n$/);
  });

  it("a signal during .run deletes the report and ends the session with the signal's status", async () => {
    sandbox = await testSandbox({ buildTimeMs: 600_000 });
    const dir = home();
    const created = sandbox.stats;
    const run = await oq(["repl"], {
      cwd: dir,
      input: "opens >= 1\n.run --poll-interval 20ms\nclicks > 1\n",
      env: { ...sandboxEnv(sandbox), HOME: dir, XDG_STATE_HOME: join(dir, "state") },
      onStart: (command) => {
        // Once the report is being polled: its id is known (a signal while the create is in
        // flight is runReport's case, test/recovery.test.ts).
        void until(
          () => created.reportsCreated === 1 && created.requests >= 2,
          "the report to be polled",
        ).then(() => command.signal("SIGTERM"));
      },
    });
    expect(run.status).toBe(143);
    expect(run.stderr).toContain("oq: stopping (SIGTERM)");
    expect(run.stderr).toMatch(/oq: stopped; report \d+ deleted/);
    expect(sandbox.stats.reportsDeleted).toBe(1);
    expect(sandbox.liveReports()).toEqual([]);
    // The session ended there: the query after .run was never read.
    expect(run.stdout).not.toContain("clicks > 1");
  });

  it(".run against the configured account goes through oq run's runner and deletes the report", async () => {
    sandbox = await testSandbox();
    const dir = home();
    const run = await oq(["repl"], {
      cwd: dir,
      input: "opens >= 1\n.run --poll-interval 20ms\n",
      env: { ...sandboxEnv(sandbox), HOME: dir, XDG_STATE_HOME: join(dir, "state") },
    });
    expect(run.status).toBe(0);
    expect(sandbox.stats.reportsCreated).toBe(1);
    expect(sandbox.stats.reportsDeleted).toBe(1);
    expect(run.stdout).toMatch(/rows? \(first 10 shown\) → \S+query-1\.csv \(report 1000 deleted\)\n$/);
    expect(run.stdout + run.stderr).not.toContain(sandbox.credentials.password);
  });
});

describe("the REPL speaks REPL (issue 16)", () => {
  it("advice names dot commands, not the command line's flags", async () => {
    const run = await repl(
      'email ends $domain\nfirst_name = "Ann"\n.param domain:=12345678901234567890\n.param 1x=2\n',
    );
    expect(run.stderr).toContain("help: bind it: .param domain=...");
    expect(run.stderr).toContain("custom list fields need a field schema: .schema FILE");
    expect(run.stderr).toContain(
      ".param domain:=: the number 12345678901234567890 cannot be carried exactly",
    );
    expect(run.stderr).toContain("(.param domain=12345678901234567890)");
    expect(run.stderr).toContain(".param takes name=value or name:=JSON");
    expect(run.stderr).not.toMatch(/--param|--schema|OQ_SCHEMA/);
  });

  it("a dot command after a clause alone runs as a command: the clause amends the last query first", async () => {
    const run = await repl("opens > 3\n.fmt\nduring 90d\n.fmt\n");
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toContain("error");
    expect(run.stdout).toContain("opens > 3\nduring 90d\n");
  });

  it(".param compiles the last query again; a bound value warns at no later query that does not use it", async () => {
    const run = await repl("email ends $domain\n.param domain=x.com\n.json\nopens > 1\nclicks > 2\n");
    const json = JSON.parse(/^\{\n[^]*?\n\}\n/m.exec(run.stdout)![0]) as {
      filters: { criteria: { operand: unknown }[] };
    };
    expect(json.filters.criteria[0]!.operand).toEqual(["x.com"]);
    expect(run.stderr).not.toContain("OQ271");
    expect(run.stderr).not.toContain("is bound");
    expect(run.stdout).toContain("✓ clicks > 2");
  });

  it(".load compiles as oq compile FILE: the oq.config.json from its folder, FILE.params.json beside it", async () => {
    const dir = home();
    mkdirSync(join(dir, "reports"));
    writeFileSync(join(dir, "reports", "fields.json"), JSON.stringify({ fields: { tier: "string" } }));
    writeFileSync(join(dir, "reports", "oq.config.json"), JSON.stringify({ schema: "fields.json" }));
    writeFileSync(join(dir, "reports", "gold.oq"), "tier = $tier and opens > 1\n");
    writeFileSync(join(dir, "reports", "gold.params.json"), JSON.stringify({ tier: "gold" }));
    const run = await repl(".load reports/gold.oq\n.json\n", [], dir);
    const compiled = await oq(["compile", "--now", now, "reports/gold.oq"], { cwd: dir });
    expect(compiled.status).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain(compiled.stdout);
  });

  it(".save asks before replacing another file (refuses from a pipe unless --force), makes folders, declares the values bound", async () => {
    const dir = home({ "other.oq": "opens > 100\n" });
    const run = await repl(
      "last_open_date > $since and email ends $domain\n.param since=2024-01-01\n.param domain=gmail.com\n.save other.oq\n.save new/folder/q.oq\n.save --force other.oq\n",
      [],
      dir,
    );
    expect(run.stderr).toContain(
      "oq: other.oq exists and holds something else; .save --force other.oq replaces it",
    );
    expect(run.stderr).not.toContain("ENOENT");
    expect(run.stdout).toContain(
      "saved to new/folder/q.oq (with the values bound as param declarations) (made the folder new/folder)",
    );
    const saved = readFileSync(join(dir, "new", "folder", "q.oq"), "utf8");
    expect(saved).toBe(
      'param since = 2024-01-01\nparam domain = "gmail.com"\nlast_open_date > $since and email ends $domain\n',
    );
    expect(readFileSync(join(dir, "other.oq"), "utf8")).toBe(saved);
    expect((await oq(["check", "new/folder/q.oq"], { cwd: dir })).status).toBe(0);
    expect(run.status).toBe(1); // the refusal
  });

  it(".explain words the title .json sends (a loaded file's name)", async () => {
    const dir = home({ "weekly.oq": "opens > 1\n" });
    const run = await repl(".load weekly.oq\n.explain\n.json\n", [], dir);
    expect(run.stdout).toContain('Report "weekly"');
    expect(run.stdout).toContain('"title": "weekly"');
  });

  it("a clause alone after a query amends it, and says so; a window of whole days is in days", async () => {
    const run = await repl(
      "opens > 3 during 30d\n\nduring 90d\n\nopens > 1 between 2024-01-01 and 2024-01-31\n",
    );
    expect(run.stdout).toContain(
      "(added to the last query; a new query starts with its condition)\n✓ opens > 3\n  window  2024-03-03 00:00:00Z → 2024-06-01 00:00:00Z (90 days)",
    );
    expect(run.stdout).toContain("2024-01-01 00:00:00Z → 2024-01-31 23:59:59Z (31 days)");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("oq repl --sandbox knows the sandbox's custom fields", async () => {
    const run = await repl('first_name = "Ann" and age > 30 and city = "Paris"\n.fields c\n', ["--sandbox"]);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain('✓ first_name = "Ann"');
    expect(run.stdout).toMatch(/^city +text +custom$/m);
  });
});

describe(".run's flags", () => {
  it("takes every flag app/flags.ts gives .run, and each changes the run", async () => {
    const defaults = parseRunFlags([]);
    expect(defaults).toEqual({
      detailed: false,
      sandbox: false,
      keep: false,
      pollInterval: "2s",
      timeout: "30m",
    });
    for (const flag of flagsOf(".run")) {
      const words = flag.argument === undefined ? [`--${flag.name}`] : [`--${flag.name}`, "7s"];
      expect(parseRunFlags(words), flag.name).not.toEqual(defaults);
    }
    expect(parseRunFlags(["--timeout"])).toBe("--timeout needs a value");
    expect(parseRunFlags(["--bogus"])).toMatch(
      /^\.run does not know '--bogus' \(it takes --out <path>, --detailed/,
    );
  });
});

describe("completion and multi-line input", () => {
  it("offers nothing after $, where a parameter's name is typed", async () => {
    expect(complete("email ends $", undefined).candidates).toEqual([]);
    expect(complete("email ends $d", undefined).candidates).toEqual([]);
  });

  it("offers only the operators a field's type takes", async () => {
    expect(complete("email ", undefined).candidates.sort()).toEqual(
      ["!=", "=", "contains", "ends", "in", "is", "not", "starts"].sort(),
    );
    expect(complete("opens ", undefined).candidates).toEqual(
      expect.arrayContaining(["between", ">", ">=", "<", "<=", "in"]),
    );
    expect(complete("opens ", undefined).candidates).not.toContain("contains");
    expect(complete("email not ", undefined).candidates).toEqual(["contains", "starts", "ends", "in"]);
    expect(complete("last_open_date ", undefined).candidates).not.toContain("between");
    expect(complete('email ends "x" ', undefined).candidates).toContain("case");
    expect(complete("(opens > 1 ", undefined).candidates.sort()).toEqual([")", "and", "or"]);
  });

  it("offers only values of the field's type: days for dates, [ where in takes a list", async () => {
    const offered = (text: string) => complete(text, undefined).candidates;
    expect(offered("opens > ")).toEqual([]);
    expect(offered("email = ")).toEqual([]);
    expect(offered("opens between 1 ")).toEqual(["and"]);
    expect(offered("opens between 1 and ")).toEqual([]);
    expect(offered("email in [")).toEqual([]);
    expect(offered("email in ")).toEqual(["["]);
    expect(offered("last_open_date > ")).toEqual(["today", "yesterday"]);
    expect(offered("last_open_date in [today, ")).toEqual(["today", "yesterday"]);
    expect(offered("opens > 1 between ")).toEqual(["today", "yesterday"]);
    expect(offered("opened campaign ")).toEqual(["["]);
    expect(offered("select email, ")).not.toContain("email");
    expect(offered("select email, opens, `")).not.toContain("`opens`");
    expect(offered("select `email`, em")).toEqual([]);
  });

  it("completes fields after select and a comma, users values, keywords in the case typed", async () => {
    expect(complete("select email, op", undefined).candidates).toEqual(["opens"]);
    expect(complete("select email, ti", { tier: "string" }).candidates).toEqual(["tier"]);
    expect(complete("users ", undefined).candidates).toEqual([
      "all",
      "active",
      "unsubscribed",
      "bounced",
      "complaint",
    ]);
    expect(complete('email ends "x" AN', undefined).candidates).toEqual(["AND"]);
    expect(complete("`we", { "weird name": "numeric" }).candidates).toEqual(["`weird name`"]);
    expect(complete('email ends "a', undefined).candidates).toEqual([]);
  });

  it("waits after and/or/not, an operator or an open parenthesis; a blank line or ; ends", async () => {
    const buffer = new QueryBuffer();
    expect(buffer.add("opens >= 1 and")).toEqual([]);
    expect(buffer.add("not")).toEqual([]);
    expect(buffer.add("(clicks >")).toEqual([]);
    expect(buffer.add("1")).toEqual([]);
    expect(buffer.add(")")).toEqual(["opens >= 1 and\nnot\n(clicks >\n1\n)"]);
    // A string cannot hold a line break: an open one ends the query (OQ004), as a lexical error does.
    expect(buffer.add('email ends "gm')).toEqual(['email ends "gm']);
    expect(buffer.add("opens > \uff13")).toEqual(["opens > \uff13"]);
    expect(buffer.add("opens > 1 \u{1F600}")).toEqual(["opens > 1 \u{1F600}"]);
    expect(buffer.add("opens > 1; clicks > 2 or")).toEqual(["opens > 1"]);
    expect(buffer.add(";")).toEqual(["clicks > 2 or"]);
    expect(buffer.add('email contains ";" # a; b')).toEqual(['email contains ";" # a; b']);
  });

  it("a comment or clauses alone wait for the condition; piped, clause lines carry a query on", async () => {
    const buffer = new QueryBuffer();
    expect(buffer.add("# my session")).toEqual([]);
    expect(buffer.empty).toBe(true);
    expect(buffer.add('title "t"')).toEqual([]);
    expect(buffer.add("during 7d")).toEqual([]);
    expect(buffer.add("opens > 1")).toEqual(['# my session\ntitle "t"\nduring 7d\nopens > 1']);
    expect(buffer.add("# only a comment")).toEqual([]);
    expect(buffer.add("")).toEqual([]);
    const piped = new QueryBuffer({ joinLines: true });
    expect(piped.add("opens > 1")).toEqual([]);
    expect(piped.add("  or clicks > 2")).toEqual([]);
    expect(piped.add("# a note")).toEqual([]);
    expect(piped.add("select email")).toEqual([]);
    expect(piped.add("in segment 5")).toEqual(["opens > 1\n  or clicks > 2\n# a note\nselect email"]);
    expect(piped.flush()).toEqual(["in segment 5"]);
  });

  it("keeps the history in XDG_STATE_HOME, else the platform's folder", async () => {
    expect(historyPath({ HOME: "/h", XDG_STATE_HOME: "/s" }, "linux")).toBe("/s/oq/history");
    expect(historyPath({ HOME: "/h" }, "linux")).toBe("/h/.local/state/oq/history");
    expect(historyPath({ HOME: "/h" }, "darwin")).toBe("/h/Library/Application Support/oq/history");
    expect(historyPath({ HOME: "/h", LOCALAPPDATA: "/l" }, "win32")).toMatch(/^\/l.oq.history$/);
  });
});
