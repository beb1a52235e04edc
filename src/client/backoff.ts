/**
 * When and how often a call is tried again. The defaults suit Ongage; tests shrink them.
 * Ongage counts calls per minute, so a 429 without Retry-After is waited out on a slower
 * schedule that spans more than that minute; and a DELETE, which is what keeps a run from
 * leaving a report behind, is tried harder than any other call.
 */
export interface BackoffOptions {
  /** The first wait after a 5xx, a timeout or a dropped connection, in ms (default 500). */
  baseMs?: number;
  /** The longest such wait, in ms (default 30 s). */
  maxMs?: number;
  /** How many times to try again (default 5). */
  retries?: number;
  /** The first wait after a 429 without Retry-After, in ms (default 5 s); it doubles each time. */
  rateLimitBaseMs?: number;
  /** The longest wait after a 429 without Retry-After, in ms (default 60 s). */
  rateLimitMaxMs?: number;
  /** How many times a DELETE answered 5xx is tried again (default 10: up to 2.5 minutes). */
  deleteRetries?: number;
  /**
   * How long a call answered 429 keeps trying, in ms (default 5 min, five of Ongage's one-minute
   * windows): from its first 429, or from the last call of this process the account served, if
   * later (SharedPatience). 429s are retried by time, not by count, so that a short Retry-After
   * does not use up the retries within seconds; and for that long, so that processes sharing a
   * busy account wait for each other's share of it rather than fail.
   */
  rateLimitPatienceMs?: number;
  /**
   * The same for a DELETE (default 150 s: two and a half windows), which must not leave a report
   * behind; it runs in the clean-up, whose bound (cleanupBoundMs) leaves room for it.
   */
  deleteRateLimitPatienceMs?: number;
}

/** The defaults of BackoffOptions. */
export const defaultBackoff: Required<BackoffOptions> = {
  baseMs: 500,
  maxMs: 30_000,
  retries: 5,
  rateLimitBaseMs: 5_000,
  rateLimitMaxMs: 60_000,
  deleteRetries: 10,
  rateLimitPatienceMs: 5 * 60_000,
  deleteRateLimitPatienceMs: 150_000,
};

/**
 * At the end of a run whose report was made, how long after the last create with an unknown
 * outcome its report is still looked for, in ms (at least createLookupMs): Ongage may list a
 * report late, and a run that made one report and maybe another should find both. Half the
 * clean-up's bound at most.
 */
export const lateListingMs = 60_000;

/**
 * How long the clean-up after a run (the look-up for lost creates and the final DELETEs) may
 * take, in ms: a DELETE's whole patience with 429s, plus the end's look-up for late-listed
 * reports (lateListingMs). So a DELETE that meets two full windows of 429s still gets its
 * report deleted.
 */
export const cleanupBoundMs = defaultBackoff.deleteRateLimitPatienceMs + lateListingMs;

/**
 * A clean-up call's clocks and tries after a timeout or a dropped connection: 3 tries of at
 * most 5 s of silence (10 s in all) each, so a server that went dead costs about 20 s per call.
 */
export const cleanupCallMs = { idleTimeoutMs: 5_000, timeoutMs: 10_000, retries: 2 };

/** One call's 429s so far: when the first came, and how many retries followed. */
export interface RateLimitRun {
  firstAt: number | undefined;
  retries: number;
}

/**
 * What a call's patience with 429s depends on beyond the call itself: a process's calls are
 * patient together. While the account serves some of them, a call refused meanwhile is waiting
 * its turn, not shut out, so its patience counts from the last one served.
 */
export interface SharedPatience {
  /** When the account last served one of the process's calls (on the client's clock). */
  servedAt?: number | undefined;
  /**
   * Wait past the patience, at the schedule's pace, until the caller's signal or deadline stops
   * the call: set while giving up would throw away finished work (a plan's finished parts).
   */
  holdOn?: boolean | undefined;
}

/**
 * The wait before trying a call answered 429 again, or undefined to give up: it keeps trying
 * until the patience (rateLimitPatienceMs, or deleteRateLimitPatienceMs for a DELETE) has passed
 * since its first 429 or since the account last served a call of the process (`shared`), and
 * the last wait ends when it does. Retry-After is the least it waits: for the first `retries`
 * tries exactly that; after them, never less than the rate-limit schedule, so that a short
 * Retry-After spreads the tries across the window rather than spending them at once.
 */
export function rateLimitWait(
  run: RateLimitRun,
  options: BackoffOptions,
  retryAfterMs: number | undefined,
  isDelete: boolean,
  now = Date.now(),
  random = Math.random,
  shared: SharedPatience = {},
): number | undefined {
  run.firstAt ??= now;
  const patience = isDelete
    ? (options.deleteRateLimitPatienceMs ?? defaultBackoff.deleteRateLimitPatienceMs)
    : (options.rateLimitPatienceMs ?? defaultBackoff.rateLimitPatienceMs);
  const left = shared.holdOn
    ? Infinity
    : Math.max(run.firstAt, shared.servedAt ?? -Infinity) + patience - now;
  if (left <= 0) return undefined;
  run.retries++;
  const scheduled = backoffDelay(run.retries, options, undefined, random, true);
  const early = run.retries <= (options.retries ?? defaultBackoff.retries);
  const wait =
    retryAfterMs === undefined
      ? scheduled
      : early
        ? backoffDelay(run.retries, options, retryAfterMs, random, true)
        : Math.max(retryAfterMs, scheduled);
  return Math.max(Math.min(wait, left), Math.min(retryAfterMs ?? 0, 5 * 60_000));
}

/**
 * How long to wait before try `attempt` (1-based): exponential, with jitter so that many
 * clients do not retry in step. A Retry-After from the server wins. After a 429 without one,
 * the wait is on the rate-limit schedule and never shorter than three quarters of it, so that
 * the retries of one call span more than Ongage's one-minute window (5+10+20+40+60 s).
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  retryAfterMs?: number,
  random = Math.random,
  rateLimited = false,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, 5 * 60_000) + Math.floor(random() * 250);
  if (rateLimited) {
    const exponential = Math.min(
      options.rateLimitMaxMs ?? defaultBackoff.rateLimitMaxMs,
      (options.rateLimitBaseMs ?? defaultBackoff.rateLimitBaseMs) * 2 ** (attempt - 1),
    );
    return Math.floor(exponential * (0.75 + random() * 0.25));
  }
  const exponential = Math.min(
    options.maxMs ?? defaultBackoff.maxMs,
    (options.baseMs ?? defaultBackoff.baseMs) * 2 ** (attempt - 1),
  );
  return Math.floor(exponential / 2 + random() * (exponential / 2));
}

/** Retry-After as seconds or an HTTP date, in ms. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
