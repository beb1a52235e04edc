import type { Command, OptionValues } from "commander";
import { withFlags } from "../app/flags.js";
import type { Host } from "../app/host.js";
import { readCompilingArgv } from "./compilingArgv.js";
import { toleratePipeClosedByReader } from "./closedOutput.js";
import { reportCommandError } from "./commandErrors.js";

/*
 * The commands that compile a query and print what it means, without talking to Ongage: the
 * ones editors and scripts run most. Each command's work lives in commands/*.ts and is loaded
 * when that command runs. They are also built into a bundle of their own (oqCompiling.ts), which
 * bin/oq.js runs for them, so that they start about as fast as Node itself (BENCHMARKS.md): it
 * reads a plain argv itself (compilingArgv.ts) and leaves the rest (help, --version, a usage
 * error) to the whole program, whose commander (40 KB, ~3 ms of a start) it does not hold.
 */

/** A compiling command: what commander declares of it, and its work. */
interface CompilingCommand {
  name: "compile" | "check" | "plan" | "explain";
  description: string;
  /** Its operand as commander declares it: one file, or one or more. */
  operand: { syntax: "<file>" | "<files...>"; help: string };
  /** Runs it on its operand (an array for `<files...>`) and flags as commander gives them, to an exit status. */
  run(operand: string | string[], flags: OptionValues, host: Host): Promise<number>;
}

const oneFile = { syntax: "<file>", help: "the .oq file, or - for standard input" } as const;

/** The compiling commands, in the order `oq --help` lists them. */
export const compilingCommands: readonly CompilingCommand[] = [
  {
    name: "compile",
    description: "compile a query and print the JSON body for POST /api/contact_activity",
    operand: oneFile,
    run: async (file, flags, host) =>
      (await import("./commands/compile.js")).compileCommand(file as string, flags, host),
  },
  {
    name: "check",
    description:
      "check queries as oq run takes them (a plan of several reports included), without printing payloads",
    operand: { syntax: "<files...>", help: "the .oq files, or - for standard input" },
    run: async (files, flags, host) =>
      (await import("./commands/compile.js")).checkCommand(files as string[], flags, host),
  },
  {
    name: "plan",
    description: "show what oq run runs for a query: one report, or several and how their contacts combine",
    operand: oneFile,
    run: async (file, flags, host) =>
      (await import("./commands/plan.js")).planCommand(file as string, flags, host),
  },
  {
    name: "explain",
    description: "say in plain English what a query selects, for reviewers",
    operand: oneFile,
    run: async (file, flags, host) =>
      (await import("./commands/explain.js")).explainCommand(file as string, flags, host),
  },
];

/** Adds compile, check, plan and explain to `program` (main.ts), in the order `oq --help` lists them. */
export function addCompilingCommands(program: Command, host: Host): void {
  for (const command of compilingCommands)
    withFlags(
      program
        .command(command.name)
        .description(command.description)
        .argument(command.operand.syntax, command.operand.help),
      command.name,
    ).action(async (operand: string | string[], flags: OptionValues) => {
      host.exitCode = await command.run(operand, flags, host);
    });
}

/**
 * Runs `oq` with `argv` as the whole program would when argv[0] is a compiling command and the
 * rest is plain (compilingArgv.ts): what the compiling commands' bundle runs (oqCompiling.ts).
 * False, having done nothing, for any other argv (help, --version, a flag it does not take, an
 * operand too many or too few): the whole program answers those.
 */
export async function runCompilingCommand(argv: string[], host: Host): Promise<boolean> {
  const invocation = readCompilingArgv(argv, compilingCommands);
  if (!invocation) return false;
  toleratePipeClosedByReader(host.stdout, "standard output", host);
  toleratePipeClosedByReader(host.stderr, "standard error", host);
  try {
    host.exitCode = await invocation.command.run(invocation.operand, invocation.flags, host);
  } catch (error) {
    if (!reportCommandError(error, host)) throw error;
  }
  return true;
}
