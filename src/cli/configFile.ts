import { z } from "zod";
import { readJson } from "./config.js";
import { UsageError } from "./usageError.js";

/** oq.config.json: project settings, found in the working folder or any folder above it. */
export const ConfigFile = z.strictObject({
  /** Path of the field schema file, relative to the config file. */
  schema: z.string().min(1).optional(),
  /** Ongage's undocumented request flags; both default to true, as every known client sends. */
  requestFlags: z.strictObject({ include_behavior: z.boolean().optional(), combined_as_and: z.boolean().optional() }).optional(),
});
export type ConfigFile = z.infer<typeof ConfigFile>;

export function readConfig(path: string): ConfigFile {
  const result = ConfigFile.safeParse(readJson(path, "config file"));
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join(".") || "(top)"}: ${issue.message}`).join("\n");
    throw new UsageError(`${path} is not a valid oq config:\n${problems}`);
  }
  return result.data;
}
