import type { Command } from "commander";
import { readingNames } from "../language/readings.js";
import { sandboxDefaults } from "../sandbox/data.js";

/*
 * Every flag of oq's commands and of the REPL's `.run`, declared once: cli/main.ts builds
 * commander's options from this table, and the REPL parses `.run` and writes its `.help` from it.
 * A command's flags appear in its help in the order of this table.
 */

/** What takes flags: an `oq` command (a subcommand as "reports list"), or the REPL's `.run`. */
type FlagTaker =
  | "compile"
  | "check"
  | "plan"
  | "explain"
  | "fmt"
  | "decompile"
  | "repl"
  | "run"
  | "reports list"
  | "reports status"
  | "reports export"
  | "reports delete"
  | "fields pull"
  | "doctor"
  | "sandbox"
  | "playground"
  | "lsp"
  | ".run";

interface Flag {
  /** As written after `--`; a `no-` name is a switch that turns its setting off (`--no-color`). */
  name: string;
  /** The value's name in help (`<file>`); none for a switch. */
  argument?: string;
  help: string;
  /** The value when the flag is not given (shown in help). */
  default?: string;
  /** Each use adds a value (`--param a=1 --param b=2`), in order. */
  repeatable?: boolean;
  takenBy: readonly FlagTaker[];
}

/** The commands that compile queries, with `oq run`. */
const compiling = ["compile", "check", "plan", "explain", "run"] as const;
const talkingToOngage = [
  "run",
  "reports list",
  "reports status",
  "reports export",
  "reports delete",
  "fields pull",
  "doctor",
] as const;

const flags: readonly Flag[] = [
  // What to run, and how (oq run, .run).
  {
    name: "plan",
    argument: "file",
    help: "run a query plan (JSON: reports, combine, key, columns) instead of queries",
    takenBy: ["run"],
  },
  {
    name: "max-reports",
    argument: "n",
    help: "the most reports a plan may take (default 10)",
    takenBy: ["plan"],
  },
  {
    name: "max-reports",
    argument: "n",
    help: "the most reports a query's plan may take (default 10)",
    takenBy: ["run"],
  },
  { name: "compact", help: "print the JSON on one line", takenBy: ["compile"] },
  {
    name: "out",
    argument: "path",
    help: "the CSV file, or a folder for NAME.csv files (one query: default stdout; several: default .)",
    takenBy: ["run"],
  },
  {
    name: "out",
    argument: "path",
    help: "the CSV file, or a folder for query-N.csv (default: a temporary folder)",
    takenBy: [".run"],
  },
  {
    name: "detailed",
    help: "download the combined detailed CSV (one row per event)",
    takenBy: ["run", ".run"],
  },
  { name: "sandbox", help: "run against a local sandbox instead of Ongage", takenBy: [".run"] },
  { name: "keep", help: "keep the report in Ongage afterwards", takenBy: ["run", ".run"] },
  { name: "quiet", help: "no summary line per query on stderr", takenBy: ["run"] },
  {
    name: "poll-interval",
    argument: "duration",
    help: "first wait between status checks (ms, s, m, h)",
    default: "2s",
    takenBy: ["run", ".run", "doctor"],
  },
  {
    name: "timeout",
    argument: "duration",
    help: "give up on a query after this long (create, wait and download; the clean-up follows)",
    default: "30m",
    takenBy: ["run", ".run", "doctor"],
  },

  // Reports made elsewhere, and the list's fields.
  { name: "sort", argument: "column", help: "sort by this column", default: "id", takenBy: ["reports list"] },
  { name: "order", argument: "order", help: "ASC or DESC", default: "DESC", takenBy: ["reports list"] },
  { name: "offset", argument: "n", help: "skip this many", takenBy: ["reports list"] },
  { name: "limit", argument: "n", help: "show at most this many", takenBy: ["reports list"] },
  { name: "json", help: "print JSON", takenBy: ["reports list", "reports status"] },
  {
    name: "detailed",
    help: "the combined detailed CSV (one row per event)",
    takenBy: ["reports export"],
  },
  {
    name: "out",
    argument: "path",
    help: "write to this file, or to ID.csv in this folder (default stdout)",
    takenBy: ["reports export"],
  },
  {
    name: "out",
    argument: "file",
    help: "where to write it (- for stdout)",
    default: "fields.json",
    takenBy: ["fields pull"],
  },

  // What oq doctor does with what it found.
  {
    name: "save",
    help: "record the findings, and the list they are of, in oq.findings.json beside oq.config.json (else here), where run, plan, check and the REPL read them for that list",
    takenBy: ["doctor"],
  },
  { name: "json", help: "print the findings as JSON on stdout", takenBy: ["doctor"] },

  // The connection (app/connection.ts: the flag, then the environment, then oq.config.json).
  {
    name: "list-id",
    argument: "id",
    help: "the Ongage list (default: $ONGAGE_LIST_ID, then oq.config.json)",
    takenBy: talkingToOngage,
  },
  {
    name: "base-url",
    argument: "url",
    help: "the API's address (default: $ONGAGE_BASE_URL, oq.config.json, https://api.ongage.net)",
    takenBy: talkingToOngage,
  },

  {
    name: "rate-limit-patience",
    argument: "duration",
    help: "how long a call answered 429 keeps trying while the account serves none of this run's calls (default: $OQ_RATE_LIMIT_PATIENCE, oq.config.json, 5m)",
    takenBy: talkingToOngage,
  },

  // Compiling (app/compileSettings.ts: the flag, then the environment, then oq.config.json).
  {
    name: "schema",
    argument: "file",
    help: "field schema for custom list fields (default: $OQ_SCHEMA, then oq.config.json)",
    takenBy: [...compiling, "decompile", "repl"],
  },
  {
    name: "now",
    argument: "time",
    help: "fix 'now' for during/ago, as ISO 8601, UTC unless an offset is written (default: $OQ_NOW, then the clock)",
    takenBy: [...compiling, "repl"],
  },
  {
    name: "sandbox",
    help: "run queries (.run) against a local sandbox instead of Ongage",
    takenBy: ["repl"],
  },
  {
    name: "param",
    argument: "name=value",
    help: 'bind $name to text (name=value) or to JSON (name:=JSON: a number, "text" or an array); repeatable',
    repeatable: true,
    takenBy: compiling,
  },
  {
    name: "params",
    argument: "file",
    help: "bind parameters from a JSON object of name -> value (--param wins; NAME.params.json beside NAME.oq is read too, below both)",
    takenBy: compiling,
  },
  { name: "json", help: "print machine-readable JSON on stdout", takenBy: compiling },
  { name: "write", help: "rewrite the files in place", takenBy: ["fmt"] },
  { name: "check", help: "only report files that are not formatted (exit 1 if any)", takenBy: ["fmt"] },
  { name: "no-color", help: "no colours in diagnostics", takenBy: [...compiling, "fmt"] },
  { name: "no-color", help: "no colours", takenBy: ["repl"] },

  // The language server.
  {
    name: "stdio",
    help: "talk over standard input and output (the only way; accepted as editors pass it)",
    takenBy: ["lsp"],
  },

  // The local sandbox.
  {
    name: "port",
    argument: "n",
    help: "port to listen on (0: any free port)",
    default: "8080",
    takenBy: ["sandbox"],
  },
  {
    name: "port",
    argument: "n",
    help: "port to listen on, on 127.0.0.1 (0: any free port)",
    default: "8090",
    takenBy: ["playground"],
  },
  {
    name: "contacts",
    argument: "n",
    help: "how many contacts to generate",
    default: String(sandboxDefaults.contacts),
    takenBy: ["sandbox"],
  },
  {
    name: "seed",
    argument: "n",
    help: "seed of the generated data",
    default: String(sandboxDefaults.seed),
    takenBy: ["sandbox"],
  },
  {
    name: "build-time",
    argument: "duration",
    help: "how long reports stay pending",
    default: "2s",
    takenBy: ["sandbox"],
  },
  {
    name: "list-id",
    argument: "id",
    help: "the list id in its paths",
    default: "12345",
    takenBy: ["sandbox"],
  },
  {
    name: "faults",
    argument: "spec",
    help: "misbehave on purpose: a list such as 429:3,slow:50 (docs/sandbox.md lists the faults)",
    takenBy: ["sandbox"],
  },
  {
    name: "reading",
    argument: "names",
    help: `play other readings of the criteria than the documented one, NAMES comma-separated, of: ${readingNames.join(", ")} (docs/sandbox.md)`,
    takenBy: ["sandbox"],
  },
  {
    name: "max-body",
    argument: "bytes",
    help: "the largest request body it accepts (413 past it)",
    default: "1048576",
    takenBy: ["sandbox"],
  },
];

/** The flags `taker` takes, in help order. */
export function flagsOf(taker: FlagTaker): Flag[] {
  return flags.filter((flag) => flag.takenBy.includes(taker));
}

/** A flag as help shows it: `--out <path>`. */
export function flagUsage(flag: Flag): string {
  return flag.argument === undefined ? `--${flag.name}` : `--${flag.name} <${flag.argument}>`;
}

/** Adds `taker`'s flags to a commander command (cli/main.ts). */
export function withFlags(command: Command, taker: FlagTaker): Command {
  for (const flag of flagsOf(taker)) {
    if (flag.repeatable)
      command.option(flagUsage(flag), flag.help, (value: string, earlier: string[] = []) => [
        ...earlier,
        value,
      ]);
    else command.option(flagUsage(flag), flag.help, flag.default);
  }
  return command;
}

/** A flag's default value, for a command that starts from it without commander (the REPL's `.run`). */
export function flagDefault(taker: FlagTaker, name: string): string | undefined {
  return flagsOf(taker).find((flag) => flag.name === name)?.default;
}
