import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "../app/connection.js";
import { outputFile } from "../app/outputPath.js";
import { flagDefault, flagsOf, flagUsage } from "../app/flags.js";
import { terminalLine } from "../app/terminalText.js";
import { signalExitCodes } from "../app/exitCodes.js";
import { durationFlag } from "../app/durationFlag.js";
import { reportWords, runJobs } from "../app/runJobs.js";
import type { OngageClient } from "../client/client.js";
import type { Session } from "./session.js";
import { alignedTable, csvHead } from "./table.js";

/*
 * `.run`: the last query through the runner exactly as `oq run` drives it (progress, clean-up,
 * every signal deleting the report), then the first rows as a table.
 */

interface RunFlags {
  out?: string;
  detailed: boolean;
  sandbox: boolean;
  keep: boolean;
  pollInterval: string;
  timeout: string;
}

/** How many rows of the CSV are shown. */
const shownRows = 10;

/** `.run`'s words, read by the flags app/flags.ts gives `.run` (a subset of `oq run`'s, and `--sandbox`). */
export function parseRunFlags(words: string[]): RunFlags | string {
  const known = flagsOf(".run");
  const given = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const flag = known.find((candidate) => `--${candidate.name}` === word);
    if (!flag) return `.run does not know '${word}' (it takes ${known.map(flagUsage).join(", ")})`;
    if (flag.argument === undefined) {
      switches.add(flag.name);
      continue;
    }
    const value = words[++i];
    if (value === undefined) return `${word} needs a value`;
    given.set(flag.name, value);
  }
  // --poll-interval and --timeout have defaults in the table, as in `oq run`.
  const valueOf = (name: string) => given.get(name) ?? flagDefault(".run", name)!;
  return {
    ...(given.has("out") ? { out: given.get("out")! } : {}),
    detailed: switches.has("detailed"),
    sandbox: switches.has("sandbox"),
    keep: switches.has("keep"),
    pollInterval: valueOf("poll-interval"),
    timeout: valueOf("timeout"),
  };
}

/** The local sandbox, started on first use and kept for the session. */
async function sandboxClient(session: Session): Promise<OngageClient> {
  if (!session.sandbox) {
    const now = session.settings.now;
    const { startSandbox } = await import("../sandbox/server.js");
    session.sandbox = await startSandbox({
      port: 0,
      host: "127.0.0.1",
      ...(typeof now === "number" ? { now: Math.floor(now / 1000) } : {}),
    });
    session.output.err(
      `(a local sandbox on ${session.sandbox.url}: ${session.sandbox.contacts.size.toLocaleString("en-US")} generated contacts)\n`,
    );
  }
  const { url, listId, credentials } = session.sandbox;
  return (session.sandboxClient ??= await connect(
    { baseUrl: url, listId },
    {
      ...session.host.env,
      ONGAGE_USERNAME: credentials.username,
      ONGAGE_PASSWORD: credentials.password,
      ONGAGE_ACCOUNT_CODE: credentials.accountCode,
    },
    session.host.cwd(),
  ));
}

/**
 * Runs the last query. `beforeRun`/`afterRun` hand the terminal over: during a run Ctrl-C is a
 * signal (as in `oq run`), not a key for the line editor.
 */
export async function runLast(
  session: Session,
  flags: RunFlags,
  terminal: { beforeRun(): void; afterRun(): void },
): Promise<"quit" | void> {
  const payload = session.last?.payload;
  const queryPlan = session.last?.plan;
  if (!payload && !queryPlan) {
    session.fail(session.last ? "oq: the last query has errors; fix it first" : "oq: no query to run yet");
    return;
  }
  const pollIntervalMs = durationFlag("--poll-interval", flags.pollInterval);
  const timeoutMs = durationFlag("--timeout", flags.timeout);
  session.runs++;
  let path: string;
  if (flags.out) path = outputFile("--out", flags.out, `query-${session.runs}.csv`);
  else {
    session.runFolder ??= mkdtempSync(join(tmpdir(), "oq-repl-"));
    path = join(session.runFolder, `query-${session.runs}.csv`);
  }
  const client =
    flags.sandbox || session.useSandbox
      ? await sandboxClient(session)
      : (session.client ??= await connect({}, session.host.env, session.host.cwd()));
  const say = terminalLine(client.redaction);
  terminal.beforeRun();
  let result;
  try {
    result = await runJobs(
      session.host,
      client,
      [
        {
          name: `query ${session.runs}`,
          destination: { kind: "file", path },
          ...(queryPlan ? { plan: queryPlan } : { request: payload! }),
        },
      ],
      {
        detailed: flags.detailed,
        keep: flags.keep,
        pollIntervalMs,
        timeoutMs,
        quiet: true,
        outlivesWork: true,
      },
    );
  } finally {
    terminal.afterRun();
  }
  const summary = result.summaries[0]!;
  const reports = reportWords(say, summary);
  if (result.stoppedBy) {
    session.fail(
      reports === ""
        ? say`oq: stopped`
        : say`oq: stopped; ${reports} ${summary.deleted ? "deleted" : "not deleted"}`,
    );
    // Ctrl-C at the prompt's terminal is for this run only; any other stop ends the session.
    if (result.stoppedBy !== "SIGINT" || !session.output.interactive) {
      session.stoppedWith = signalExitCodes[result.stoppedBy];
      return "quit";
    }
    return;
  }
  if (!summary.ok) {
    session.failed = true;
    return;
  }
  // The CSV's cells are the server's words too: each passes the door before the table shows it.
  const rows = csvHead(path, shownRows).map((row) => row.map((cell) => client.redaction.quote(cell)));
  for (const line of alignedTable(rows).split("\n").slice(0, -1)) session.output.out(say`${line}\n`);
  const report = reports === "" ? say`` : say` (${reports} ${summary.deleted ? "deleted" : "kept"})`;
  const more = summary.rows > rows.length - 1 ? say` (first ${rows.length - 1} shown)` : say``;
  session.output.out(
    say`${summary.rows.toLocaleString("en-US")} row${summary.rows === 1 ? "" : "s"}${more} → ${path}${report}\n`,
  );
}
