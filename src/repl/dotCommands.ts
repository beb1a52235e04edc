import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { builtinFields } from "../check/fieldCatalog.js";
import { format } from "../format/format.js";
import type { FieldType } from "../language/vocabulary.js";
import { describeType } from "../check/operators.js";
import { parseNowText } from "../check/time.js";
import { flagsOf, flagUsage } from "../app/flags.js";
import { loadProjectSettings } from "../app/projectSettings.js";
import { UsageError } from "../app/usageError.js";
import { paramFlagSettings } from "../app/paramFlags.js";
import { fieldTypes } from "../assist/completion.js";
import type { Session } from "./session.js";
import type { Ask } from "./saveQuery.js";
import { explain } from "./summary.js";
import { explain as explainQuery } from "../explain/explain.js";

/*
 * The REPL's dot commands: `.help`, `.fields`, `.json`, `.explain`, `.run`, `.save`, `.load`,
 * `.now`, `.schema`, `.param`, `.params`, `.fmt`, `.quit`.
 */

/** How wide `.help`'s lines may be before a flag's help wraps. */
const helpWidth = 100;

/** `.run`'s flags, one a line under it, from the table they are declared in (app/flags.ts). */
function runFlagsHelp(): string {
  const flags = flagsOf(".run");
  const width = Math.max(...flags.map((flag) => flagUsage(flag).length));
  const indent = " ".repeat(6 + width + 1);
  return flags
    .map((flag) => {
      const help = `${flag.help}${flag.default === undefined ? "" : ` (default: ${flag.default})`}`;
      const lines = [`      ${flagUsage(flag).padEnd(width)} `];
      for (const word of help.split(" ")) {
        if (lines.at(-1)!.length + 1 + word.length > helpWidth) lines.push(indent);
        lines[lines.length - 1] += ` ${word}`;
      }
      return `${lines.join("\n")}\n`;
    })
    .join("");
}

/** `.help`'s text. */
const dotHelp =
  () => `Type a query; it compiles as you press Enter (a blank line or ';' ends a multi-line one).
Tab completes keywords, fields and the operators a field's type allows.

  .help               this text
  .fields [PREFIX]    the fields a query may use, with their types
  .json               the request body of the last query
  .explain            the last query, part by part, as Ongage will read it
  .fmt                the last query, formatted
  .run [FLAGS]        run the last query as a report (Ctrl-C cancels it and deletes the report):
${runFlagsHelp()}  .save FILE.oq       save the last query, with the values bound as param declarations;
                      it asks before replacing another file (.save --force FILE.oq, from a pipe)
  .load FILE.oq       read a query from a file and compile it
  .now [ISO]          the clock for relative dates (no argument: the real clock)
  .schema FILE        use this field schema for custom fields
  .param NAME=VALUE   bind $NAME to text (NAME:=JSON: a number, "text" or an array)
  .param NAME         unbind $NAME
  .params             the parameters bound
  .quit, .exit        leave (as Ctrl-D)
`;

/** The names a dot command is written with, for completing them. */
export const dotCommandNames = [
  ".help",
  ".fields",
  ".json",
  ".explain",
  ".fmt",
  ".run",
  ".save",
  ".load",
  ".now",
  ".schema",
  ".param",
  ".params",
  ".quit",
  ".exit",
];

export interface Terminal {
  beforeRun(): void;
  afterRun(): void;
  /** A yes/no question to the person at the terminal; absent from a pipe. */
  ask?: Ask;
}

function lastQuery(session: Session): string | undefined {
  if (!session.last) session.fail("oq: no query yet");
  return session.last?.text;
}

function fieldsTable(session: Session, prefix: string): string {
  const origins = new Map<string, string>(builtinFields.map((field) => [field.name, field.origin]));
  const rows: [string, FieldType, string][] = [...fieldTypes(session.fields)]
    .filter(([name]) => name.startsWith(prefix))
    .map(([name, type]) => [name, type, origins.get(name) ?? "custom"]);
  if (rows.length === 0) return `no field starts with '${prefix}'\n`;
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows
    .map(([name, type, origin]) => `${name.padEnd(width)}  ${describeType(type).padEnd(7)}  ${origin}\n`)
    .join("");
}

/** `.param name=value` / `name:=JSON` binds as --param does; `.param name` unbinds. */
function bindParam(session: Session, argument: string, out: (text: string) => void): void {
  const { params = {}, paramSources = {}, ...rest } = session.settings;
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(argument)) {
    const { [argument]: _value, ...kept } = params;
    const { [argument]: _source, ...keptSources } = paramSources;
    session.settings = { ...rest, params: kept, paramSources: keptSources };
    out(`$${argument} unbound\n`);
    return;
  }
  if (!argument)
    return session.fail("oq: .param takes name=value or name:=JSON, such as .param domain=gmail.com");
  const bound = paramFlagSettings([argument], ".param")!;
  const [name, value] = Object.entries(bound.params)[0]!;
  session.settings = {
    ...rest,
    params: { ...params, [name]: value },
    paramSources: { ...paramSources, ...bound.paramSources },
  };
  const unused =
    session.last && !session.last.text.includes(`$${name}`) ? " (the last query does not use it)" : "";
  out(`$${name} = ${JSON.stringify(value)}${unused}\n`);
}

/**
 * Runs a dot command line (`.run --out x.csv`). Returns "quit" for `.quit`. Failures are said on
 * stderr and mark the session as failed.
 */
export async function runDotCommand(
  line: string,
  session: Session,
  terminal: Terminal,
): Promise<"quit" | void> {
  const [name = "", ...words] = line.trim().split(/\s+/);
  const argument = line.trim().slice(name.length).trim();
  const out = (text: string) => session.output.out(text);
  try {
    switch (name) {
      case ".help":
        out(dotHelp());
        return;
      case ".quit":
      case ".exit":
        return "quit";
      case ".fields":
        out(fieldsTable(session, argument));
        return;
      case ".json": {
        const payload = session.last?.payload ?? session.last?.plan;
        if (payload) out(`${JSON.stringify(payload, null, 2)}\n`);
        else session.fail(session.last ? "oq: the last query has errors" : "oq: no query yet");
        return;
      }
      case ".explain": {
        const { checked, plan } = session.last ?? {};
        // In plain English as `oq explain` says it, then part by part as Ongage will read it.
        // With the settings the query was compiled with: the same clock and title as `.json`.
        const sentence =
          checked || plan
            ? explainQuery(session.last!.text, session.last!.settings).explanation?.text
            : undefined;
        if (checked) out(`${sentence ? `${sentence}\n\n` : ""}${explain(checked)}`);
        else if (plan && sentence) out(`${sentence}\n`);
        else session.fail(session.last ? "oq: the last query has errors" : "oq: no query yet");
        return;
      }
      case ".fmt": {
        const text = lastQuery(session);
        if (text === undefined) return;
        const result = format(text);
        if (result.formatted !== undefined) out(result.formatted);
        else session.fail("oq: the last query has syntax errors; it cannot be formatted");
        return;
      }
      case ".save": {
        const { saveQuery } = await import("./saveQuery.js");
        return await saveQuery(session, words, terminal.ask);
      }
      case ".load": {
        if (!argument) return session.fail("oq: .load needs a file name, such as .load weekly.oq");
        let text: string;
        try {
          text = readFileSync(argument, "utf8");
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
          return session.fail(`oq: cannot read the query file ${argument}: ${code}`);
        }
        await session.load(text, argument);
        return;
      }
      case ".now": {
        if (!argument) {
          const { now: _dropped, ...rest } = session.settings;
          session.settings = rest;
          await session.recompile();
          out("now: the clock\n");
          return;
        }
        const seconds = parseNowText(argument);
        if (seconds === undefined)
          return session.fail(
            `oq: .now takes an ISO 8601 time such as 2024-01-31T10:00:00Z (UTC unless an offset is written), not '${argument}'`,
          );
        session.settings = { ...session.settings, now: seconds * 1000 };
        await session.recompile();
        out(`now: ${new Date(seconds * 1000).toISOString().replace(".000Z", "Z")}\n`);
        return;
      }
      case ".schema": {
        if (!argument)
          return session.fail("oq: .schema needs a field schema file, such as .schema fields.json");
        const project = await loadProjectSettings({
          flag: argument,
          cwd: session.host.cwd(),
          searchFrom: session.host.cwd(),
        });
        session.settings = { ...session.settings, fields: project.fields ?? {} };
        // A file `.load` reads later takes this schema too, as `oq compile --schema` would.
        session.schemaFlag = resolve(argument);
        await session.recompile();
        out(`${Object.keys(project.fields ?? {}).length} custom fields from ${argument}\n`);
        return;
      }
      case ".param":
        bindParam(session, argument, out);
        await session.recompile();
        return;
      case ".params": {
        const params = Object.entries(session.settings.params ?? {});
        if (params.length === 0) out("no parameters bound\n");
        for (const [name, value] of params) out(`$${name} = ${JSON.stringify(value)}\n`);
        return;
      }
      case ".run": {
        // The runner, the client and the sandbox are loaded when a run is asked for.
        const { parseRunFlags, runLast } = await import("./runLast.js");
        const flags = parseRunFlags(words);
        if (typeof flags === "string") return session.fail(`oq: ${flags}`);
        return await runLast(session, flags, terminal);
      }
      default:
        session.fail(`oq: unknown command ${name}; .help lists them`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error instanceof Error && error.name === "OngageError"))
      return session.fail(`oq: ${error.message}`);
    const code = (error as NodeJS.ErrnoException).code;
    if (code) return session.fail(`oq: ${(error as Error).message}`);
    throw error;
  }
}
