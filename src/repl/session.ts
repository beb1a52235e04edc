import { check, formatDiagnostics, normalize, parse, plan, type PlanResult } from "../compile.js";
import type { NormalizedQuery } from "../check/checkedQuery.js";
import type { CustomFields } from "../check/fieldCatalog.js";
import type { ContactActivityRequest } from "../emit/payloadSchema.js";
import type { CompileSettings } from "../app/compileSettings.js";
import type { OngageClient } from "../client/client.js";
import type { Sandbox } from "../sandbox/server.js";
import { summarize } from "./summary.js";

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
  payload?: ContactActivityRequest;
  /** When the query runs as several reports (grammar.md, "Combining conditions"). */
  plan?: NonNullable<PlanResult["plan"]>;
  checked?: NormalizedQuery;
}

export class Session {
  last: LastQuery | undefined;
  client: OngageClient | undefined;
  sandbox: Sandbox | undefined;
  /** The folder `.run` writes CSVs to when --out is not given (made on first use). */
  runFolder: string | undefined;
  runs = 0;
  /** Whether anything failed (a piped session then exits 1). */
  failed = false;
  /**
   * The exit status when a signal ended the session: SIGTERM or SIGHUP during a run (and, from a
   * pipe, Ctrl-C too) stop oq after the clean-up, as they stop `oq run`.
   */
  stoppedWith: number | undefined;

  constructor(
    readonly output: Output,
    public settings: CompileSettings,
    /** `oq repl --sandbox`: every `.run` goes to a local sandbox. */
    readonly useSandbox: boolean,
  ) {}

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
  submit(text: string, fileName?: string): boolean {
    return this.compileLast(text, fileName, true);
  }

  /** Compiles the last query again, quietly, after `.now` or `.schema` changed the settings. */
  recompile(): void {
    if (this.last) this.compileLast(this.last.text, this.last.fileName, false);
  }

  private compileLast(text: string, fileName: string | undefined, shown: boolean): boolean {
    const settings = fileName === undefined ? this.settings : { ...this.settings, fileName };
    const named = fileName === undefined ? {} : { fileName };
    const result = plan(text, settings);
    const rendered = formatDiagnostics(result, { color: this.output.color });
    if (rendered && shown) this.output.err(rendered);
    if (result.plan && result.words) {
      this.last = { text, ...named, plan: result.plan };
      if (!shown) return true;
      const reports = result.words.reports.map((condition, index) => `  report ${index + 1}  ${condition}`);
      this.output.out(
        `✓ runs as ${result.plan.reports.length} reports; the contacts in ${result.words.contacts}\n${reports.join("\n")}\n  select  ${result.plan.columns.join(", ")}\n`,
      );
      return true;
    }
    if (!result.payload) {
      if (shown) this.failed = true;
      this.last = { text, ...named };
      return false;
    }
    // The summary reads the normalised query; compiling again costs microseconds.
    const checked = normalize(check(parse(text, settings), settings), settings).normalized;
    this.last = { text, ...named, payload: result.payload, ...(checked ? { checked } : {}) };
    if (checked && shown) this.output.out(`${summarize(checked)}\n`);
    return true;
  }

  async close(): Promise<void> {
    await this.sandbox?.close();
    this.sandbox = undefined;
  }
}
