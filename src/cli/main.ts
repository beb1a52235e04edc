import { Command, CommanderError } from "commander";
import { exitCodes, signalExitCodes } from "../app/exitCodes.js";
import { UsageError } from "../app/usageError.js";
import { terminalSafe } from "../app/terminalText.js";
import { toleratePipeClosedByReader } from "./closedOutput.js";
import { withFlags } from "../app/flags.js";
import type { Host } from "../app/host.js";

/*
 * The command line: the commands and their arguments; their flags are declared in app/flags.ts
 * (with the REPL's .run's). Each command's work lives in commands/*.ts and is loaded when that
 * command runs, so that a command pays at start-up only for what it uses (`oq reports export` never loads the compiler, `oq compile` never
 * loads the HTTP client).
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

function buildProgram(host: Host): Command {
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

  withFlags(
    program
      .command("compile")
      .description("compile a query and print the JSON body for POST /api/contact_activity")
      .argument("<file>", "the .oq file, or - for standard input"),
    "compile",
  ).action(async (file: string, options) => {
    const { compileCommand } = await import("./commands/compile.js");
    host.exitCode = await compileCommand(file, options, host);
  });

  withFlags(
    program
      .command("check")
      .description(
        "check queries as oq run takes them (a plan of several reports included), without printing payloads",
      )
      .argument("<files...>", "the .oq files, or - for standard input"),
    "check",
  ).action(async (files: string[], options) => {
    const { checkCommand } = await import("./commands/compile.js");
    host.exitCode = await checkCommand(files, options, host);
  });

  withFlags(
    program
      .command("plan")
      .description("show what oq run runs for a query: one report, or several and how their contacts combine")
      .argument("<file>", "the .oq file, or - for standard input"),
    "plan",
  ).action(async (file: string, options) => {
    const { planCommand } = await import("./commands/plan.js");
    host.exitCode = await planCommand(file, options, host);
  });

  withFlags(
    program
      .command("explain")
      .description("say in plain English what a query selects, for reviewers")
      .argument("<file>", "the .oq file, or - for standard input"),
    "explain",
  ).action(async (file: string, options) => {
    const { explainCommand } = await import("./commands/explain.js");
    host.exitCode = await explainCommand(file, options, host);
  });

  withFlags(
    program
      .command("fmt")
      .description("lay queries out canonically (prints to stdout unless --write or --check)")
      .argument("<files...>", "the .oq files, or - for standard input"),
    "fmt",
  ).action(async (files: string[], options) => {
    const { fmtCommand } = await import("./commands/format.js");
    host.exitCode = await fmtCommand(files, options, host);
  });

  withFlags(
    program
      .command("decompile")
      .description("turn a contact_activity request body (JSON) back into an oq query")
      .argument("<file>", "the JSON file, or - for standard input"),
    "decompile",
  ).action(async (file: string, options: { schema?: string }) => {
    const { decompileCommand } = await import("./commands/format.js");
    host.exitCode = await decompileCommand(file, options, host);
  });

  withFlags(
    program
      .command("repl")
      .description("an interactive shell: type queries, see what they mean, complete with Tab, run them"),
    "repl",
  ).action(async (options) => {
    const { replCommand } = await import("./commands/repl.js");
    host.exitCode = await replCommand(options, host);
  });

  withFlags(
    program
      .command("lsp")
      .description(
        "the language server for editors, on standard input and output (editors/vscode/README.md)",
      ),
    "lsp",
  ).action(async () => {
    const { lspCommand } = await import("./commands/lsp.js");
    host.exitCode = await lspCommand(host);
  });

  withFlags(
    program
      .command("run")
      .description("run queries as Ongage reports: create, wait, download the CSV, delete")
      .argument("[queries...]", ".oq files or folders of them"),
    "run",
  ).action(async (queries: string[], options) => {
    if (options.plan !== undefined || queries.length === 0) {
      const { runPlanFileCommand } = await import("./commands/runPlanFile.js");
      host.exitCode = await runPlanFileCommand(queries, options, host);
      return;
    }
    const [{ runCommand }, { compileSettingsFor }] = await Promise.all([
      import("./commands/run.js"),
      import("../app/compileSettings.js"),
    ]);
    host.exitCode = await runCommand(queries, options, compileSettingsFor(options, host), host);
  });

  const reports = program
    .command("reports")
    .description("list, inspect, export and delete reports made elsewhere");
  withFlags(reports.command("list").description("list contact-activity reports"), "reports list").action(
    async (options) => {
      const { listReports } = await import("./commands/reports.js");
      host.exitCode = await listReports(options, host);
    },
  );
  withFlags(
    reports.command("status").description("show a report's status").argument("<id>"),
    "reports status",
  ).action(async (id: string, options) => {
    const { reportStatus } = await import("./commands/reports.js");
    host.exitCode = await reportStatus(id, options, host);
  });
  withFlags(
    reports.command("export").description("download a completed report's CSV").argument("<id>"),
    "reports export",
  ).action(async (id: string, options) => {
    const { exportReport } = await import("./commands/reports.js");
    host.exitCode = await exportReport(id, options, host);
  });
  withFlags(
    reports.command("delete").description("delete a report").argument("<id>"),
    "reports delete",
  ).action(async (id: string, options) => {
    const { deleteReport } = await import("./commands/reports.js");
    host.exitCode = await deleteReport(id, options, host);
  });

  withFlags(
    program
      .command("fields")
      .description("the list's custom fields")
      .command("pull")
      .description("fetch GET /api/list_fields and write the field schema file the compiler uses"),
    "fields pull",
  ).action(async (options) => {
    const { pullFields } = await import("./commands/fields.js");
    host.exitCode = await pullFields(options, host);
  });

  withFlags(
    program
      .command("doctor")
      .description(
        "settle, on your list, the readings of Ongage's criteria oq cannot confirm (a few small reports, each deleted)",
      ),
    "doctor",
  ).action(async (options) => {
    const { doctorCommand } = await import("./commands/doctor.js");
    host.exitCode = await doctorCommand(options, host);
  });

  withFlags(
    program
      .command("sandbox")
      .description(
        "start a local Ongage-compatible server over generated contacts (for trying oq and for tests)",
      ),
    "sandbox",
  ).action(async (options) => {
    const { sandboxCommand } = await import("./commands/sandbox.js");
    host.exitCode = await sandboxCommand(options, host);
  });

  withFlags(
    program
      .command("playground")
      .description(
        "serve the playground on 127.0.0.1: write queries in a browser and see their problems, request, meaning and sample contacts",
      ),
    "playground",
  ).action(async (options) => {
    const { playgroundCommand } = await import("./commands/playground.js");
    host.exitCode = await playgroundCommand(options, host);
  });

  return program;
}

/** Runs `oq` with `argv` (the arguments after `oq`) in `host`, and sets its exit status. */
export async function main(argv: string[], host: Host): Promise<void> {
  toleratePipeClosedByReader(host.stdout, "standard output", host);
  toleratePipeClosedByReader(host.stderr, "standard error", host);
  const program = buildProgram(host);
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end by "throwing" with exit code 0.
      host.exitCode = error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
      return;
    }
    if (error instanceof UsageError) {
      host.stderr.write(`oq: ${terminalSafe(error.message)}\n`);
      host.exitCode = exitCodes.usage;
      return;
    }
    if (error instanceof Error && error.name === "OngageError") {
      // The client's messages never hold credentials.
      host.stderr.write(`oq: ${terminalSafe(error.message)}\n`);
      host.exitCode =
        (error as Error & { kind?: string }).kind === "config" ? exitCodes.usage : exitCodes.failed;
      return;
    }
    throw error;
  }
}
