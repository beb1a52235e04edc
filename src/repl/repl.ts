import type { Host } from "../app/host.js";
import { createInterface, type Interface } from "node:readline";
import type { CompileSettings } from "../app/compileSettings.js";
import { History, historyPath } from "./history.js";
import type { QueryBuffer } from "./input.js";
import type { complete } from "../assist/completion.js";
import type { Terminal } from "./dotCommands.js";
import { Session, type Output } from "./session.js";
import { clausesAlone } from "./amend.js";

/*
 * The loop: lines in, queries compiled, dot commands run. On a terminal: prompts, completion,
 * history and Ctrl-C handling; from a pipe: none of that, one result per query.
 */

const prompt = "oq> ";
const continuation = "..> ";
/** Lines longer than this are left uncoloured: a redraw costs the whole line, at every burst of keys. */
const maxColouredLength = 2000;
const colourable = (line: string) => line.length <= maxColouredLength;
/** How long after Enter the next line counts as pasted with it (no one types that fast). */
const pasteWindowMs = 15;

interface ReplOptions {
  settings: CompileSettings;
  sandbox: boolean;
  color: boolean;
  /** The process (or a test's stand-in): input on its stdin, output on its stdout and stderr. */
  host: Host;
  /** `--schema`: a file `.load` reads takes it over its folder's oq.config.json, as `oq compile` does. */
  schemaFlag?: string | undefined;
}

/** A query as one history entry, its line breaks kept (recalled, it reads as it was typed). */
function historyEntry(query: string): string {
  return query
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n");
}

/**
 * What the loop needs past the prompt: the grammar (for completion and multi-line input) and the
 * dot commands. Loaded while the prompt is already on screen, so that it shows at once.
 */
interface Tools {
  buffer: QueryBuffer;
  complete: typeof complete;
  dotCommands: typeof import("./dotCommands.js");
  highlight: (line: string) => string;
}

async function loadTools(): Promise<Tools> {
  const [input, completion, dotCommands, colouring] = await Promise.all([
    import("./input.js"),
    import("../assist/completion.js"),
    import("./dotCommands.js"),
    import("./highlight.js"),
  ]);
  return {
    buffer: new input.QueryBuffer({ joinLines: true }),
    complete: completion.complete,
    dotCommands,
    highlight: colouring.highlight,
  };
}

/** Feeds lines to the session; resolves "quit" when `.quit` is typed. */
async function handleLine(
  line: string,
  tools: Tools,
  session: Session,
  terminal: Terminal,
  onQuery: (query: string) => void,
): Promise<"quit" | void> {
  const buffer = tools.buffer;
  // No query text starts with '.': a dot command ends whatever is pending, a query held to see
  // whether this line carries it on, or a clause waiting to amend the last query (`during 90d`
  // then `.fmt`), and the command is then about it.
  if (line.trimStart().startsWith(".")) {
    for (const query of buffer.flush()) {
      onQuery(query);
      session.submit(query);
    }
    if (!buffer.empty) {
      const pending = buffer.text.trim();
      buffer.clear();
      onQuery(pending);
      session.submit(pending);
    }
    return tools.dotCommands.runDotCommand(line, session, terminal);
  }
  for (const query of buffer.add(line)) {
    onQuery(query);
    session.submit(query);
  }
}

/** The REPL; resolves with the exit status. */
export async function repl(options: ReplOptions): Promise<number> {
  const { host } = options;
  const interactive = host.stdin.isTTY === true && host.stdout.isTTY === true;
  const output: Output = {
    out: (text) => host.stdout.write(text),
    err: (text) => host.stderr.write(text),
    color: options.color && interactive,
    interactive,
  };
  const session = new Session(output, options.settings, options.sandbox, host, options.schemaFlag);
  const tools = loadTools();
  try {
    return interactive
      ? await onTerminal(options, session, tools)
      : await fromPipe(options, session, await tools);
  } finally {
    await session.close();
  }
}

async function fromPipe(options: ReplOptions, session: Session, tools: Tools): Promise<number> {
  const rl = createInterface({ input: options.host.stdin, terminal: false });
  const terminal: Terminal = { beforeRun: () => undefined, afterRun: () => undefined };
  const buffer = tools.buffer;
  for await (const line of rl) {
    if ((await handleLine(line, tools, session, terminal, () => undefined)) === "quit") break;
  }
  rl.close();
  // A last query without a blank line after it.
  if (session.stoppedWith === undefined) {
    for (const query of buffer.flush()) session.submit(query);
    if (!buffer.empty) session.submit(buffer.text.trim());
  }
  return session.stoppedWith ?? (session.failed ? 1 : 0);
}

function onTerminal(options: ReplOptions, session: Session, loading: Promise<Tools>): Promise<number> {
  let tools: Tools | undefined;
  void loading.then((loaded) => {
    tools = loaded;
    // What was typed before the grammar was loaded is coloured now.
    if (session.output.color && ready && editor().line !== "") rl.prompt(true);
  });
  const history = new History(historyPath(options.host.env));
  const entries = history.load();
  // readline's line and cursor are not in its typings.
  const editor = () => rl as unknown as { history: string[]; line: string; cursor: number };
  let running = false;
  let ready = false;
  // readline draws the prompt and the line in one write: that write is coloured (the cursor
  // arithmetic is readline's, on the plain text, so colours do not move it).
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    let coloured = chunk;
    if (ready && session.output.color && tools !== undefined && typeof chunk === "string") {
      const line = editor().line;
      if (colourable(line) && chunk === rl.getPrompt() + line && !line.trimStart().startsWith("."))
        coloured = rl.getPrompt() + tools.highlight(line);
    }
    return (options.host.stdout.write as (...args: unknown[]) => boolean)(coloured, ...rest);
  };
  const terminalOutput = new Proxy(options.host.stdout, {
    get(target, property) {
      if (property === "write") return write;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  const rl: Interface = createInterface({
    input: options.host.stdin,
    output: terminalOutput,
    terminal: true,
    // The REPL adds whole queries itself (one entry for a multi-line query).
    historySize: 0,
    history: entries,
    completer: (line: string, callback: (error: null, result: [string[], string]) => void) => {
      void loading.then(({ buffer, complete, dotCommands }) => {
        if (buffer.empty && line.trimStart().startsWith(".")) {
          const word = line.trimStart();
          callback(null, [dotCommands.dotCommandNames.filter((name) => name.startsWith(word)), word]);
          return;
        }
        const before = buffer.empty ? line : `${buffer.text}\n${line}`;
        const { candidates, word } = complete(before, session.fields);
        // A single candidate at the end of the line is followed by a space, ready for the next word.
        const atEnd = editor().cursor >= editor().line.length;
        callback(null, [candidates.length === 1 && atEnd ? [`${candidates[0]} `] : candidates, word]);
      });
    },
  });
  const lines = editor();
  ready = true;
  let added = entries.length;
  const input = options.host.stdin;
  const terminal: Terminal = {
    // During a run Ctrl-C reaches oq as a signal, as in `oq run`: the runner cleans up.
    beforeRun: () => {
      running = true;
      rl.pause();
      input.setRawMode?.(false);
    },
    afterRun: () => {
      input.setRawMode?.(true);
      rl.resume();
      running = false;
    },
    // The answer is the next line typed: readline hands it to the question, not to "line".
    ask: (question) =>
      new Promise((resolve) => rl.question(question, (answer) => resolve(/^y(es)?$/i.test(answer.trim())))),
  };
  const showPrompt = () => {
    rl.setPrompt(tools === undefined || tools.buffer.empty ? prompt : continuation);
    rl.prompt();
  };
  options.host.stdout.write("oq repl: type a query, .help for commands, Ctrl-D to leave\n");
  let armedExit = false;
  // Readline writes a typed character by itself; the whole line is drawn again, in colour.
  // Once per burst of keys, not per key: a paste is thousands of keys, and redrawing the whole
  // line after each made it quadratic (a 10 KB paste took tens of seconds).
  let drawn = "";
  let redraw: NodeJS.Immediate | undefined;
  if (session.output.color)
    input.on("keypress", () => {
      redraw ??= setImmediate(() => {
        redraw = undefined;
        if (running || tools === undefined || lines.line === drawn) return;
        drawn = lines.line;
        if (lines.line !== "" && colourable(lines.line)) rl.prompt(true);
      });
    });
  let queue = Promise.resolve();
  const onQuery = (query: string) => {
    const entry = historyEntry(query);
    if (lines.history[0] !== entry) {
      lines.history.unshift(entry);
      history.add(entry, added++);
    }
  };
  // Lines read but not yet handled: the lines of a paste arrive together.
  let unread = 0;
  return new Promise<number>((resolve) => {
    rl.on("line", (line) => {
      armedExit = false;
      unread++;
      queue = queue.then(async () => {
        const tools = await loading;
        unread--;
        for (const part of line.split("\n")) {
          if ((await handleLine(part, tools, session, terminal, onQuery)) === "quit") {
            rl.close();
            return;
          }
        }
        // A query that ended with its line is held a moment: a pasted next line may carry it on.
        if (unread === 0) await new Promise((resolve) => setTimeout(resolve, pasteWindowMs));
        if (unread > 0) return;
        for (const query of tools.buffer.flush()) {
          onQuery(query);
          session.submit(query);
        }
        // A clause typed on its own right after a query amends it at once, rather than wait for
        // a condition (README.md, "oq repl").
        if (!tools.buffer.empty && session.last && clausesAlone(tools.buffer.text)) {
          const clauses = tools.buffer.text;
          tools.buffer.clear();
          onQuery(clauses);
          session.submit(clauses);
        }
        showPrompt();
      });
    });
    rl.on("SIGINT", () => {
      if ((tools !== undefined && !tools.buffer.empty) || lines.line !== "") {
        // Ctrl-C on a half-typed query clears it.
        options.host.stdout.write("^C\n");
        tools?.buffer.clear();
        lines.line = "";
        lines.cursor = 0;
        armedExit = false;
        showPrompt();
        return;
      }
      if (armedExit) {
        rl.close();
        return;
      }
      armedExit = true;
      options.host.stdout.write("^C (Ctrl-C again or Ctrl-D to leave)\n");
      showPrompt();
    });
    rl.on("close", () => {
      options.host.stdout.write("\n");
      void queue.then(() => resolve(session.stoppedWith ?? 0));
    });
    showPrompt();
  });
}
