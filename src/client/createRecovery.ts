import type { ContactActivityRequest } from "../emit/payloadSchema.js";
import type { ReportInfo } from "./envelope.js";
import { OngageError } from "./errors.js";
import { carriesMarker, markerOf } from "./reportMarker.js";
import { isReportId } from "./reportId.js";
import { realClock, type Clock } from "./clock.js";

/*
 * Create recovery: a create whose answer was lost or unreadable may still have made its report.
 * Such a report is found by the marker at the start of its title (reportMarker.ts), looked for
 * again and again for a while, as Ongage may list a new report late.
 */

/**
 * Creates whose outcome oq does not know (the request went out, no readable answer came
 * back): how many there were, how many are still unaccounted for, and when the last one ended.
 */
export interface UnknownCreates {
  attempts: number;
  unresolved: number;
  lastAt: number;
  /** Reports a create made whose id cannot be put in a path: made, and never deletable by oq. */
  unaddressable?: string[];
}

/** What the look-up needs of a client: one page of the report list. */
interface ReportLister {
  listReports(
    params: { sort: string; order: "DESC"; offset: number; limit: number },
    signal?: AbortSignal,
  ): Promise<{ reports: ReportInfo[] }>;
}

/** Whether a create that failed this way could still have made the report. */
export function mayHaveCreated(error: unknown): boolean {
  if (!(error instanceof OngageError)) return true;
  if (error.kind === "api") return error.retryable && !error.rateLimited;
  return (
    error.kind === "aborted" ||
    error.kind === "network" ||
    error.kind === "timeout" ||
    error.kind === "protocol"
  );
}

/**
 * The reports (newest first, among the 200 newest) that `matches` accepts, looked up again
 * and again until there are `atLeast` of them or the time `until` (ms since the epoch, on
 * `clock`) has passed: Ongage may list a new report a few seconds after making it.
 */
export async function awaitReports(
  lister: ReportLister,
  matches: (report: ReportInfo) => boolean,
  options: { atLeast: number; until: number; signal?: AbortSignal | undefined; clock?: Clock },
): Promise<ReportInfo[]> {
  const clock = options.clock ?? realClock;
  for (let look = 1; ; look++) {
    const found: ReportInfo[] = [];
    for (let offset = 0; offset < 200; offset += 100) {
      const { reports } = await lister.listReports(
        { sort: "id", order: "DESC", offset, limit: 100 },
        options.signal,
      );
      found.push(...reports.filter(matches));
      if (reports.length < 100) break;
    }
    const left = options.until - clock.now();
    if (found.length >= options.atLeast || left <= 0) return found;
    await clock.sleep(Math.min(left, 250 * 2 ** Math.min(look - 1, 3)), options.signal).catch(() => {
      throw new OngageError("aborted", "stopped");
    });
  }
}

/**
 * After a create with an unknown outcome (already counted in `unknown`): the report it may have
 * made, found by the request's marker (or whole title, without one) within `lookupMs` of the
 * last such create; undefined if it does not show up. A report found is accounted for.
 */
export async function findLostCreate(
  lister: ReportLister,
  request: ContactActivityRequest,
  unknown: UnknownCreates,
  lookupMs: number,
  signal: AbortSignal | undefined,
  clock: Clock,
): Promise<ReportInfo | undefined> {
  const marker = markerOf(request.title);
  // A report whose id cannot be put in a path (isReportId) is no recovery: oq could not use it;
  // it stays unaccounted for, and the run's clean-up names it.
  const matches = (report: ReportInfo) =>
    isReportId(report.id) &&
    (marker ? carriesMarker(report.title, marker) : report.title?.is(request.title) === true);
  const [found] = await awaitReports(lister, matches, {
    atLeast: 1,
    until: unknown.lastAt + lookupMs,
    signal,
    clock,
  });
  if (found) unknown.unresolved--;
  return found;
}
