/**
 * Bounds on what one compilation may cost, so that a service compiling untrusted queries
 * cannot be made to run out of time or stack. Exceeding one is a diagnostic, never a crash.
 */
export interface Limits {
  /** Longest accepted source, in characters. */
  maxSourceLength: number;
  /** Most tokens (words, values, operators) in one query. */
  maxTokens: number;
  /** Deepest nesting of parentheses and `not`. */
  maxDepth: number;
  /** Most diagnostics listed; past it they are counted in one closing OQ010. */
  maxDiagnostics: number;
  /**
   * Most reports one query plan may run (OQ242 beyond it). Ten is Ongage's limit of reports in
   * flight at once (docs/running.md), so a plan within it runs all its reports together.
   */
  maxReports: number;
}

/**
 * The most reports any plan can have: the merge keeps a contact's membership as one bit per
 * report in a 32-bit integer. `limits.maxReports` may not exceed it.
 */
export const maxPlanReports = 31;

export const defaultLimits: Limits = {
  maxSourceLength: 1_000_000,
  maxTokens: 100_000,
  maxDepth: 64,
  maxDiagnostics: 50,
  maxReports: 10,
};

/** The defaults with the overrides given; a limit given as `undefined` keeps its default. */
export function resolveLimits(overrides: Partial<Limits> | undefined): Limits {
  // Without overrides, the defaults themselves: no one changes a Limits once made.
  if (!overrides) return defaultLimits;
  const limits = { ...defaultLimits };
  for (const name of Object.keys(defaultLimits) as (keyof Limits)[]) {
    const value = overrides[name];
    if (value !== undefined) limits[name] = value;
  }
  return limits;
}
