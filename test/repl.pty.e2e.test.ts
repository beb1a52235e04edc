import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Sandbox } from "../src/sandbox/server.js";
import { oqBin } from "./support/cli.js";
import { sandboxEnv, testSandbox } from "./support/sandbox.js";
import { TmuxSession, tmuxAvailable } from "./support/tmux.js";
import { until } from "./support/until.js";

/*
 * `oq repl` at a real terminal (a tmux pseudo-terminal): completion, multi-line input, Ctrl-C
 * and Ctrl-D, history across sessions, and Ctrl-C during a run. What is asserted is the screen.
 */

const hasTmux = tmuxAvailable();
if (!hasTmux) console.warn("test/repl.pty.e2e.test.ts skipped: tmux is not installed (.ci/run installs it)");

let session: TmuxSession | undefined;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  session?.close();
  session = undefined;
  await sandbox?.close();
  sandbox = undefined;
});

function home(): string {
  return mkdtempSync(join(tmpdir(), "oq-repl-home-"));
}

async function startRepl(
  args: string[] = [],
  env: Record<string, string | undefined> = {},
  dir = home(),
): Promise<TmuxSession> {
  const clean: Record<string, string> = { HOME: dir, XDG_STATE_HOME: join(dir, "state") };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) clean[key] = value;
  session = new TmuxSession([process.execPath, oqBin, "repl", ...args], clean, dir);
  await session.waitFor(/oq>$/m, "the prompt");
  return session;
}

/**
 * Types text and waits until the terminal shows it, so that the next key (a Tab) arrives on its
 * own: readline does not complete on a Tab that comes in one chunk with pasted text.
 */
async function type(repl: TmuxSession, text: string): Promise<void> {
  const before = promptLine(repl.screen());
  repl.type(text);
  await until(() => promptLine(repl.screen()) !== before || text === "", `'${text}' to show`);
}

/** The last line with a prompt on it. */
function promptLine(screen: string): string {
  return (
    screen
      .trimEnd()
      .split("\n")
      .filter((line) => /^(oq|\.\.)> /.test(line))
      .at(-1) ?? ""
  );
}

describe.skipIf(!hasTmux)("oq repl at a terminal", () => {
  it("completes field names, then only the operators the field's type takes", async () => {
    const repl = await startRepl();
    await type(repl, "ema");
    repl.keys("Tab");
    await repl.waitFor(/oq> email$/m, "email completed");
    // readline lists the candidates on a second Tab; two Tabs that arrive in one read count as
    // pasted text, so Tab is pressed until the list shows.
    await until(() => {
      if (repl.screen().includes("contains")) return true;
      repl.keys("Tab");
      return false;
    }, "the operators listed");
    const screen = repl.screen();
    const listed = screen.split("\n").find((line) => line.includes("contains"))!;
    expect(listed.split(/\s+/).filter(Boolean).sort()).toEqual(
      ["!=", "=", "contains", "ends", "in", "is", "not", "starts"].sort(),
    );
    expect(listed).not.toMatch(/between|>/);
    await type(repl, "en");
    repl.keys("Tab");
    await repl.waitFor(/oq> email ends$/m, "ends completed");
  });

  it("completes numeric operators, custom fields from the schema, and words mid-line", async () => {
    const dir = home();
    writeFileSync(
      join(dir, "fields.json"),
      JSON.stringify({ fields: { loyalty_tier: "string", lifetime_value: "numeric" } }),
    );
    const repl = await startRepl(["--schema", "fields.json"], {}, dir);
    await type(repl, "lifetime_v");
    repl.keys("Tab");
    await repl.waitFor(/oq> lifetime_value$/m, "a custom field completed");
    await type(repl, "be");
    repl.keys("Tab");
    await repl.waitFor(/oq> lifetime_value between$/m, "between, for a numeric field");
    repl.keys("C-c");
    await repl.waitFor(/\^C\noq>$/m, "the line cleared");
    // Mid-line: the cursor after `ocx_bou`, text after it.
    await type(repl, "ocx_bou < 2024-01-01");
    for (let i = 0; i < " < 2024-01-01".length; i++) repl.keys("Left");
    // The Tab on its own, after the cursor has moved (keys read together do not complete).
    await until(() => repl.cursorColumn() === "oq> ocx_bou".length, "the cursor after ocx_bou");
    repl.keys("Tab");
    await repl.waitFor(/oq> ocx_bounce_date < 2024-01-01$/m, "the field completed mid-line");
  });

  it("waits for more after 'and' or an open parenthesis; Ctrl-C clears a half-typed query", async () => {
    const repl = await startRepl(["--now", "2024-06-01T00:00:00Z"]);
    repl.type('email ends "gmail.com" and');
    repl.keys("Enter");
    await repl.waitFor(/^\.\.>$/m, "the continuation prompt");
    repl.type("(opens >= 3");
    repl.keys("Enter");
    await repl.waitFor(/\.\.> \(opens >= 3\n\.\.>$/m, "still waiting");
    repl.type("and clicks > 1)");
    repl.keys("Enter");
    const screen = await repl.waitFor(
      /✓ email ends "gmail\.com" and opens >= 3 and clicks > 1/,
      "the summary",
    );
    expect(screen).toMatch(/window {2}2024-05-02 00:00:00Z → 2024-06-01 00:00:00Z \(30 days\)/);
    repl.type("opens >");
    repl.keys("Enter");
    await repl.waitFor(/\.\.>$/m, "waiting for a value");
    repl.keys("C-c");
    await repl.waitFor(/\^C\noq>$/m, "back at the main prompt");
    repl.type("clicks > 2");
    repl.keys("Enter");
    await repl.waitFor(/✓ clicks > 2/, "a fresh query, not the cleared one");
  });

  it("a clause typed alone right after a query amends it at once; .save asks before replacing a file", async () => {
    const dir = home();
    writeFileSync(join(dir, "kept.oq"), "opens > 100\n");
    const repl = await startRepl(["--now", "2024-06-01T00:00:00Z"], {}, dir);
    repl.type("opens > 3");
    repl.keys("Enter");
    await repl.waitFor(/✓ opens > 3/, "the summary");
    repl.type("during 90d");
    repl.keys("Enter");
    const screen = await repl.waitFor(/\(90 days\)\n[^]*oq>$/m, "the last query amended, and the prompt");
    expect(screen).toContain("(added to the last query; a new query starts with its condition)");
    expect(screen).not.toContain("no condition");
    repl.type(".save kept.oq");
    repl.keys("Enter");
    await repl.waitFor(/kept\.oq exists and holds something else; replace it\? \[y\/N\]$/m, "the question");
    repl.type("n");
    repl.keys("Enter");
    await repl.waitFor(/^not saved\noq>$/m, "kept as it was");
    expect(readFileSync(join(dir, "kept.oq"), "utf8")).toBe("opens > 100\n");
    repl.type(".save kept.oq");
    repl.keys("Enter");
    await repl.waitFor(/replace it\? \[y\/N\]$/m, "the question again");
    repl.type("y");
    repl.keys("Enter");
    await repl.waitFor(/^saved to kept\.oq\noq>$/m, "replaced");
    expect(readFileSync(join(dir, "kept.oq"), "utf8")).toBe("opens > 3\nduring 90d\n");
  });

  it("reads a pasted .oq file as one query, and still ends a typed one-line query at Enter", async () => {
    const repl = await startRepl(["--now", "2024-06-01T00:00:00Z"]);
    const file = readFileSync(new URL("../examples/active-gmail.oq", import.meta.url), "utf8");
    repl.type(file.replaceAll("\n", "\r"));
    const screen = await repl.waitFor("select  email, ocx_status, opens, clicks", "the summary");
    expect(screen.match(/✓/g)).toHaveLength(1);
    expect(screen).toContain("select  email, ocx_status, opens, clicks");
    expect(screen).not.toContain("error");
    repl.type("clicks > 2");
    repl.keys("Enter");
    await repl.waitFor(/✓ clicks > 2/, "a one-line query at Enter");
  });

  it("compiles a 20 KB one-line paste at a terminal with colours without redrawing it per key", async () => {
    const repl = await startRepl(["--now", "2024-06-01T00:00:00Z"]);
    const query = `opens > 1${" or clicks > 2".repeat(1_430)}`;
    expect(query.length).toBeGreaterThan(20_000);
    // tmux takes a few KB per command; the terminal reads a paste in pieces anyway.
    for (let at = 0; at < query.length; at += 4_000) repl.type(query.slice(at, at + 4_000));
    repl.keys("Enter");
    // Generous: it takes well under a second; redrawing the coloured line per key took ~40 s.
    await until(() => /✓ opens > 1 or clicks > 2/.test(repl.screen()), "the paste compiled", 15_000);
  });

  it("colours the line being typed, and not with NO_COLOR", async () => {
    let repl = await startRepl();
    repl.type('email ends "gmail.com" and opens >= 3');
    const esc = "\x1b";
    await until(
      () =>
        repl
          .screen({ colours: true })
          .includes(
            `${esc}[36memail${esc}[39m ${esc}[35mends${esc}[39m ${esc}[32m"gmail.com"${esc}[39m ${esc}[35mand${esc}[39m ${esc}[36mopens${esc}[39m >= ${esc}[33m3`,
          ),
      "keywords, fields, strings and numbers in colour",
    );
    repl.close();
    repl = await startRepl([], { NO_COLOR: "1" });
    repl.type('email ends "gmail.com" and opens >= 3');
    await repl.waitFor('oq> email ends "gmail.com" and opens >= 3', "the line");
    repl.keys("Enter");
    await repl.waitFor(/✓ email ends/, "the summary");
    expect(repl.screen({ colours: true })).not.toContain(esc);
  });

  it("Ctrl-C twice on an empty line leaves; Ctrl-D on an empty line leaves", async () => {
    let repl = await startRepl();
    repl.keys("C-c");
    await repl.waitFor("Ctrl-C again or Ctrl-D to leave", "the hint");
    expect(repl.exitStatus()).toBeUndefined();
    repl.keys("C-c");
    expect(await repl.exited()).toBe(0);
    repl.close();
    repl = await startRepl();
    repl.keys("C-d");
    expect(await repl.exited()).toBe(0);
  });

  it("keeps the history across sessions, a multi-line query as one entry", async () => {
    const dir = home();
    let repl = await startRepl([], {}, dir);
    repl.type("opens >= 1 and");
    repl.keys("Enter");
    await repl.waitFor(/^\.\.>$/m, "continuation");
    repl.type("clicks >= 1");
    repl.keys("Enter");
    await repl.waitFor(/✓ opens >= 1 and clicks >= 1/, "the summary");
    repl.keys("C-d");
    await repl.exited();
    repl.close();
    const path = join(dir, "state", "oq", "history");
    // The entry keeps its line breaks.
    expect(readFileSync(path, "utf8")).toBe('"opens >= 1 and\\nclicks >= 1"\n');
    repl = await startRepl([], {}, dir);
    repl.keys("Up");
    await repl.waitFor(/oq> opens >= 1 and\s*\n\s*clicks >= 1/, "the entry recalled");
    repl.keys("Enter");
    await repl.waitFor(/✓ opens >= 1 and clicks >= 1/, "the recalled entry compiled");
  });

  it("Ctrl-C during .run cancels the report, deletes it, and comes back to the prompt", async () => {
    sandbox = await testSandbox({ buildTimeMs: 600_000 });
    const env = Object.fromEntries(
      Object.entries(sandboxEnv(sandbox)).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    );
    const repl = await startRepl([], env);
    repl.type("opens >= 1");
    repl.keys("Enter");
    await repl.waitFor(/✓ opens >= 1/, "the summary");
    repl.type(".run --poll-interval 50ms");
    repl.keys("Enter");
    await until(() => sandbox!.stats.reportsCreated === 1, "the report to be created");
    await repl.waitFor(/pending/, "the progress line");
    repl.keys("C-c");
    const screen = await repl.waitFor(/oq: stopped; report \d+ deleted\n(.*\n)*oq>$/m, "back at the prompt");
    expect(screen).toMatch(/deleting the reports this run made/);
    expect(sandbox.stats.reportsDeleted).toBe(1);
    expect(sandbox.liveReports()).toEqual([]);
    // Still alive: the next query compiles.
    repl.type("clicks > 1");
    repl.keys("Enter");
    await repl.waitFor(/✓ clicks > 1/, "the REPL to go on");
    expect(repl.exitStatus()).toBeUndefined();
  });

  it("Ctrl-C during .run --sandbox deletes the report in the local sandbox", async () => {
    const repl = await startRepl(["--sandbox", "--now", "2024-06-01T00:00:00Z"]);
    repl.type("opens >= 1");
    repl.keys("Enter");
    await repl.waitFor(/✓ opens >= 1/, "the summary");
    repl.type(".run --poll-interval 50ms");
    repl.keys("Enter");
    await repl.waitFor(/pending/, "the progress line");
    repl.keys("C-c");
    const screen = await repl.waitFor(/oq: stopped; report \d+ deleted\n(.*\n)*oq>$/m, "back at the prompt");
    expect(screen).toMatch(/a local sandbox on http:\/\/127\.0\.0\.1:\d+/);
  });
});
