export interface BackoffOptions {
  /** The first wait, in ms (default 500). */
  baseMs?: number;
  /** The longest wait, in ms (default 30 s). */
  maxMs?: number;
  /** How many times to try again (default 5). */
  retries?: number;
}

/**
 * How long to wait before try `attempt` (1-based): exponential with "full jitter" between half
 * and all of it, so that many clients do not retry in step; a Retry-After from the server wins.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, retryAfterMs?: number, random = Math.random): number {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 30_000;
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, 5 * 60_000) + Math.floor(random() * 250);
  const exponential = Math.min(max, base * 2 ** (attempt - 1));
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
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
