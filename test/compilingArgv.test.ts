import { Command, CommanderError, type OptionValues } from "commander";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withFlags } from "../src/app/flags.js";
import { readCompilingArgv } from "../src/cli/compilingArgv.js";
import { compilingCommands } from "../src/cli/compilingCommands.js";

/*
 * The compiling commands' bundle reads a plain argv without commander (src/cli/compilingArgv.ts)
 * and leaves every other to the whole program. What it reads must be what commander reads: the
 * same command, operand and flags, for every argv it takes.
 */

type Read = { command: string; operand: string | string[]; flags: OptionValues } | "refused";

/** What commander makes of `argv` with the compiling commands as main.ts declares them. */
function commanderReads(argv: string[]): Read {
  let read: Read = "refused";
  const program = new Command("oq")
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} })
    .version("0.0.0", "-v, --version");
  for (const command of compilingCommands)
    withFlags(
      program.command(command.name).argument(command.operand.syntax, command.operand.help),
      command.name,
    ).action((operand: string | string[], flags: OptionValues) => {
      read = { command: command.name, operand, flags: { ...flags } };
    });
  try {
    program.parse(argv, { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return "refused";
  }
  return read;
}

function leanReads(argv: string[]): Read | undefined {
  const invocation = readCompilingArgv(argv, compilingCommands);
  return (
    invocation && { command: invocation.command.name, operand: invocation.operand, flags: invocation.flags }
  );
}

const words = fc.constantFrom(
  "a.oq",
  "b.oq",
  "-",
  "",
  "x=1",
  "2024-01-01T00:00:00Z",
  "-1",
  "--json",
  "--compact",
  "--no-color",
  "--color",
  "--now",
  "--now=2024-01-01T00:00:00Z",
  "--now=",
  "--now=-1",
  "--schema",
  "--schema=f.json",
  "--param",
  "--param=a=1",
  "--params",
  "--max-reports",
  "--max-reports=3",
  "--json=1",
  "--bogus",
  "--",
  "-h",
  "--help",
  "-v",
  "--version",
  "-j",
);
const argvs = fc.tuple(
  fc.constantFrom(...compilingCommands.map((command) => command.name)),
  fc.array(words, { maxLength: 7 }),
);

describe("a compiling command's argv read without commander", () => {
  it("is read as commander reads it, whenever it is read at all", () => {
    fc.assert(
      fc.property(argvs, ([command, rest]) => {
        const argv = [command, ...rest];
        const lean = leanReads(argv);
        if (lean !== undefined) expect(commanderReads(argv), argv.join(" ")).toEqual(lean);
      }),
      { numRuns: 3000 },
    );
  });

  it("reads the argvs people type (so that they start without commander)", () => {
    for (const argv of [
      ["compile", "q.oq"],
      ["compile", "-"],
      ["compile", "q.oq", "--json", "--compact", "--no-color"],
      ["compile", "--now", "2024-01-01T00:00:00Z", "q.oq"],
      ["compile", "q.oq", "--now=2024-01-01T00:00:00Z", "--schema", "fields.json"],
      ["compile", "q.oq", "--param", "a=1", "--param", "b:=2", "--params", "p.json"],
      ["check", "a.oq", "b.oq", "c.oq"],
      ["plan", "q.oq", "--max-reports", "4", "--json"],
      ["explain", "q.oq"],
    ]) {
      const lean = leanReads(argv);
      expect(lean, argv.join(" ")).toBeDefined();
      expect(commanderReads(argv), argv.join(" ")).toEqual(lean);
    }
  });

  it("leaves help, --version, `--` and what commander refuses to the whole program", () => {
    for (const argv of [
      ["compile", "--help"],
      ["compile", "-h"],
      ["compile", "q.oq", "--version"],
      ["compile", "--", "q.oq"],
      ["compile"],
      ["compile", "a.oq", "b.oq"],
      ["check"],
      ["compile", "q.oq", "--bogus"],
      ["compile", "q.oq", "--now"],
      ["compile", "q.oq", "--json=1"],
      ["explain", "q.oq", "--compact"],
      ["fmt", "q.oq"],
    ])
      expect(leanReads(argv), argv.join(" ")).toBeUndefined();
  });
});
