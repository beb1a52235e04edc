import { listenForAbort } from "./abortListener.js";

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
  /** How many times a DELETE answered 429 or 5xx is tried again (default 10: 5 to 7 minutes of 429s, up to 2.5 of 5xx). */
  deleteRetries?: number;
}

/** The defaults of BackoffOptions. */
export const defaultBackoff: Required<BackoffOptions> = {
  baseMs: 500,
  maxMs: 30_000,
  retries: 5,
  rateLimitBaseMs: 5_000,
  rateLimitMaxMs: 60_000,
  deleteRetries: 10,
};

/**
 * How long to wait before try `attempt` (1-based): exponential, with jitter so that many
 * clients do not retry in step. A Retry-After from the server wins. After a 429 without one,
 * the wait is on the rate-limit schedule and never shorter than three quarters of it, so that
 * the retries of one call span more than Ongage's one-minute window (5+10+20+40+60 s).
 */
export function backoffDelay(attempt: number, options: BackoffOptions, retryAfterMs?: number, random = Math.random, rateLimited = false): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, 5 * 60_000) + Math.floor(random() * 250);
  if (rateLimited) {
    const exponential = Math.min(options.rateLimitMaxMs ?? defaultBackoff.rateLimitMaxMs, (options.rateLimitBaseMs ?? defaultBackoff.rateLimitBaseMs) * 2 ** (attempt - 1));
    return Math.floor(exponential * (0.75 + random() * 0.25));
  }
  const exponential = Math.min(options.maxMs ?? defaultBackoff.maxMs, (options.baseMs ?? defaultBackoff.baseMs) * 2 ** (attempt - 1));
  return Math.floor(exponential / 2 + random() * (exponential / 2));
}

/** Retry-After as seconds or an HTTP date, in ms. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      stopListening();
      resolve();
    }, ms);
    const stopListening = listenForAbort(signal, () => {
      clearTimeout(timer);
      reject(signal!.reason);
    });
  });
}
