import { Command, CommanderError } from "commander";
import { exitCodes, signalExitCodes } from "./exitCodes.js";
import { UsageError } from "./usageError.js";
import { terminalSafe } from "./terminalText.js";
import { toleratePipeClosedByReader } from "./closedOutput.js";
import { runDefaults } from "./runDefaults.js";

/*
 * The command line: the commands and their options. Each command's work lives in
 * commands/*.ts and is loaded when that command runs, so that a command pays at start-up
 * only for what it uses (`oq reports export` never loads the compiler, `oq compile` never
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

Running reports (oq run, oq reports, oq fields pull):
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

function addCommonOptions(command: Command): Command {
  return command
    .option(
      "--schema <file>",
      "field schema for custom list fields (default: $OQ_SCHEMA, then oq.config.json)",
    )
    .option(
      "--now <time>",
      "fix 'now' for during/ago, as ISO 8601, UTC unless an offset is written (default: $OQ_NOW, then the clock)",
    )
    .option(
      "--param <name=value>",
      'bind $name to text (name=value) or to JSON (name:=JSON: a number, "text" or an array); repeatable',
      (flag: string, earlier: string[] = []) => [...earlier, flag],
    )
    .option(
      "--params <file>",
      "bind parameters from a JSON object of name -> value (--param wins; NAME.params.json beside NAME.oq is read too, below both)",
    )
    .option("--json", "print machine-readable JSON on stdout")
    .option("--no-color", "no colours in diagnostics");
}

export function buildProgram(): Command {
  const program = new Command("oq")
    .description("Compile oq queries into Ongage contact-activity report requests, and run them.")
    .version(version, "-v, --version")
    .showHelpAfterError("(run oq --help for usage)")
    .configureHelp({ sortSubcommands: false })
    .addHelpText("after", helpFooter)
    .exitOverride();

  addCommonOptions(
    program
      .command("compile")
      .description("compile a query and print the JSON body for POST /api/contact_activity")
      .argument("<file>", "the .oq file, or - for standard input")
      .option("--compact", "print the JSON on one line"),
  ).action(async (file: string, options) => {
    const { compileCommand } = await import("./commands/compile.js");
    process.exitCode = await compileCommand(file, options);
  });

  addCommonOptions(
    program
      .command("check")
      .description(
        "check queries as oq run takes them (a plan of several reports included), without printing payloads",
      )
      .argument("<files...>", "the .oq files, or - for standard input"),
  ).action(async (files: string[], options) => {
    const { checkCommand } = await import("./commands/compile.js");
    process.exitCode = await checkCommand(files, options);
  });

  addCommonOptions(
    program
      .command("plan")
      .description("show what oq run runs for a query: one report, or several and how their contacts combine")
      .argument("<file>", "the .oq file, or - for standard input")
      .option("--max-reports <n>", "the most reports a plan may take (default 10)"),
  ).action(async (file: string, options) => {
    const { planCommand } = await import("./commands/plan.js");
    process.exitCode = await planCommand(file, options);
  });

  addCommonOptions(
    program
      .command("explain")
      .description("say in plain English what a query selects, for reviewers")
      .argument("<file>", "the .oq file, or - for standard input"),
  ).action(async (file: string, options) => {
    const { explainCommand } = await import("./commands/explain.js");
    process.exitCode = await explainCommand(file, options);
  });

  program
    .command("fmt")
    .description("lay queries out canonically (prints to stdout unless --write or --check)")
    .argument("<files...>", "the .oq files, or - for standard input")
    .option("--write", "rewrite the files in place")
    .option("--check", "only report files that are not formatted (exit 1 if any)")
    .option("--no-color", "no colours in diagnostics")
    .action(async (files: string[], options) => {
      const { fmtCommand } = await import("./commands/format.js");
      process.exitCode = fmtCommand(files, options);
    });

  program
    .command("decompile")
    .description("turn a contact_activity request body (JSON) back into an oq query")
    .argument("<file>", "the JSON file, or - for standard input")
    .option(
      "--schema <file>",
      "field schema for custom list fields (default: $OQ_SCHEMA, then oq.config.json)",
    )
    .action(async (file: string, options: { schema?: string }) => {
      const { decompileCommand } = await import("./commands/format.js");
      process.exitCode = await decompileCommand(file, options);
    });

  program
    .command("repl")
    .description("an interactive shell: type queries, see what they mean, complete with Tab, run them")
    .option(
      "--schema <file>",
      "field schema for custom list fields (default: $OQ_SCHEMA, then oq.config.json)",
    )
    .option(
      "--now <time>",
      "fix 'now' for during/ago, as ISO 8601, UTC unless an offset is written (default: $OQ_NOW, then the clock)",
    )
    .option("--sandbox", "run queries (.run) against a local sandbox instead of Ongage")
    .option("--no-color", "no colours")
    .action(async (options) => {
      const { replCommand } = await import("./commands/repl.js");
      process.exitCode = await replCommand(options);
    });

  program
    .command("lsp")
    .description("the language server for editors, on standard input and output (editors/vscode/README.md)")
    .option("--stdio", "talk over standard input and output (the only way; accepted as editors pass it)")
    .action(async () => {
      const { lspCommand } = await import("./commands/lsp.js");
      process.exitCode = await lspCommand();
    });

  const connectionOptions = (command: Command) =>
    command
      .option("--list-id <id>", "the Ongage list (default: $ONGAGE_LIST_ID, then oq.config.json)")
      .option(
        "--base-url <url>",
        "the API's address (default: $ONGAGE_BASE_URL, oq.config.json, https://api.ongage.net)",
      );

  addCommonOptions(
    connectionOptions(
      program
        .command("run")
        .description("run queries as Ongage reports: create, wait, download the CSV, delete")
        .argument("[queries...]", ".oq files or folders of them")
        .option("--plan <file>", "run a query plan (JSON: reports, combine, key, columns) instead of queries")
        .option("--max-reports <n>", "the most reports a query's plan may take (default 10)")
        .option(
          "--out <path>",
          "the CSV file, or a folder for NAME.csv files (one query: default stdout; several: default .)",
        )
        .option("--detailed", "download the combined detailed CSV (one row per event)")
        .option("--keep", "keep the report in Ongage afterwards")
        .option("--quiet", "no summary line per query on stderr")
        .option(
          "--poll-interval <duration>",
          "first wait between status checks (ms, s, m, h)",
          runDefaults.pollInterval,
        )
        .option(
          "--timeout <duration>",
          "give up on a query after this long (create, wait and download; the clean-up follows)",
          runDefaults.timeout,
        ),
    ),
  ).action(async (queries: string[], options) => {
    if (options.plan !== undefined || queries.length === 0) {
      const { runPlanCommand } = await import("./commands/runPlan.js");
      process.exitCode = await runPlanCommand(queries, options);
      return;
    }
    const [{ runCommand }, { compileSettingsFor }] = await Promise.all([
      import("./commands/run.js"),
      import("./compileSettings.js"),
    ]);
    process.exitCode = await runCommand(queries, options, compileSettingsFor(options));
  });

  const reports = program
    .command("reports")
    .description("list, inspect, export and delete reports made elsewhere");
  connectionOptions(
    reports
      .command("list")
      .description("list contact-activity reports")
      .option("--sort <column>", "sort by this column", "id")
      .option("--order <order>", "ASC or DESC", "DESC")
      .option("--offset <n>", "skip this many")
      .option("--limit <n>", "show at most this many")
      .option("--json", "print JSON"),
  ).action(async (options) => {
    const { listReports } = await import("./commands/reports.js");
    process.exitCode = await listReports(options);
  });
  connectionOptions(
    reports
      .command("status")
      .description("show a report's status")
      .argument("<id>")
      .option("--json", "print JSON"),
  ).action(async (id: string, options) => {
    const { reportStatus } = await import("./commands/reports.js");
    process.exitCode = await reportStatus(id, options);
  });
  connectionOptions(
    reports
      .command("export")
      .description("download a completed report's CSV")
      .argument("<id>")
      .option("--detailed", "the combined detailed CSV (one row per event)")
      .option("--out <path>", "write to this file, or to ID.csv in this folder (default stdout)"),
  ).action(async (id: string, options) => {
    const { exportReport } = await import("./commands/reports.js");
    process.exitCode = await exportReport(id, options);
  });
  connectionOptions(reports.command("delete").description("delete a report").argument("<id>")).action(
    async (id: string, options) => {
      const { deleteReport } = await import("./commands/reports.js");
      process.exitCode = await deleteReport(id, options);
    },
  );

  connectionOptions(
    program
      .command("fields")
      .description("the list's custom fields")
      .command("pull")
      .description("fetch GET /api/list_fields and write the field schema file the compiler uses")
      .option("--out <file>", "where to write it (- for stdout)", "fields.json"),
  ).action(async (options) => {
    const { pullFields } = await import("./commands/fields.js");
    process.exitCode = await pullFields(options);
  });

  program
    .command("sandbox")
    .description(
      "start a local Ongage-compatible server over generated contacts (for trying oq and for tests)",
    )
    .option("--port <n>", "port to listen on (0: any free port)", "8080")
    .option("--contacts <n>", "how many contacts to generate", "2000")
    .option("--seed <n>", "seed of the generated data", "1")
    .option("--build-time <duration>", "how long reports stay pending", "2s")
    .option("--list-id <id>", "the list id in its paths", "12345")
    .option(
      "--faults <spec>",
      "misbehave on purpose: a list such as 429:3,slow:50 (docs/sandbox.md lists the faults)",
    )
    .option("--max-body <bytes>", "the largest request body it accepts (413 past it)", "1048576")
    .action(async (options) => {
      const { sandboxCommand } = await import("./commands/sandbox.js");
      process.exitCode = await sandboxCommand(options);
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  toleratePipeClosedByReader(process.stdout, "standard output");
  toleratePipeClosedByReader(process.stderr, "standard error");
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end by "throwing" with exit code 0.
      process.exitCode = error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
      return;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`oq: ${terminalSafe(error.message)}\n`);
      process.exitCode = exitCodes.usage;
      return;
    }
    if (error instanceof Error && error.name === "OngageError") {
      // The client's messages never hold credentials.
      process.stderr.write(`oq: ${terminalSafe(error.message)}\n`);
      process.exitCode =
        (error as Error & { kind?: string }).kind === "config" ? exitCodes.usage : exitCodes.failed;
      return;
    }
    throw error;
  }
}

await main(process.argv.slice(2));
