import type { Command } from "commander";
import { withFlags } from "../app/flags.js";
import type { Host } from "../app/host.js";
import { runProgram } from "./program.js";

/*
 * The commands that compile a query and print what it means, without talking to Ongage: the
 * ones editors and scripts run most. Each command's work lives in commands/*.ts and is loaded
 * when that command runs. They are also built into a bundle of their own (oqCompiling.ts), which
 * bin/oq.js runs for them, so that they start about as fast as Node itself (BENCHMARKS.md).
 */

/**
 * Adds compile, check, plan and explain to `program`, in the order `oq --help` lists them; only
 * the command `only` when given (the one that runs: commander's work for each command is start-up
 * time).
 */
export function addCompilingCommands(program: Command, host: Host, only?: string): void {
  const wanted = (name: string) => only === undefined || only === name;
  if (wanted("compile"))
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

  if (wanted("check"))
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

  if (wanted("plan"))
    withFlags(
      program
        .command("plan")
        .description(
          "show what oq run runs for a query: one report, or several and how their contacts combine",
        )
        .argument("<file>", "the .oq file, or - for standard input"),
      "plan",
    ).action(async (file: string, options) => {
      const { planCommand } = await import("./commands/plan.js");
      host.exitCode = await planCommand(file, options, host);
    });

  if (wanted("explain"))
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
}

/**
 * Runs `oq` with `argv` as the whole program would when argv[0] is a compiling command, with
 * only that command added: what the compiling commands' bundle runs (oqCompiling.ts).
 */
export async function runCompilingCommand(argv: string[], host: Host): Promise<void> {
  await runProgram(argv, host, (program) => addCompilingCommands(program, host, argv[0]));
}
