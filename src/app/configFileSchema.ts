import { z } from "zod";
import { readJson } from "./readJsonFile.js";
import { UsageError } from "./usageError.js";

/**
 * oq.config.json: project settings, found in the working folder or any folder above it.
 * Credentials are not settings: they come from the environment only, so they stay out of git.
 */
const ConfigFile = z.strictObject({
  /** Path of the field schema file, relative to the config file. */
  schema: z.string().min(1).optional(),
  /** Ongage's undocumented request flags; both default to true, as every known client sends. */
  requestFlags: z
    .strictObject({ include_behavior: z.boolean().optional(), combined_as_and: z.boolean().optional() })
    .optional(),
  /** The API's address (default https://api.ongage.net); ONGAGE_BASE_URL and --base-url win. */
  baseUrl: z.url().optional(),
  /** The list; ONGAGE_LIST_ID and --list-id win. */
  listId: z.union([z.string().min(1), z.number().int().transform(String)]).optional(),
  /** Rate limits: Ongage's defaults are 300 calls a minute and 10 in flight; accounts differ. */
  callsPerMinute: z.number().int().positive().optional(),
  maxInFlight: z.number().int().positive().optional(),
  /** How long (ms) to look for a report whose create had an unknown outcome (default 15000; at most 5 min). */
  createLookupMs: z.number().int().nonnegative().max(300_000).optional(),
  /** How long a call answered 429 keeps trying, as a duration ("5m"); OQ_RATE_LIMIT_PATIENCE and --rate-limit-patience win. */
  rateLimitPatience: z.string().min(1).optional(),
  /** The window callsPerMinute counts over, in seconds (default 60, as Ongage counts). */
  rateWindowSeconds: z.number().positive().optional(),
  /** "headers" (X_USERNAME, X_PASSWORD, X_ACCOUNT_CODE; documented) or "api-key" (rumoured). */
  auth: z.enum(["headers", "api-key"]).optional(),
  /** The header for "api-key" auth (default x-api-key). */
  apiKeyHeader: z.string().min(1).optional(),
});
type ConfigFile = z.infer<typeof ConfigFile>;

export function readConfig(path: string): ConfigFile {
  const result = ConfigFile.safeParse(readJson(path, "config file"));
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `  ${issue.path.join(".") || "(top)"}: ${issue.message}`)
      .join("\n");
    throw new UsageError(`${path} is not a valid oq config:\n${problems}`);
  }
  return result.data;
}
