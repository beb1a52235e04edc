/** A mistake in how oq was invoked (exit status 2), as opposed to a mistake in a query (1). */
export class UsageError extends Error {
  override name = "UsageError";
}
