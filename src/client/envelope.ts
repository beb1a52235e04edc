import type { z } from "zod";

/*
 * Ongage's replies: what the client reads of them. Their schemas (replySchemas.ts, with zod)
 * load when a reply is first read, not with the client: an export that goes well reads none.
 */

type Schemas = typeof import("./replySchemas.js");

export type ReportInfo = z.infer<Schemas["ReportSchema"]>;

let loading: Promise<Schemas> | undefined;

/** The schemas of Ongage's replies, loaded once. */
export function replySchemas(): Promise<Schemas> {
  return (loading ??= import("./replySchemas.js"));
}

/** What a report's status means: 1 pending, 2 completed, anything else a failure. */
export function reportState(status: number): "pending" | "completed" | "failed" {
  return status === 1 ? "pending" : status === 2 ? "completed" : "failed";
}
