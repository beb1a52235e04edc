import type { OngageClient } from "../client/client.js";
import type { UnknownCreates } from "../client/createRecovery.js";
import type { ReportInfo } from "../client/envelope.js";
import { cleanupBoundMs, cleanupCallMs, lateListingMs } from "../client/backoff.js";
import { timeoutSignal } from "../client/clock.js";
import { carriesMarker, newMarker, type ReportMarker } from "../client/reportMarker.js";
import { cleanupBound, deleteReports } from "./deleteReports.js";

/**
 * One report of a run, recorded from the moment its create is sent: its marker (in the title,
 * which finds it when the create's answer is lost), the creates whose outcome is unknown, and
 * its id once known.
 */
export class LedgerEntry {
  readonly marker: ReportMarker = newMarker();
  /** Filled in by the client's createReport. */
  readonly unknown: UnknownCreates = { attempts: 0, unresolved: 0, lastAt: 0 };
  /** The report the run uses, once its create answered. */
  reportId: string | undefined;
  /** Kept whatever `keep` says: its data exists only in Ongage (its CSV could not be saved). */
  mustKeep = false;
  /** Set once: the entry's deleting (or keeping) is under way or done. */
  settlement: Promise<Settlement> | undefined;
}

/** What became of an entry's reports. */
export interface Settlement {
  /** The report the run used: the entry's, or (kept) one its marker found. */
  reportId: string | undefined;
  /** The report the run used was deleted. */
  deleted: boolean;
  /** The reports kept in Ongage, by `keep` or because their data is saved nowhere else. */
  kept: string[];
  /** Reports that were meant to be deleted and could not be. */
  leftBehind: string[];
  /** Creates whose report may yet appear, under a title starting with `marker`. */
  unaccountedCreates?: { marker: ReportMarker; count: number };
  /** What the user must know: the reports left, and how to find the unaccounted ones. */
  problems: string[];
}

interface LedgerOptions {
  /** Abandons the clean-up (a second Ctrl-C): what was not deleted is left behind. */
  cleanupSignal?: AbortSignal | undefined;
  /** Bounds each clean-up, in ms (default cleanupBoundMs). */
  cleanupTimeoutMs?: number | undefined;
  /**
   * The run's stop signal (Ctrl-C) and how long the clean-up may take once it aborted (the
   * cleanup signal aborts then): a clean-up under way or begun after it fits within that.
   */
  afterStop?: { signal: AbortSignal; boundMs: number } | undefined;
  /** Where reports are listed with their titles, in the words of the caller's shell (`oq reports list`). */
  reportList?: string | undefined;
}

/**
 * The reports a run makes (a query, a plan, a folder of queries, the REPL's `.run`), each from
 * the moment its create is sent, and the one owner of deleting or keeping them. Whoever runs a
 * report settles its entry on every path out (runReport, runPlan); whoever runs the whole run
 * (app/runJobs.ts, under the one signal handler) drains the ledger at the end, so that a report
 * no path settled, after a signal or an error nobody foresaw, is still deleted. An entry is
 * settled once, however many paths ask.
 */
export class ReportLedger {
  private readonly entries: LedgerEntry[] = [];
  /** When the run was stopped (afterStop's signal), on the client's clock. */
  private stoppedAt: number | undefined;

  constructor(
    private readonly client: OngageClient,
    private readonly options: LedgerOptions = {},
  ) {
    const stop = options.afterStop?.signal;
    if (stop?.aborted) this.stoppedAt = client.clock.now();
    else stop?.addEventListener("abort", () => (this.stoppedAt = client.clock.now()), { once: true });
  }

  /** The entry of a report whose create is about to be sent (with the entry's marker in its title). */
  open(): LedgerEntry {
    const entry = new LedgerEntry();
    this.entries.push(entry);
    return entry;
  }

  /**
   * Deletes the reports of `entries` (keeps them with `keep` (--keep), or an entry's
   * `mustKeep`), concurrently: the known ones at once, what creates with an unknown outcome made
   * once its look-up ends (duplicates are deleted even with `keep`). Within the clean-up's bound
   * (after a signal, what is left of the signal's). `onDeleting` is told the ids being deleted,
   * each time they grow: first those already known, then with what a look-up found. Returns each
   * entry's settlement, and the calls this took.
   */
  async settle(
    entries: readonly LedgerEntry[],
    how: { keep: boolean; onDeleting?: ((ids: string[]) => void) | undefined },
  ): Promise<{ settlements: Settlement[]; calls: number }> {
    const fresh = entries.filter((entry) => entry.settlement === undefined);
    const client = this.client.forCleanup();
    if (fresh.length > 0) {
      const settling = this.settleNow(client, fresh, how);
      fresh.forEach((entry, index) => (entry.settlement = settling.then((all) => all[index]!)));
    }
    const settlements = await Promise.all(entries.map((entry) => entry.settlement!));
    return { settlements, calls: client.calls };
  }

  /** Settles every entry no path settled (what a signal or an unforeseen error left), as `settle` does. */
  async drain(how: { keep: boolean }): Promise<Settlement[]> {
    const left = this.entries.filter((entry) => entry.settlement === undefined);
    return (await this.settle(left, how)).settlements;
  }

  private async settleNow(
    client: OngageClient,
    entries: readonly LedgerEntry[],
    { keep, onDeleting }: { keep: boolean; onDeleting?: ((ids: string[]) => void) | undefined },
  ): Promise<Settlement[]> {
    const started = client.clock.now();
    const boundMs = this.boundMs(started);
    const bound = cleanupBound(boundMs, this.options.cleanupSignal, client.clock);
    try {
      const settlements = entries.map((entry): Settlement => ({
        reportId: entry.reportId,
        deleted: false,
        kept: [],
        leftBehind: [],
        problems: [],
      }));
      const keeps = (entry: LedgerEntry) => keep || entry.mustKeep;
      // The reports being deleted, said as they grow: first those known, then what a look-up found.
      const deleting: string[] = [];
      const sayDeleting = (ids: string[]) => {
        if (ids.length === 0) return;
        deleting.push(...ids);
        onDeleting?.([...deleting]);
      };
      const remove = async (settlement: Settlement, ids: string[]) => {
        if (ids.length === 0) return;
        const { deleted, failed } = await deleteReports(client, ids, bound.signal);
        if (settlement.reportId !== undefined && deleted.includes(settlement.reportId))
          settlement.deleted = true;
        for (const { id, problem } of failed) {
          settlement.leftBehind.push(id);
          settlement.problems.push(problem);
        }
      };
      const known = entries.map((entry) =>
        entry.reportId !== undefined && !keeps(entry) ? [entry.reportId] : [],
      );
      // Said before a look-up, which may take a while, even when no id is known yet.
      if (known.flat().length > 0 || entries.some((entry) => entry.unknown.attempts > 0))
        onDeleting?.(known.flat());
      deleting.push(...known.flat());
      await Promise.all(
        entries.map(async (entry, index) => {
          const settlement = settlements[index]!;
          // A known report is deleted at once, while its lost creates are looked for: a look-up
          // may take the whole bound, and a signal's bound is short.
          const deletingKnown = remove(settlement, known[index]!);
          const found =
            entry.unknown.attempts > 0
              ? await this.lookUp(client, entry, settlement, started, boundMs, bound.signal)
              : [];
          // A report whose create answered nothing but its marker found is the one the run used:
          // kept (with `keep`), or deleted, and the summary says which.
          if (settlement.reportId === undefined) settlement.reportId = found.shift()?.id;
          const doomed = found.map((report) => report.id);
          if (keeps(entry)) {
            if (settlement.reportId !== undefined) settlement.kept.push(settlement.reportId);
          } else if (settlement.reportId !== undefined && entry.reportId === undefined) {
            doomed.unshift(settlement.reportId);
          }
          sayDeleting(doomed);
          await Promise.all([deletingKnown, remove(settlement, doomed)]);
          // A report made under an id oq cannot address stays in Ongage, listed or not.
          for (const id of entry.unknown.unaddressable ?? [])
            if (!settlement.leftBehind.includes(id)) settlement.leftBehind.push(id);
        }),
      );
      return settlements;
    } finally {
      bound.done();
    }
  }

  /**
   * The clean-up's bound, in ms from `now`: cleanupTimeoutMs, or less once the run was stopped,
   * what is left of the bound after a signal (the cleanup signal ends the clean-up then).
   */
  private boundMs(now: number): number {
    const boundMs = this.options.cleanupTimeoutMs ?? cleanupBoundMs;
    if (this.stoppedAt === undefined) return boundMs;
    return Math.max(0, Math.min(boundMs, this.stoppedAt + this.options.afterStop!.boundMs - now));
  }

  /**
   * The reports carrying the entry's marker other than the one it used: every create with an
   * unknown outcome may have made one, perhaps listed late. One that does not show up is named
   * by its marker in `settlement`, so that the user can find it should Ongage list it later.
   */
  private async lookUp(
    client: OngageClient,
    entry: LedgerEntry,
    settlement: Settlement,
    started: number,
    boundMs: number,
    signal: AbortSignal,
  ): Promise<ReportInfo[]> {
    const { marker, unknown, reportId } = entry;
    const reportList = this.options.reportList ?? "Ongage's list of reports";
    const expected = (reportId !== undefined ? 1 : 0) + unknown.unresolved;
    // Once a create went through, the server takes creates: an unanswered one may well have
    // made a report that Ongage lists late, so it is looked for longer (within the bound).
    const lookFor =
      reportId !== undefined ? Math.max(client.createLookupMs, lateListingMs) : client.createLookupMs;
    const until = Math.min(unknown.lastAt + lookFor, started + boundMs / 2);
    // Bounded as a whole (a dead server makes every list call time out), not only between looks.
    const lookupBound = timeoutSignal(
      client.clock,
      Math.max(0, until - client.clock.now()) + cleanupCallMs.timeoutMs,
    );
    try {
      const marked = await client.awaitReports((report) => carriesMarker(report.title, marker), {
        atLeast: expected,
        until,
        signal: AbortSignal.any([signal, lookupBound.signal]),
      });
      const others = marked.filter((report) => report.id !== reportId);
      // The report the run used is accounted for, listed or not; the unanswered creates are not.
      if (others.length < unknown.unresolved) {
        // Most likely nothing was made; but if Ongage lists it later, the user must know how to find it.
        settlement.unaccountedCreates = { marker, count: unknown.unresolved - others.length };
        settlement.problems.push(
          `a create that got no readable answer may have made a report that Ongage does not list yet: look in ${reportList} for a title starting with ${marker} and delete it`,
        );
      }
      return others;
    } catch (error) {
      settlement.unaccountedCreates = { marker, count: unknown.unresolved };
      settlement.problems.push(
        `could not look for the report${unknown.unresolved > 1 ? "s" : ""} an unanswered create may have made (${(error as Error).message}); look in ${reportList} for a title starting with ${marker}`,
      );
      return [];
    } finally {
      lookupBound.cancel();
    }
  }
}
