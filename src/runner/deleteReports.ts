import type { OngageClient } from "../client/client.js";
import type { Clock } from "../client/clock.js";
import { OngageError } from "../client/errors.js";

/**
 * Deletes reports one after another with the clean-up's client and signal (never the run's:
 * cleaning up must still happen after Ctrl-C or the deadline). A report already gone (404)
 * counts as deleted. Returns the ids deleted and, for the others, why not.
 */
export async function deleteReports(
  client: OngageClient,
  ids: readonly string[],
  signal: AbortSignal,
): Promise<{ deleted: string[]; failed: { id: string; problem: string }[] }> {
  const deleted: string[] = [];
  const failed: { id: string; problem: string }[] = [];
  for (const id of ids) {
    try {
      await client.deleteReport(id, signal).catch((error: unknown) => {
        if (!(error instanceof OngageError && error.status === 404)) throw error;
      });
      deleted.push(id);
    } catch (error) {
      failed.push({
        id,
        problem: `could not delete report ${id}: ${signal.aborted ? "the clean-up was cut short" : (error as Error).message}`,
      });
    }
  }
  return { deleted, failed };
}

/**
 * The signal a clean-up runs under: aborted after `boundMs`, or when `cleanupSignal` (a second
 * Ctrl-C) aborts. `done` stops the clock.
 */
export function cleanupBound(
  boundMs: number,
  cleanupSignal: AbortSignal | undefined,
  clock: Clock,
): { signal: AbortSignal; done: () => void } {
  const bound = new AbortController();
  const done = clock.after(boundMs, () => bound.abort());
  const signal = cleanupSignal ? AbortSignal.any([cleanupSignal, bound.signal]) : bound.signal;
  return { signal, done };
}
