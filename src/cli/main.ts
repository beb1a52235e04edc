import { Command, CommanderError, Option } from "commander";
import { compile, formatDiagnostics, type CompileOptions, type CompileResult } from "../compile.js";
import { diagnosticToJson } from "../diagnostics/json.js";
import { writeFileAtomically } from "./writeFile.js";
import { loadProjectSettings } from "./config.js";
import { readInput } from "./input.js";
import { exitCodes, UsageError } from "./usageError.js";

const version = "0.1.0";

const helpFooter = `
Examples:
  oq compile weekly.oq                  print the request body for weekly.oq
  echo 'opens >= 3' | oq compile -      compile from standard input
  oq check queries/*.oq                 check many queries at once
  oq fmt --write queries/*.oq           lay queries out canonically
  oq decompile request.json             turn a request body back into a query

Environment:
  OQ_NOW      a fixed "now" (ISO 8601), as --now
  OQ_SCHEMA   the field schema file, as --schema (oq.config.json can name one too)
  NO_COLOR    no colours in diagnostics

Exit status: 0 ok, 1 a query has errors, 2 oq was called wrongly.
The language is described in grammar.md.`;

interface CommonOptions {
  schema?: string;
  now?: string;
  json?: boolean;
  color?: boolean;
}

async function compileOptions(options: CommonOptions): Promise<Omit<CompileOptions, "fileName">> {
  const now = options.now ?? process.env["OQ_NOW"];
  if (now !== undefined && Number.isNaN(new Date(now).getTime())) {
    throw new UsageError(`--now (or OQ_NOW) must be an ISO 8601 time such as 2024-01-31T10:00:00Z, not '${now}'`);
  }
  const settings = await loadProjectSettings({ flag: options.schema, env: process.env["OQ_SCHEMA"], cwd: process.cwd() });
  const result: Omit<CompileOptions, "fileName"> = { ...settings };
  if (now !== undefined) result.now = now;
  return result;
}

function useColor(options: CommonOptions): boolean {
  return options.color !== false && process.stderr.isTTY === true && !process.env["NO_COLOR"];
}

function printDiagnostics(result: CompileResult, options: CommonOptions): void {
  const text = formatDiagnostics(result, { color: useColor(options) });
  if (text) process.stderr.write(text);
}

function resultJson(result: CompileResult, file: string) {
  return {
    file,
    ok: result.ok,
    ...(result.payload ? { payload: result.payload } : {}),
    diagnostics: result.diagnostics.map((diagnostic) => diagnosticToJson(diagnostic, file)),
  };
}

function addCommonOptions(command: Command): Command {
  return command
    .option("--schema <file>", "field schema for custom list fields (default: $OQ_SCHEMA, then oq.config.json)")
    .option("--now <time>", "fix 'now' for during/ago, as ISO 8601 (default: $OQ_NOW, then the clock)")
    .option("--json", "print machine-readable JSON on stdout")
    .option("--no-color", "no colours in diagnostics");
}

export function buildProgram(): Command {
  const program = new Command("oq")
    .description("Compile oq queries into Ongage contact-activity report requests.")
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
  ).action(async (file: string, options: CommonOptions & { compact?: boolean }) => {
    const input = readInput(file);
    const result = compile(input.text, { ...(await compileOptions(options)), fileName: input.name });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(resultJson(result, input.name), null, options.compact ? undefined : 2)}\n`);
    } else {
      printDiagnostics(result, options);
      if (result.payload) process.stdout.write(`${JSON.stringify(result.payload, null, options.compact ? undefined : 2)}\n`);
    }
    process.exitCode = result.ok ? exitCodes.ok : exitCodes.failed;
  });

  addCommonOptions(
    program
      .command("check")
      .description("check queries and report problems, without printing payloads")
      .argument("<files...>", "the .oq files, or - for standard input"),
  ).action(async (files: string[], options: CommonOptions) => {
    const shared = await compileOptions(options);
    const results = files.map((file) => {
      const input = readInput(file);
      return { file: input.name, result: compile(input.text, { ...shared, fileName: input.name }) };
    });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(results.map(({ file, result }) => ({ ...resultJson(result, file), payload: undefined })), null, 2)}\n`);
    } else {
      for (const { result } of results) printDiagnostics(result, options);
      const failed = results.filter(({ result }) => !result.ok).length;
      if (failed === 0) process.stderr.write(`${files.length} ${files.length === 1 ? "query" : "queries"} ok\n`);
    }
    process.exitCode = results.every(({ result }) => result.ok) ? exitCodes.ok : exitCodes.failed;
  });

  program
    .command("fmt")
    .description("lay queries out canonically (prints to stdout unless --write or --check)")
    .argument("<files...>", "the .oq files, or - for standard input")
    .option("--write", "rewrite the files in place")
    .option("--check", "only report files that are not formatted (exit 1 if any)")
    .option("--no-color", "no colours in diagnostics")
    .action(async (files: string[], options: { write?: boolean; check?: boolean; color?: boolean }) => {
      if (options.write && files.includes("-")) throw new UsageError("--write cannot rewrite standard input");
      const { format } = await import("../format/format.js");
      let failed = false;
      for (const file of files) {
        const input = readInput(file);
        const result = format(input.text, { fileName: input.name });
        if (result.formatted === undefined) {
          process.stderr.write(formatDiagnostics(result, { color: useColor(options) }));
          failed = true;
          continue;
        }
        if (options.check) {
          if (result.formatted !== input.text) {
            process.stderr.write(`${input.name}: not formatted\n`);
            failed = true;
          }
        } else if (options.write) {
          if (result.formatted !== input.text) writeFileAtomically(file, result.formatted);
        } else {
          process.stdout.write(result.formatted);
        }
      }
      process.exitCode = failed ? exitCodes.failed : exitCodes.ok;
    });

  program
    .command("decompile")
    .description("turn a contact_activity request body (JSON) back into an oq query")
    .argument("<file>", "the JSON file, or - for standard input")
    .action(async (file: string) => {
      const { decompile } = await import("../format/decompile.js");
      const input = readInput(file);
      let json: unknown;
      try {
        json = JSON.parse(input.text);
      } catch (error) {
        process.stderr.write(`${input.name}: not valid JSON: ${(error as Error).message}\n`);
        process.exitCode = exitCodes.failed;
        return;
      }
      const result = decompile(json);
      for (const problem of result.problems) process.stderr.write(`${input.name}: ${problem}\n`);
      if (result.source) process.stdout.write(result.source);
      process.exitCode = result.source ? exitCodes.ok : exitCodes.failed;
    });

  program.addOption(new Option("--debug", "print stack traces for internal errors").hideHelp());
  return program;
}

export async function main(argv: string[]): Promise<void> {
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
      process.stderr.write(`oq: ${error.message}\n`);
      process.exitCode = exitCodes.usage;
      return;
    }
    throw error;
  }
}

await main(process.argv.slice(2));
