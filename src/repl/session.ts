import type { Host } from "../app/host.js";
import { check, formatDiagnostics, normalize, parse, plan, type PlanResult } from "../compile.js";
import type { NormalizedQuery } from "../check/checkedQuery.js";
import type { CustomFields } from "../check/fieldCatalog.js";
import type { ContactActivityRequest } from "../emit/payloadSchema.js";
import { compileSettingsFor, withParamsNamedIn, type CompileSettings } from "../app/compileSettings.js";
import { mergeParams } from "../app/paramFlags.js";
import type { OngageClient } from "../client/client.js";
import type { Sandbox } from "../sandbox/server.js";
import { sandboxCustomFields } from "../sandbox/data.js";
import { summarize } from "./summary.js";
import { replSettingWords } from "./settingWords.js";
import { amendedQuery, clausesAlone } from "./amend.js";

/*
 * A REPL session's state: the compile settings (`.now`, `.schema` change them), the last
 * query and what it compiled to, and the connection `.run` opened.
 */

/** Where the session writes: results on `out`, problems on `err`. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Colours in diagnostics (a terminal without NO_COLOR). */
  color: boolean;
  /** A person at a terminal (prompts, progress), not a script. */
  interactive: boolean;
}

interface LastQuery {
  text: string;
  /** The file `.load` read it from: diagnostics name it, as `oq check FILE` does. */
  fileName?: string;
  /**
   * What it was compiled with, the clock read once (`.json`, `.explain` and `.run` then agree on
   * the window and the title).
   */
  settings: CompileSettings;
  payload?: ContactActivityRequest;
  /** When the query runs as several reports (grammar.md, "Combining conditions"). */
  plan?: NonNullable<PlanResult["plan"]>;
  checked?: NormalizedQuery;
}

export class Session {
  last: LastQuery | undefined;
  client: OngageClient | undefined;
  sandbox: Sandbox | undefined;
  /** The client of that sandbox, kept with it: its rate limiter's memory lasts the session, as `client`'s does. */
  sandboxClient: OngageClient | undefined;
  /** The folder `.run` writes CSVs to when --out is not given (made on first use). */
  runFolder: string | undefined;
  runs = 0;
  /** The files `.save` wrote: saving there again replaces the session's own file, without asking. */
  readonly savedFiles = new Set<string>();
  /** Whether anything failed (a piped session then exits 1). */
  failed = false;
  /**
   * The exit status when a signal ended the session: SIGTERM or SIGHUP during a run (and, from a
   * pipe, Ctrl-C too) stop oq after the clean-up, as they stop `oq run`.
   */
  stoppedWith: number | undefined;

  /**
   * The schema file given by `--schema` or `.schema`: it wins over a loaded file's oq.config.json,
   * as `--schema` does for `oq compile FILE`.
   */
  schemaFlag: string | undefined;
  /** The values bound by the file `.load` read the last query from (its `NAME.params.json`). */
  private fileSettings: CompileSettings | undefined;

  constructor(
    readonly output: Output,
    public settings: CompileSettings,
    /** `oq repl --sandbox`: every `.run` goes to a local sandbox. */
    readonly useSandbox: boolean,
    /** The process (or a test's stand-in): its environment for a loaded file's settings (`OQ_SCHEMA`), and for `.run`. */
    readonly host: Host,
    schemaFlag?: string,
  ) {
    this.schemaFlag = schemaFlag;
    this.defaultFields = useSandbox ? sandboxCustomFields : undefined;
    if (!settings.fields && this.defaultFields) this.settings = { ...settings, fields: this.defaultFields };
  }

  get fields(): CustomFields | undefined {
    return this.settings.fields;
  }

  fail(message: string): void {
    this.failed = true;
    this.output.err(`${message}\n`);
  }

  /**
   * Compiles a query as `oq run` would: its summary when valid (one report, or the plan of
   * several), else the diagnostics as `oq check` prints them.
   */
  submit(text: string): boolean {
    const clauses = this.last ? clausesAlone(text) : undefined;
    if (!clauses) {
      this.fileSettings = undefined;
      return this.compileLast(text, undefined, true);
    }
    const amended = amendedQuery(this.last!.text, clauses, text);
    this.output.out(`(added to the last query; a new query starts with its condition)\n`);
    return this.compileLast(amended, this.last!.fileName, true);
  }

  /**
   * Compiles a query file as `oq compile FILE` does: with the oq.config.json found from its
   * folder and `FILE.params.json` beside it (app/compileSettings.ts), under the session's clock
   * and the values bound in it.
   */
  async load(text: string, fileName: string): Promise<boolean> {
    this.fileSettings = await this.settingsOfFile(fileName);
    return this.compileLast(text, fileName, true);
  }

  /** Compiles the last query again, quietly, after `.now`, `.schema` or `.param` changed the settings. */
  async recompile(): Promise<void> {
    if (!this.last) return;
    const { text, fileName } = this.last;
    if (fileName !== undefined) this.fileSettings = await this.settingsOfFile(fileName);
    this.compileLast(text, fileName, false);
  }

  private async settingsOfFile(fileName: string): Promise<CompileSettings> {
    const flags = this.schemaFlag === undefined ? {} : { schema: this.schemaFlag };
    const { now: _envClock, ...fromFile } = await compileSettingsFor(flags, this.host)(fileName);
    return fromFile;
  }

  /**
   * One query's settings: the session's (or its file's), the clock read once, and only the
   * values it names of those the session bound (a value it does not name cannot change it, and
   * would warn OQ271 at every query).
   */
  private settingsOf(text: string, fileName: string | undefined): CompileSettings {
    const session = withParamsNamedIn(this.settings, text);
    const now = this.settings.now ?? Date.now();
    const base =
      fileName !== undefined && this.fileSettings
        ? { ...this.fileSettings, fields: this.fileSettings.fields ?? this.defaultFields }
        : session;
    const params = mergeParams(base === session ? undefined : asParams(this.fileSettings), asParams(session));
    return {
      ...base,
      now,
      ...(params ?? {}),
      ...(fileName === undefined ? {} : { fileName }),
      settingWords: replSettingWords,
    };
  }

  /** Custom fields without a schema: the sandbox's own under `oq repl --sandbox`. */
  defaultFields: CompileSettings["fields"];

  private compileLast(text: string, fileName: string | undefined, shown: boolean): boolean {
    const settings = this.settingsOf(text, fileName);
    const named = fileName === undefined ? {} : { fileName };
    const result = plan(text, settings);
    const rendered = formatDiagnostics(result, { color: this.output.color });
    if (rendered && shown) this.output.err(rendered);
    if (result.plan && result.words) {
      this.last = { text, ...named, settings, plan: result.plan };
      if (!shown) return true;
      const reports = result.words.reports.map((condition, index) => `  report ${index + 1}  ${condition}`);
      this.output.out(
        `✓ runs as ${result.plan.reports.length} reports; the contacts in ${result.words.contacts}\n${reports.join("\n")}\n  select  ${result.plan.columns.join(", ")}\n`,
      );
      return true;
    }
    if (!result.payload) {
      if (shown) this.failed = true;
      this.last = { text, ...named, settings };
      return false;
    }
    // The summary reads the normalised query; compiling again costs microseconds.
    const checked = normalize(check(parse(text, settings), settings), settings).normalized;
    this.last = { text, ...named, settings, payload: result.payload, ...(checked ? { checked } : {}) };
    if (checked && shown) this.output.out(`${summarize(checked)}\n`);
    return true;
  }

  async close(): Promise<void> {
    await this.sandbox?.close();
    this.sandbox = undefined;
    this.sandboxClient = undefined;
  }
}

function asParams(settings: CompileSettings | undefined) {
  return settings?.params
    ? { params: settings.params, paramSources: settings.paramSources ?? {} }
    : undefined;
}
