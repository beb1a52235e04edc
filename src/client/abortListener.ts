/**
 * Calls `onAbort` once if `signal` aborts; returns the function that stops listening.
 *
 * It listens through a signal of its own that follows `signal` (AbortSignal.any), not on
 * `signal` itself: one run's signal is shared by every query and every call waiting at once,
 * and one listener each on it is what set off MaxListenersExceededWarning past ten queries.
 */
export function listenForAbort(signal: AbortSignal | undefined, onAbort: () => void): () => void {
  if (!signal) return () => undefined;
  const follower = followerOf(signal);
  follower.addEventListener("abort", onAbort, { once: true });
  return () => follower.removeEventListener("abort", onAbort);
}

/** A signal that aborts when `signal` does, for an API that will listen on it (such as pipeline). */
function followerOf(signal: AbortSignal): AbortSignal {
  return AbortSignal.any([signal]);
}
