import { once } from "node:events";
import type { Clock } from "../client/clock.js";
import type { PlayedReadings } from "../evaluate/evaluateCriteria.js";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { ContactList } from "./data.js";
import type { Faults } from "./faults.js";
import { aggregatedCsv, type Report } from "./reports.js";
import { chunkBytes } from "./streaming.js";

export interface SandboxCredentials {
  username: string;
  password: string;
  accountCode: string;
}

export const defaultSandboxCredentials: SandboxCredentials = {
  username: "sandbox",
  password: "sandbox-secret",
  accountCode: "SANDBOX",
};

export interface SandboxStats {
  requests: number;
  byRoute: Record<string, number>;
  reportsCreated: number;
  reportsDeleted: number;
  maxInFlight: number;
  rateLimited: number;
  /** The most requests that arrived within one window (rateWindowMs), over any window, 429s included. */
  maxCallsInWindow: number;
  /** Requests refused with 413 for a body past maxBodyBytes. */
  tooLarge: number;
  /** Requests the html-echo, stall-headers, no-answer and trickle faults were applied to. */
  htmlEchoes: number;
  stalled: number;
  unanswered: number;
  trickled: number;
  /** Requests answered 503 by the serverErrors fault. */
  serverErrors: number;
  /** Creates stored and then left unanswered by the dropCreateAfterCommit fault. */
  droppedCreates: number;
}

/** What one sandbox was started with, defaults filled in. */
export interface SandboxSettings {
  credentials: SandboxCredentials;
  listId: string;
  /** How long a report stays pending, in ms. */
  buildTimeMs: number;
  callsPerMinute: number;
  rateWindowMs: number;
  maxInFlight: number;
  maxBodyBytes: number;
  /** The readings of the criteria it plays instead of the documented one (none: the documented one). */
  readings: PlayedReadings;
}

/** Everything one running sandbox holds: its reports, counters, rate windows and faults. */
export class SandboxState {
  readonly reports = new Map<number, Report>();
  readonly stats: SandboxStats = {
    requests: 0,
    byRoute: {},
    reportsCreated: 0,
    reportsDeleted: 0,
    maxInFlight: 0,
    rateLimited: 0,
    maxCallsInWindow: 0,
    tooLarge: 0,
    htmlEchoes: 0,
    stalled: 0,
    unanswered: 0,
    trickled: 0,
    serverErrors: 0,
    droppedCreates: 0,
  };
  inFlight = 0;
  private nextId = 1000;
  /** Calls admitted, for the calls-per-minute limit. */
  private readonly recentCalls: number[] = [];
  /** Every request, 429s included, for stats.maxCallsInWindow. */
  private readonly arrivals: number[] = [];

  constructor(
    readonly settings: SandboxSettings,
    readonly contacts: ContactList,
    /** Changed while running (Sandbox.faults is this object); counted faults are used up. */
    readonly faults: Faults,
    /** Where report files are built. */
    readonly workDirectory: string,
    readonly clock: Clock,
  ) {}

  newReportId(): number {
    return this.nextId++;
  }

  /** Counts every request in a sliding window, as Ongage measures calls per minute. */
  countArrival(): void {
    const now = this.clock.now();
    while (this.arrivals.length > 0 && this.arrivals[0]! <= now - this.settings.rateWindowMs)
      this.arrivals.shift();
    this.arrivals.push(now);
    this.stats.maxCallsInWindow = Math.max(this.stats.maxCallsInWindow, this.arrivals.length);
  }

  /** Admits a call within callsPerMinute; past it, the whole seconds until one fits (Retry-After). */
  admitCall(): number | undefined {
    const { rateWindowMs, callsPerMinute } = this.settings;
    const now = this.clock.now();
    while (this.recentCalls.length > 0 && this.recentCalls[0]! <= now - rateWindowMs)
      this.recentCalls.shift();
    if (this.recentCalls.length >= callsPerMinute)
      return Math.max(1, Math.ceil((this.recentCalls[0]! + rateWindowMs - now) / 1000));
    this.recentCalls.push(now);
    return undefined;
  }

  /**
   * While a report is pending, its aggregated CSV is written to a file, as Ongage builds a
   * report before it can be exported; exports then stream that file, however large, quickly.
   */
  async buildReportFile(report: Report): Promise<void> {
    const path = join(this.workDirectory, `report-${report.id}.csv`);
    const out = createWriteStream(path);
    let buffered = "";
    try {
      for (const piece of aggregatedCsv(report.request, this.contacts, this.settings.readings)) {
        if (!this.reports.has(report.id)) break; // deleted while building
        if (piece === null) {
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        buffered += piece;
        if (buffered.length >= chunkBytes) {
          if (!out.write(buffered)) await once(out, "drain");
          buffered = "";
        }
      }
      out.end(buffered);
      await once(out, "close");
      if (this.reports.has(report.id)) report.file = path;
      else await rm(path, { force: true });
    } catch (error) {
      out.destroy();
      await rm(path, { force: true });
      report.failed = true;
      report.file = undefined;
      throw error;
    } finally {
      report.built = true;
    }
  }
}
