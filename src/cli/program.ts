import { Command, CommanderError } from "commander";
import { exitCodes, signalExitCodes } from "../app/exitCodes.js";
import { toleratePipeClosedByReader } from "./closedOutput.js";
import { reportCommandError } from "./commandErrors.js";
import type { Host } from "../app/host.js";

/*
 * The `oq` program that every command hangs from: its name, version, help and output, and what
 * an error thrown by a command becomes (a message and an exit status). The commands are added by
 * the caller: main.ts adds them all; oqCompiling.ts, the entry of the compiling commands' own
 * bundle (docs/ARCHITECTURE.md, "Start-up"), adds only those (compilingCommands.ts).
 */

/** Kept equal to package.json's by a test (cli.test.ts). */
const version = "0.1.0";

const helpFooter = `
Examples:
  oq compile weekly.oq                  print the request body for weekly.oq
  echo 'opens >= 3' | oq compile -      compile from standard input
  oq check queries/*.oq                 check many queries at once
  oq explain weekly.oq                  say in plain English what weekly.oq selects
  oq plan weekly.oq                     show the reports oq run makes for weekly.oq
  oq fmt --write queries/*.oq           lay queries out canonically
  oq decompile request.json             turn a request body back into a query
  oq repl --schema fields.json          an interactive shell: Tab completion, .run, .json, .help
  oq playground                         the same in a browser, on http://127.0.0.1:8090/

Running reports (oq run, oq reports, oq fields pull, oq doctor):
  oq doctor --save                      before the first run on your account: settle its readings
  oq sandbox &                          a local Ongage stand-in; it prints the settings below
  oq run weekly.oq --out weekly.csv     create the report, wait, download, delete
  oq run queries/ --out results/        every query in a folder, concurrently

Environment:
  ONGAGE_USERNAME, ONGAGE_PASSWORD, ONGAGE_ACCOUNT_CODE   credentials (or ONGAGE_API_KEY)
  ONGAGE_LIST_ID, ONGAGE_BASE_URL                        the list and the API's address
  OQ_NOW      a fixed "now" (ISO 8601, UTC unless an offset is written), as --now
  OQ_SCHEMA   the field schema file, as --schema (oq.config.json can name one too)
  NO_COLOR    no colours in diagnostics

Exit status: ${exitCodes.ok} ok, ${exitCodes.failed} a query or a run failed, ${exitCodes.usage} oq was called wrongly, 128+signal when stopped
(${exitCodes.interrupted} Ctrl-C, ${signalExitCodes.SIGTERM} SIGTERM, ${signalExitCodes.SIGHUP} SIGHUP).
The language is described in grammar.md.`;

/** Runs `oq` with `argv` (the arguments after `oq`) in `host`, with the commands `addCommands` adds, and sets its exit status. */
export async function runProgram(
  argv: string[],
  host: Host,
  addCommands: (program: Command, host: Host) => void,
): Promise<void> {
  toleratePipeClosedByReader(host.stdout, "standard output", host);
  toleratePipeClosedByReader(host.stderr, "standard error", host);
  const program = new Command("oq")
    .description("Compile oq queries into Ongage contact-activity report requests, and run them.")
    .version(version, "-v, --version")
    .showHelpAfterError("(run oq --help for usage)")
    .configureHelp({ sortSubcommands: false })
    .addHelpText("after", helpFooter)
    .configureOutput({
      writeOut: (text) => host.stdout.write(text),
      writeErr: (text) => host.stderr.write(text),
      getOutHelpWidth: () => host.stdout.columns,
      getErrHelpWidth: () => host.stderr.columns,
    })
    .exitOverride();
  addCommands(program, host);
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end by "throwing" with exit code 0.
      host.exitCode = error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
      return;
    }
    if (reportCommandError(error, host)) return;
    throw error;
  }
}
