import { listenForAbort } from "./abortListener.js";

/** Waits `ms`; rejects with the signal's reason as soon as `signal` aborts. */
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
