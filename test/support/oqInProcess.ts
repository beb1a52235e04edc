import { EventEmitter } from "node:events";
import { Readable, Writable } from "node:stream";
import type { Host } from "../../src/app/host.js";
import { main } from "../../src/cli/main.js";
import { runCompilingCommand } from "../../src/cli/compilingCommands.js";
import { runProgram } from "../../src/cli/program.js";
import { addReportsCommands } from "../../src/cli/reportsCommands.js";

/*
 * The whole `oq` command run in this process: `main(argv, host)` with a stand-in for the
 * process (its streams, environment, working folder, signals), as the built command runs it
 * with the real one (src/cli/oq.ts). The CLI's contract tests use it so that testing the
 * command does not start a process per case; a few tests per command still start the built
 * binary (cli.e2e.test.ts) for what only a process shows: the bundle, real signals, a TTY.
 *
 * The working folder: relative paths in oq are resolved by Node against the process's folder,
 * so a run with `cwd` changes it for its duration (runs in one file never overlap; a second
 * concurrent run in another folder is refused rather than allowed to read the wrong files).
 */

/** What a run of `oq` gave: its exit status and what it wrote. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Text written to a stand-in stream (a pipe: no TTY, no colour). */
class Captured extends Writable {
  text = "";
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    done();
  }
}

/** A signal sent to an in-process run (what `kill -TERM` does to the command). */
export interface InProcessRun {
  signal(name: "SIGINT" | "SIGTERM" | "SIGHUP"): void;
}

/**
 * The environment of an `oq` a test runs (in process or as a child): this process's, without the
 * settings that would make a test depend on the machine (OQ_NOW, OQ_SCHEMA, NO_COLOR), with
 * `extra` (undefined unsets).
 */
export function commandEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {
    ...process.env,
    OQ_NOW: undefined,
    OQ_SCHEMA: undefined,
    NO_COLOR: undefined,
    ...extra,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env as NodeJS.ProcessEnv;
}

let running: string | undefined;

/** Runs `oq ARGS` in this process, as `runOq`/`runOqAsync` run the built command. */
export async function oq(
  args: string[],
  options: {
    cwd?: string;
    input?: string;
    env?: Record<string, string | undefined>;
    onStart?: (run: InProcessRun) => void;
    /**
     * An entry of its own that bin/oq.js runs instead of the whole program's: the compiling
     * commands' (compile, check, plan, explain) or `oq reports`'.
     */
    entry?: "compiling" | "reports";
  } = {},
): Promise<CliRun> {
  const cwd = options.cwd ?? process.cwd();
  if (running !== undefined && running !== cwd)
    throw new Error("two in-process oq runs in different folders at once");
  const stdout = new Captured();
  const stderr = new Captured();
  const signals = new EventEmitter();
  const host = {
    stdout: stdout as unknown as Host["stdout"],
    stderr: stderr as unknown as Host["stderr"],
    stdin: Readable.from([options.input ?? ""]) as unknown as Host["stdin"],
    env: commandEnv(options.env ?? {}),
    cwd: () => cwd,
    on: (event: string, listener: () => void) => (signals.on(event, listener), host),
    off: (event: string, listener: () => void) => (signals.off(event, listener), host),
    once: (event: string, listener: () => void) => (signals.once(event, listener), host),
    // The last resort after a signal (app/interrupt.ts) may call it after the run: noted, not obeyed.
    exit: (status?: number) => {
      exited ??= status ?? 0;
    },
    exitCode: undefined as number | string | undefined,
  };
  let exited: number | undefined;
  const before = process.cwd();
  running = cwd;
  process.chdir(cwd);
  try {
    options.onStart?.({ signal: (name) => signals.emit(name) });
    const asHost = host as unknown as Host;
    if (options.entry === "reports") await runProgram(args, asHost, addReportsCommands);
    // The compiling entry leaves what it does not read itself to the whole program, as bin/oq.js does.
    else if (!(options.entry === "compiling" && (await runCompilingCommand(args, asHost))))
      await main(args, asHost);
  } finally {
    process.chdir(before);
    running = undefined;
  }
  return { status: exited ?? Number(host.exitCode ?? 0), stdout: stdout.text, stderr: stderr.text };
}
