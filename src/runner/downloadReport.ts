import type { OngageClient } from "../client/client.js";
import { backoffDelay } from "../client/backoff.js";
import { OngageError } from "../client/errors.js";
import type { CsvRecordCounter } from "./csvCounter.js";
import { CsvDownload, CsvSaveError, type CsvDestination } from "./csvOutput.js";

interface DownloadOptions {
  client: OngageClient;
  reportId: string;
  destination: CsvDestination;
  detailed?: boolean;
  /** The columns the CSV must have (the report's selected fields), when known. */
  columns?: readonly string[] | undefined;
  signal?: AbortSignal | undefined;
  /** How many times a download cut off midway is started again (default 3). */
  retries?: number;
  onChunk?: (counter: CsvRecordCounter) => void;
  /** Told just before the complete CSV goes to its destination (e.g. to clear a progress line). */
  onSaving?: () => void;
}

/**
 * Downloads a completed report's CSV into a temporary file and only then to its destination,
 * starting again when the connection drops or the body stops mid-row. A body that is not a CSV
 * (of `columns`, when given) fails at once; so does a local failure (CsvSaveError: disk full, folder gone, stdout closed),
 * which another download could not mend.
 */
export async function downloadReport(options: DownloadOptions): Promise<{ bytes: number; rows: number }> {
  const { client, reportId, signal } = options;
  const retries = options.retries ?? 3;
  for (let attempt = 1; ; attempt++) {
    const file = new CsvDownload(options.destination, options.columns);
    try {
      file.open();
      const stream = await client.exportReport(reportId, {
        detailed: options.detailed ?? false,
        ...(signal ? { signal } : {}),
      });
      await file.receive(stream, options.onChunk, signal);
      options.onSaving?.();
      await file.commit();
      return { bytes: file.counter.bytes, rows: file.counter.rows };
    } catch (error) {
      await file.discard();
      if (signal?.aborted) stopped();
      if (error instanceof CsvSaveError) throw error;
      const retryable = !(error instanceof OngageError) || error.retryable;
      if (!retryable || attempt > retries) {
        if (error instanceof OngageError)
          throw attempt > 1
            ? new OngageError(error.kind, `${error.message} (tried ${attempt} times)`, error)
            : error;
        throw new OngageError(
          "network",
          `the download of report ${reportId} was cut off: ${(error as Error).message}`,
        );
      }
      await client.clock.sleep(backoffDelay(attempt, {}), signal).catch(stopped);
    }
  }
}

function stopped(): never {
  throw new OngageError("aborted", "stopped");
}
