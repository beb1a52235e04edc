import type { CallTimer } from "./callTimer.js";
import { longestServerText } from "./echoedSecrets.js";
import { replySchemas, type ReportInfo } from "./envelope.js";
import { OngageError } from "./errors.js";
import { ReplyTooLarge } from "./transport.js";
import { ServerText, type Redaction } from "./serverText.js";

/*
 * What went wrong with a call, as an OngageError that says it: an HTTP error status, an error
 * in Ongage's envelope, an answer that is not what the API documents, a clock that ran out, a
 * connection that failed. Whatever the server said is quoted only through the client's
 * Redaction (serverText.ts): redacted, or withheld when a credential is still in it.
 */

/**
 * `what` says what came ("a report in an unexpected shape", "a reply that is not JSON");
 * `detail`, what the reply held (an excerpt, what the schema found in it), is quoted through
 * the door (redacted before it is shortened, so that no part of a secret is cut out of reach),
 * on one line.
 */
export function protocolError(
  what: string,
  detail: ServerText,
  redaction: Redaction,
  longest = 300,
): OngageError {
  const said = detail.redactedBy(redaction).replace(/\s+/g, " ").slice(0, longest);
  return new OngageError("protocol", `Ongage sent ${what}: ${said}`);
}

export async function parseReport(payload: unknown, redaction: Redaction): Promise<ReportInfo> {
  const parsed = (await replySchemas()).ReportSchema.safeParse(payload);
  if (!parsed.success)
    throw protocolError("a report in an unexpected shape", ServerText.from(parsed.error.message), redaction);
  return parsed.data;
}

async function errorDetails(
  payload: unknown,
): Promise<{ code?: number; message?: string; errors: string[] }> {
  const parsed = (await replySchemas()).ErrorPayloadSchema.safeParse(payload);
  if (!parsed.success) return { errors: [] };
  const raw = parsed.data.errors ?? [];
  const errors = (
    Array.isArray(raw) ? raw : Object.entries(raw).map(([key, value]) => `${key}: ${String(value)}`)
  ).map((e) => (typeof e === "string" ? e : JSON.stringify(e)));
  const result: { code?: number; message?: string; errors: string[] } = { errors };
  if (parsed.data.code !== undefined) result.code = parsed.data.code;
  if (parsed.data.message !== undefined) result.message = parsed.data.message;
  return result;
}

/** Ongage's words (message, errors) as an error may quote them: redacted, or withheld if a credential is still in them. */
function quoted(text: string, redaction: Redaction): string {
  return ServerText.from(text).redactedBy(redaction);
}

/** An answer with an HTTP error status (`text`: its body, perhaps Ongage's envelope). */
export async function httpError(
  method: string,
  path: string,
  status: number,
  text: string,
  redaction: Redaction,
  retryAfterMs: number | undefined,
): Promise<OngageError> {
  let details: Awaited<ReturnType<typeof errorDetails>> = { errors: [] };
  let payload: unknown;
  try {
    payload = (JSON.parse(text) as { payload?: unknown }).payload;
  } catch {
    // Not Ongage's envelope (a proxy's error page, say): the status says enough.
  }
  if (payload !== undefined) details = await errorDetails(payload);
  const said = quoted([details.message, ...details.errors].filter(Boolean).join("; "), redaction);
  const message = redaction.blank(`${method} ${path}: Ongage answered ${status}${said ? `: ${said}` : ""}`);
  const extra: { status: number; code?: number; errors: string[]; retryAfterMs: number | undefined } = {
    status,
    errors: details.errors.map((e) => quoted(e, redaction)),
    retryAfterMs,
  };
  if (details.code !== undefined) extra.code = details.code;
  return new OngageError("api", message, extra);
}

/** A successful answer's body opened: its payload, or the error its envelope holds (even on HTTP 200). */
export async function parseEnvelope(
  text: string,
  status: number,
  redaction: Redaction,
): Promise<{ payload: unknown; total: number | undefined }> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw protocolError(
      "a reply that is not JSON",
      ServerText.from(text.slice(0, longestServerText)),
      redaction,
      200,
    );
  }
  const parsed = (await replySchemas()).EnvelopeSchema.safeParse(json);
  if (!parsed.success)
    throw protocolError(
      "a reply without its envelope (metadata and payload)",
      ServerText.from(parsed.error.message),
      redaction,
    );
  const { metadata, payload } = parsed.data;
  if (metadata.error) {
    // An error even on HTTP 200.
    const details = await errorDetails(payload);
    const said = quoted([details.message, ...details.errors].filter(Boolean).join("; "), redaction);
    const extra: { status: number; code?: number; errors: string[] } = {
      status,
      errors: details.errors.map((e) => quoted(e, redaction)),
    };
    if (details.code !== undefined) extra.code = details.code;
    throw new OngageError(
      "api",
      redaction.blank(`Ongage reported an error${said ? `: ${said}` : ""}`),
      extra,
    );
  }
  return { payload, total: "total" in metadata ? (metadata.total as number | undefined) : undefined };
}

function megabytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

/**
 * Any failure of a call to `host` as an OngageError that says what happened. `answered`: the
 * server's answer had begun (its headers came), so a dropped connection cut the answer short;
 * the server was reached.
 */
export function callFailure(
  call: { method: string; path: string; host: string; redaction: Redaction },
  error: unknown,
  signal?: AbortSignal,
  timer?: CallTimer,
  answered = false,
): OngageError {
  if (error instanceof OngageError) return error;
  if (signal?.aborted) return new OngageError("aborted", "stopped");
  const { method, path, host } = call;
  if (error instanceof ReplyTooLarge) {
    return new OngageError(
      "protocol",
      `${method} ${path}: ${host} sent a reply of more than ${megabytes(error.limitBytes)}, far more than any answer of Ongage's; oq stopped reading it`,
    );
  }
  if (timer?.expired === "idle") {
    return new OngageError(
      "timeout",
      `${method} ${path}: ${host} sent nothing for ${seconds(timer.idleMs)} (the idle timeout)`,
    );
  }
  if (timer?.expired === "deadline") {
    return new OngageError(
      "timeout",
      `${method} ${path}: ${host} did not answer in full within ${seconds(timer.deadlineMs)} (the call's time limit)`,
    );
  }
  const { code, cause } = error as { code?: string; cause?: { code?: string; message?: string } };
  const reason = code ?? cause?.code ?? cause?.message ?? String(error);
  const what = answered ? `the answer from ${host} was cut short` : `could not reach ${host}`;
  return new OngageError("network", call.redaction.blank(`${method} ${path}: ${what} (${reason})`));
}
