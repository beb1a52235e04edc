/**
 * Waits until `condition` holds, polling every 10 ms, or fails after `timeoutMs` (30 s: generous,
 * for a loaded machine). Tests wait for what they need this way, never with a fixed sleep.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
