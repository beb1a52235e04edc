import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { compile, parse } from "../compile.js";
import type { ParamValue } from "../check/parameters.js";
import { printNumber } from "../parser/printNumber.js";
import { printString } from "../parser/printer.js";
import type { Session } from "./session.js";
import type { CompileSettings } from "../app/compileSettings.js";
import { withParamsNamedIn } from "../app/compileSettings.js";

/*
 * `.save [--force] FILE.oq`: the last query as a file that stands on its own. The values the
 * session bound (`.param`, `--param`) that the query uses are written as `param` declarations,
 * so that `oq check FILE` passes; an existing file with other content is replaced only when the
 * user says so (asked at a terminal; `--force` from a pipe); missing folders are made.
 */

/** Asks a yes/no question at the terminal; absent when no one is there to answer (a pipe). */
export type Ask = ((question: string) => Promise<boolean>) | undefined;

/** `value` as a literal of a `param` default; `bare` writes text unquoted (a date, a duration). */
function literal(value: ParamValue, bare: boolean): string {
  if (Array.isArray(value)) return `[${value.map((item) => literal(item, bare)).join(", ")}]`;
  if (typeof value === "number") return printNumber(value);
  return bare ? (value as string) : printString(value as string);
}

/** The errors of `text` compiled on its own: with `settings` but no value bound from outside. */
const errorsOf = (text: string, settings: CompileSettings) => {
  const { params: _params, paramSources: _sources, ...alone } = settings;
  return compile(text, alone).diagnostics.filter((d) => d.severity === "error").length;
};

/**
 * `text` with a `param NAME = VALUE` declaration for each value of `settings` (those it was
 * compiled with) that it uses: replacing the declaration of that name, else at the top. Text is quoted unless written
 * bare it compiles with fewer errors (a date or a duration is written bare: `param since = 2024-01-01`).
 */
function withParamDeclarations(text: string, settings: CompileSettings): string {
  const bound = Object.entries(withParamsNamedIn(settings, text).params ?? {});
  if (bound.length === 0) return text;
  const declared = parse(text).ast?.params ?? [];
  const write = (bare: ReadonlySet<string>) => {
    let result = text;
    const top: string[] = [];
    const replacements = bound
      .map(([name, value]) => ({
        line: `param ${name} = ${literal(value, bare.has(name))}`,
        at: declared.find((declaration) => declaration.name === name)?.span,
      }))
      .sort((a, b) => (b.at?.start.offset ?? -1) - (a.at?.start.offset ?? -1));
    for (const { line, at } of replacements) {
      if (at) result = result.slice(0, at.start.offset) + line + result.slice(at.end.offset);
      else top.push(line);
    }
    return top.length === 0 ? result : `${top.join("\n")}\n${result}`;
  };
  const bare = new Set<string>();
  let best = write(bare);
  let errors = errorsOf(best, settings);
  for (const [name, value] of bound) {
    if (errors === 0) break;
    if (typeof value === "number") continue;
    const trying = write(new Set([...bare, name]));
    const tryingErrors = errorsOf(trying, settings);
    if (tryingErrors < errors) {
      bare.add(name);
      best = trying;
      errors = tryingErrors;
    }
  }
  return best;
}

/** Runs `.save`; the words after it are `[--force] FILE`. */
export async function saveQuery(session: Session, words: readonly string[], ask: Ask): Promise<void> {
  const force = words[0] === "--force";
  const file = (force ? words.slice(1) : words).join(" ");
  const last = session.last;
  if (last === undefined) return session.fail("oq: no query yet");
  if (!file) return session.fail("oq: .save needs a file name, such as .save weekly.oq");
  const text = last.text.endsWith("\n") ? last.text : `${last.text}\n`;
  const content = withParamDeclarations(text, last.settings);
  const path = resolve(file);
  // The file the query came from, or one this session wrote, is its own: no question.
  const ours =
    session.savedFiles.has(path) || (last.fileName !== undefined && resolve(last.fileName) === path);
  if (!force && !ours && existsSync(path) && readFileSync(path, "utf8") !== content) {
    if (!ask)
      return session.fail(`oq: ${file} exists and holds something else; .save --force ${file} replaces it`);
    if (!(await ask(`${file} exists and holds something else; replace it? [y/N] `))) {
      session.output.out("not saved\n");
      return;
    }
  }
  const folder = dirname(path);
  const made = existsSync(folder) ? undefined : mkdirSync(folder, { recursive: true });
  writeFileSync(path, content);
  session.savedFiles.add(path);
  const declared = content === text ? "" : " (with the values bound as param declarations)";
  const created =
    made === undefined ? "" : ` (made the folder ${relative(session.host.cwd(), folder) || folder})`;
  session.output.out(`saved to ${file}${declared}${created}\n`);
  if (errorsOf(content, last.settings) > 0)
    session.output.err(`oq: note: ${file} does not compile on its own; oq check ${file} says why\n`);
}
