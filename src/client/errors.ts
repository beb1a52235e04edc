export type OngageErrorKind =
  /** Ongage answered with an error (HTTP status, or metadata.error on a 200). */
  | "api"
  /** The connection failed or dropped. */
  | "network"
  /** No answer in time. */
  | "timeout"
  /** The caller aborted (Ctrl-C). */
  | "aborted"
  /** The answer was not what the API documents. */
  | "protocol"
  /** A report ended in a status other than completed. */
  | "report-failed"
  /** The client was set up wrongly (e.g. plain http to a remote host). */
  | "config";

/** Every failure of the client. Its message never contains a credential. */
export class OngageError extends Error {
  override name = "OngageError";
  readonly kind: OngageErrorKind;
  /** HTTP status, when there was a response. */
  readonly status: number | undefined;
  /** Ongage's payload.code, when it sent one. */
  readonly code: number | undefined;
  /** Ongage's payload.errors. */
  readonly errors: string[];
  /** How long the server asked to wait (Retry-After), in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(
    kind: OngageErrorKind,
    message: string,
    details: { status?: number; code?: number; errors?: string[]; retryAfterMs?: number | undefined } = {},
  ) {
    super(message);
    this.kind = kind;
    this.status = details.status;
    this.code = details.code;
    this.errors = details.errors ?? [];
    this.retryAfterMs = details.retryAfterMs;
  }

  /** Worth trying again (for requests that are safe to repeat). */
  get retryable(): boolean {
    if (this.kind === "network" || this.kind === "timeout") return true;
    if (this.kind !== "api") return false;
    // An error in the envelope of an HTTP 200 carries its real status as payload.code.
    const status = this.status !== undefined && this.status >= 400 ? this.status : this.code;
    return status !== undefined && (status === 429 || status >= 500);
  }

  /** Refused by the rate limit (429): the request was not carried out. */
  get rateLimited(): boolean {
    return this.status === 429 || (this.status === 200 && this.code === 429);
  }
}

/**
 * A credential that cannot be sent: a character an HTTP header cannot carry (a line break,
 * a control character, or one outside Latin-1). Names the header, never the value.
 */
export class CredentialError extends OngageError {
  constructor(readonly header: string) {
    super(
      "config",
      `the credential for the ${header} header has a character an HTTP header cannot carry (a line break, a control character, or one outside Latin-1)`,
    );
  }
}

/** A list id that is not one: Ongage's list ids are digits, and the id goes into the path. */
export class ListIdError extends OngageError {
  constructor(readonly listId: string) {
    super("config", `${JSON.stringify(listId)} is not a list id: Ongage list ids are digits, such as 12345`);
  }
}

/**
 * A report id that cannot be put in a request's path (isReportId): no request is sent. A
 * usage error when the user gave it; when the server did, the report cannot be addressed.
 */
export class ReportIdError extends OngageError {
  constructor(quotedId: string) {
    super(
      "config",
      `${quotedId} is not a report id oq can use: it would change the request's path (ids such as "." and ".." name other places), so no request was sent`,
    );
  }
}

/** The same error with `redactText` applied to every text it carries. */
export function redactError(error: OngageError, redactText: (text: string) => string): OngageError {
  return new OngageError(error.kind, redactText(error.message), {
    ...(error.status !== undefined ? { status: error.status } : {}),
    ...(error.code !== undefined ? { code: error.code } : {}),
    errors: error.errors.map(redactText),
    retryAfterMs: error.retryAfterMs,
  });
}
