import type { Command } from "commander";
import { withFlags } from "../app/flags.js";
import type { Host } from "../app/host.js";
import { addCompilingCommands } from "./compilingCommands.js";
import { addReportsCommands } from "./reportsCommands.js";
import { runProgram } from "./program.js";

/*
 * The command line: the commands and their arguments; their flags are declared in app/flags.ts
 * (with the REPL's .run's). Each command's work lives in commands/*.ts and is loaded when that
 * command runs, so that a command pays at start-up only for what it uses (`oq reports export`
 * never loads the compiler, `oq compile` never loads the HTTP client).
 */

/** The commands after the compiling ones, in the order `oq --help` lists them. */
function addOtherCommands(program: Command, host: Host): void {
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

  addReportsCommands(program, host);

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
}

/** Runs `oq` with `argv` (the arguments after `oq`) in `host`, and sets its exit status. */
export async function main(argv: string[], host: Host): Promise<void> {
  await runProgram(argv, host, (program) => {
    addCompilingCommands(program, host);
    addOtherCommands(program, host);
  });
}
