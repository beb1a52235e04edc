import type { Readable } from "node:stream";
import { listenForAbort } from "./abortListener.js";

/**
 * Takes a body's bytes as they arrive, synchronously: the chunk's memory may be reused once it
 * returns (the lean reader reads every chunk into one buffer). What it throws ends the body.
 */
export type ByteSink = (chunk: Buffer) => void;

/** A body read once, into a sink: resolves once it has ended whole, rejects otherwise. */
export interface ByteSource {
  drain(sink: ByteSink): Promise<void>;
}

/**
 * A stream read into `sink`, as a ByteSource reads: resolves at its end, rejects with its error,
 * with what `sink` threw (the stream destroyed), or when `signal` aborts (the stream destroyed).
 */
export function drainStream(stream: Readable, sink: ByteSink, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      stopListening();
      stream.destroy();
      reject(error);
    };
    const stopListening = listenForAbort(signal, () => fail(signal!.reason));
    if (signal?.aborted) return fail(signal.reason);
    stream.on("data", (chunk: Buffer) => {
      if (failed) return;
      try {
        sink(chunk);
      } catch (error) {
        fail(error);
      }
    });
    stream.once("error", fail);
    stream.once("end", () => {
      if (failed) return;
      stopListening();
      resolve();
    });
  });
}
