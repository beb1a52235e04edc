import { wholeNumberOf } from "../language/numberText.js";

/**
 * Misbehaviour the sandbox can be told to show, so that tests can check oq survives it. Counts
 * are used up as the faults happen; the rest hold for the sandbox's life.
 */
export interface Faults {
  /** The next N requests are answered 429, with Retry-After (unless omitRetryAfter). */
  rateLimitBurst?: number;
  /** Seconds in Retry-After for those 429s (default 1). */
  retryAfterSeconds?: number;
  /** Those 429s come without Retry-After, as a client must then back off on its own. */
  omitRetryAfter?: boolean;
  /** The next N requests (Infinity: all) get a 200 HTML page echoing their headers, credentials included. */
  htmlEcho?: number;
  /** The next N requests (Infinity: all) get their headers, then nothing more, the connection left open. */
  stallHeaders?: number;
  /** The next N requests (Infinity: all) get no answer at all, the connection left open. */
  noAnswer?: number;
  /** Every request gets its status line and headers one byte every this many milliseconds, for ever. */
  trickleMs?: number;
  /** The next N GET and DELETE requests are answered 503. */
  serverErrors?: number;
  /** The next N creates store the report, then drop the connection without answering. */
  dropCreateAfterCommit?: number;
  /** The next export is cut off after this many bytes (once). */
  dropExportAfterBytes?: number;
  /** A pause between the chunks of every export, in milliseconds. */
  slowBodyMs?: number;
  /** Reports stay pending for ever. */
  neverComplete?: boolean;
  /** Reports end in status 3, "Failed". */
  failReports?: boolean;
  /** The next N exports are answered 200 with an error in Ongage's JSON envelope instead of the CSV. */
  exportEnvelope?: number;
  /** The next N exports are answered 200 with an HTML page (text/html) instead of the CSV. */
  exportHtml?: number;
  /** The next N exports are gzip-compressed, though labelled text/csv and not asked for. */
  exportGzip?: number;
  /** The next N exports end cleanly (no error, no Content-Length) in the middle of a row. */
  exportCutRow?: number;
  /** The next create stores the report, then answers in a way that cannot be read (once). */
  createAnswer?: BadCreateAnswer;
  /** The report list leaves out reports made less than this many ms ago. */
  lateVisibleMs?: number;
  /** The next create is stored (and answered) only this many ms after it arrives (once). */
  delayedStoreMs?: number;
  /** Titles are stored cut to this many characters. */
  truncateTitles?: number;
  /** The next N deletes are never answered (the report stays). */
  hangDeletes?: number;
}

/**
 * How a create's answer goes wrong: an HTML page, JSON cut short, a Content-Length larger than
 * the body sent before the connection closes, gzip nobody asked for, a payload without the
 * report, or a report with an empty id. Each on HTTP 200, after the report was stored.
 */
export const badCreateAnswers = ["html", "truncated", "lying-length", "gzip", "shape", "empty-id"] as const;
export type BadCreateAnswer = (typeof badCreateAnswers)[number];

/** The fault names, as `--faults` takes them. */
const faultSyntax =
  "429:N, 429-bare:N, 5xx:N, drop-create:N, drop-export:BYTES, slow:MS, never-complete, fail, html-echo[:N], stall-headers[:N], no-answer[:N], trickle:MS, " +
  "export-envelope:N, export-html:N, export-gzip:N, export-cut-row:N, create-answer:KIND, late-visible:MS, delayed-store:MS, truncate-titles:N, hang-delete:N";

/** `--faults` on the command line: a comma-separated list of faults (faultSyntax; docs/sandbox.md). */
export function parseFaults(spec: string): Faults {
  const faults: Faults = {};
  for (const part of spec
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, raw] = part.split(":");
    const value = raw === undefined ? undefined : wholeNumberOf(raw);
    const needNumber = () => {
      if (value === undefined)
        throw new Error(
          `--faults ${name} needs a whole number (digits only), as in ${name}:3` +
            (raw === undefined ? "" : `, not '${raw}'`),
        );
      return value;
    };
    /** A count, or for ever when none is given. */
    const countOrAll = () => (raw === undefined ? Infinity : needNumber());
    switch (name) {
      case "429":
        faults.rateLimitBurst = needNumber();
        break;
      case "429-bare":
        faults.rateLimitBurst = needNumber();
        faults.omitRetryAfter = true;
        break;
      case "html-echo":
        faults.htmlEcho = countOrAll();
        break;
      case "stall-headers":
        faults.stallHeaders = countOrAll();
        break;
      case "no-answer":
        faults.noAnswer = countOrAll();
        break;
      case "trickle":
        faults.trickleMs = needNumber();
        if (faults.trickleMs === 0)
          throw new Error("--faults trickle needs a pause of at least 1 ms, as in trickle:1000");
        break;
      case "5xx":
        faults.serverErrors = needNumber();
        break;
      case "drop-create":
        faults.dropCreateAfterCommit = needNumber();
        break;
      case "drop-export":
        faults.dropExportAfterBytes = needNumber();
        break;
      case "slow":
        faults.slowBodyMs = needNumber();
        break;
      case "never-complete":
        faults.neverComplete = true;
        break;
      case "fail":
        faults.failReports = true;
        break;
      case "export-envelope":
        faults.exportEnvelope = needNumber();
        break;
      case "export-html":
        faults.exportHtml = needNumber();
        break;
      case "export-gzip":
        faults.exportGzip = needNumber();
        break;
      case "export-cut-row":
        faults.exportCutRow = needNumber();
        break;
      case "create-answer":
        if (!badCreateAnswers.includes(raw as BadCreateAnswer))
          throw new Error(
            `--faults create-answer takes one of ${badCreateAnswers.join(", ")}, as in create-answer:html`,
          );
        faults.createAnswer = raw as BadCreateAnswer;
        break;
      case "late-visible":
        faults.lateVisibleMs = needNumber();
        break;
      case "delayed-store":
        faults.delayedStoreMs = needNumber();
        break;
      case "truncate-titles":
        faults.truncateTitles = needNumber();
        break;
      case "hang-delete":
        faults.hangDeletes = needNumber();
        break;
      default:
        throw new Error(`unknown fault '${name}'; the faults are ${faultSyntax}`);
    }
  }
  return faults;
}
