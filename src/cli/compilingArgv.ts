import type { OptionValues } from "commander";
import { flagsOf } from "../app/flags.js";

/** A command as this reader needs it: its name (its flags are flags.ts's) and its operand's syntax. */
interface CommandShape {
  name: Parameters<typeof flagsOf>[0];
  /** `<file>`: exactly one; `<files...>`: one or more. */
  operand: { syntax: string };
}

/** A compiling command's argv as commander would have read it. */
interface CompilingInvocation<C extends CommandShape> {
  command: C;
  /** One file, or an array of them for `<files...>`. */
  operand: string | string[];
  /** As commander's action gets them: by camel-cased name, a `--no-` switch's setting true unless given. */
  flags: OptionValues;
}

/** A flag's name as commander names its value: `max-reports` -> `maxReports`. */
function attributeName(flagName: string): string {
  return flagName.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/**
 * Reads `argv` (the words after `oq`) as commander reads it for one of `commands`, when it is
 * plain: the command's name, then its operands and its long flags in any order, each `--name`,
 * `--name value` or `--name=value`, a repeatable one given as often as wanted, another's last
 * value winning. Anything else is undefined, for commander to answer: help, --version, a short
 * flag, `--`, a flag the command does not take, a value that starts with `-`, a switch given a
 * value, an operand too many or too few. So what this reads is always what commander would
 * have (test/compilingArgv.test.ts holds the two together over generated argvs), and every
 * message about an argv stays commander's.
 */
export function readCompilingArgv<C extends CommandShape>(
  argv: readonly string[],
  commands: readonly C[],
): CompilingInvocation<C> | undefined {
  const command = commands.find((candidate) => candidate.name === argv[0]);
  if (!command) return undefined;
  const known = new Map(flagsOf(command.name).map((flag) => [flag.name, flag]));
  const flags: OptionValues = {};
  for (const flag of known.values()) {
    if (flag.name.startsWith("no-")) flags[attributeName(flag.name.slice(3))] = true;
    else if (flag.default !== undefined) flags[attributeName(flag.name)] = flag.default;
  }
  const operands: string[] = [];
  for (let index = 1; index < argv.length; index++) {
    const word = argv[index]!;
    if (word === "-" || !word.startsWith("-")) {
      operands.push(word);
      continue;
    }
    if (!word.startsWith("--") || word === "--") return undefined;
    const equals = word.indexOf("=");
    const name = word.slice(2, equals < 0 ? undefined : equals);
    const flag = known.get(name);
    if (!flag) return undefined;
    if (flag.argument === undefined) {
      if (equals >= 0) return undefined;
      if (name.startsWith("no-")) flags[attributeName(name.slice(3))] = false;
      else flags[attributeName(name)] = true;
      continue;
    }
    let value: string | undefined;
    if (equals >= 0) value = word.slice(equals + 1);
    else {
      value = argv[++index];
      if (value === undefined || value.startsWith("-")) return undefined;
    }
    const key = attributeName(name);
    flags[key] = flag.repeatable ? [...((flags[key] as string[] | undefined) ?? []), value] : value;
  }
  const variadic = command.operand.syntax.endsWith("...>");
  if (variadic ? operands.length === 0 : operands.length !== 1) return undefined;
  return { command, operand: variadic ? operands : operands[0]!, flags };
}
