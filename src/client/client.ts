import { validateHeaderName, validateHeaderValue } from "node:http";
import type { ContactActivityRequest } from "../emit/payloadSchema.js";
import type { AuthScheme } from "./auth.js";
import {
  backoffDelay,
  cleanupCallMs,
  defaultBackoff,
  parseRetryAfter,
  rateLimitWait,
  type BackoffOptions,
  type RateLimitRun,
  type SharedPatience,
} from "./backoff.js";
import { PastEndError } from "./bodyUntilClosed.js";
import { drainStream, type ByteSink, type ByteSource } from "./byteSource.js";
import { CallTimer } from "./callTimer.js";
import { realClock, type Clock } from "./clock.js";
import { awaitReports, findLostCreate, mayHaveCreated, type UnknownCreates } from "./createRecovery.js";
import { replySchemas, type ReportInfo } from "./envelope.js";
import { CredentialError, ListIdError, OngageError, redactError, ReportIdError } from "./errors.js";
import { callFailure, httpError, parseEnvelope, parseReport, protocolError } from "./httpErrors.js";
import { RateLimiter, rateWindowMs } from "./limiter.js";
import { BadFramingError, CutShortError } from "./leanReader.js";
import { isListId } from "./listId.js";
import { markerOf } from "./reportMarker.js";
import { isReportId } from "./reportId.js";
import { Redaction, ServerText } from "./serverText.js";
import {
  maxJsonReplyBytes,
  nodeTransport,
  readText,
  type Transport,
  type TransportResponse,
} from "./transport.js";

export const defaultBaseUrl = "https://api.ongage.net";

export interface OngageClientOptions {
  auth: AuthScheme;
  /** Default https://api.ongage.net. Plain http is allowed for loopback hosts only. */
  baseUrl?: string;
  /** The list, sent as the path prefix; without one Ongage uses the account's default list. Digits only. */
  listId?: string;
  /** Ongage's documented default is 300; some accounts have more. */
  callsPerMinute?: number;
  /** The window callsPerMinute counts over, in ms (default 60 s; a small one is for tests). */
  rateWindowMs?: number;
  /** Ongage allows 10 calls in flight. */
  maxInFlight?: number;
  /** Retries of safe calls (GET, DELETE) on 429, 5xx, timeouts and dropped connections. */
  backoff?: BackoffOptions;
  /**
   * The longest a call may take, in ms (default 60 s): the whole exchange for a JSON call, the
   * wait for the headers for an export (whose body may take as long as it keeps coming).
   */
  timeoutMs?: number;
  /** The longest silence tolerated while waiting for an answer or reading its body, in ms (default 30 s). */
  idleTimeoutMs?: number;
  /** Told about every call and retry, e.g. for a verbose log. Never given a credential. */
  onEvent?: (event: ClientEvent) => void;
  /** How requests are sent; default node:http(s) with keep-alive. */
  transport?: Transport;
  /** Share another client's rate limits (see fork). */
  limiter?: RateLimiter;
  /**
   * After a create whose outcome is unknown, how long (ms) to keep looking for its report
   * before deciding it was not made (default 15 s): Ongage may list a new report late.
   */
  createLookupMs?: number;
  /** The time the client reads and waits on (back-off, call clocks, the rate window); default the real one. */
  clock?: Clock;
  /**
   * Asked when a call's patience with 429s has run out: while it says so, the call waits on
   * (until its signal stops it), as giving up would throw away finished work (runPlan's parts).
   */
  holdOn?: () => boolean;
}

export type ClientEvent =
  | { type: "call"; method: string; path: string; status: number | undefined; ms: number }
  | { type: "retry"; method: string; path: string; attempt: number; delayMs: number; reason: string }
  | { type: "create-recovered"; reportId: string; reason: string };

export interface ListReportsParams {
  sort?: string;
  order?: "ASC" | "DESC";
  offset?: number;
  limit?: number;
}

export interface ListFieldInfo {
  name: string;
  type: string;
  format?: string | undefined;
}

interface CallOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal | undefined;
  /** Safe to repeat: retried with back-off. */
  retry: boolean;
  /** Told when the request is handed to the network (after waiting for the rate limiter). */
  onSent?: () => void;
  /**
   * The call's success needs no payload, so a 2xx with no body at all (204, or 200 with nothing
   * or only white space) is one: nothing in it says otherwise.
   */
  bodyOptional?: boolean;
}

const loopbackHosts = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** One door per credentials, shared by a client's forks (working out its patterns takes milliseconds). */
const redactions = new WeakMap<AuthScheme, Redaction>();
function redactionOf(auth: AuthScheme): Redaction {
  let redaction = redactions.get(auth);
  if (!redaction) redactions.set(auth, (redaction = new Redaction(auth.secrets())));
  return redaction;
}

/**
 * A thin client for Ongage's contact-activity endpoints: auth, list id, the envelope, typed
 * errors, rate limits and careful retries. It never retries a create blindly: if a create may
 * have gone through, it looks for the report by title before trying again.
 */
export class OngageClient {
  readonly baseUrl: string;
  readonly listId: string | undefined;
  /** Calls made, retries included: for summaries and benchmarks. */
  calls = 0;
  private readonly limiter: RateLimiter;
  private readonly transport: Transport;
  /** The time it reads and waits on, which the runner shares. */
  readonly clock: Clock;
  /**
   * The one door for what the server says (serverText.ts): its credentials blank out every
   * credential in a text, and withhold the text when one is still in it. Everything oq prints
   * about this client's reports passes it.
   */
  readonly redaction: Redaction;

  constructor(private readonly options: OngageClientOptions) {
    const base = new URL(options.baseUrl ?? defaultBaseUrl);
    if (base.protocol !== "https:" && !(base.protocol === "http:" && loopbackHosts.test(base.hostname))) {
      throw new OngageError(
        "config",
        `refusing ${base.protocol}//${base.host}: only https is allowed, and plain http only for this machine (localhost)`,
      );
    }
    this.baseUrl = base.href.replace(/\/+$/, "");
    if (options.listId !== undefined && !isListId(options.listId)) throw new ListIdError(options.listId);
    this.listId = options.listId;
    checkHeaders(options.auth.headers());
    this.redaction = redactionOf(options.auth);
    this.clock = options.clock ?? realClock;
    this.limiter =
      options.limiter ??
      new RateLimiter(
        options.callsPerMinute ?? 300,
        options.maxInFlight ?? 10,
        options.rateWindowMs ?? rateWindowMs,
        this.clock,
      );
    this.transport = options.transport ?? nodeTransport(this.limiter.inFlight);
  }

  get maxInFlight(): number {
    return this.limiter.inFlight;
  }

  /** How long a report whose create had an unknown outcome is looked for (ms). */
  get createLookupMs(): number {
    return this.options.createLookupMs ?? 15_000;
  }

  /** A client with the same settings (but `overrides`) and the same rate limits, counting its own calls. */
  fork(
    overrides: Pick<OngageClientOptions, "timeoutMs" | "idleTimeoutMs" | "backoff" | "holdOn"> = {},
  ): OngageClient {
    return new OngageClient({
      ...this.options,
      ...overrides,
      limiter: this.limiter,
      transport: this.transport,
    });
  }

  /**
   * The client for a clean-up: the same, but a silent server is given up on sooner (shorter
   * clocks, fewer tries after a timeout), so that a dead server costs seconds, not minutes.
   * 429s and 5xx keep their patience: a server that answers "later" is worth waiting for.
   */
  forCleanup(): OngageClient {
    return this.fork({
      timeoutMs: Math.min(this.options.timeoutMs ?? 60_000, cleanupCallMs.timeoutMs),
      idleTimeoutMs: Math.min(this.options.idleTimeoutMs ?? 30_000, cleanupCallMs.idleTimeoutMs),
      backoff: {
        ...this.options.backoff,
        retries: Math.min(this.options.backoff?.retries ?? defaultBackoff.retries, cleanupCallMs.retries),
      },
    });
  }

  // ----- the six calls -----

  /**
   * POST /api/contact_activity. The title should be unique (start it with a marker, see
   * reportMarker.ts): it is how a create whose answer was lost or unreadable is recovered. Such
   * creates are counted in `unknown`, so that the caller can look for what they left behind.
   */
  async createReport(
    request: ContactActivityRequest,
    signal?: AbortSignal,
    unknown: UnknownCreates = { attempts: 0, unresolved: 0, lastAt: 0 },
  ): Promise<ReportInfo> {
    const retries = this.options.backoff?.retries ?? 5;
    const rateLimits: RateLimitRun = { firstAt: undefined, retries: 0 };
    for (let attempt = 1; ; attempt++) {
      let sent = false;
      let created: ReportInfo;
      try {
        created = await parseReport(
          await this.json("POST", "contact_activity", {
            body: request,
            signal,
            retry: false,
            onSent: () => (sent = true),
          }),
          this.redaction,
        );
      } catch (error) {
        const outcomeUnknown = sent && mayHaveCreated(error);
        if (outcomeUnknown) {
          unknown.attempts++;
          unknown.unresolved++;
          unknown.lastAt = this.clock.now();
        }
        if (!(error instanceof OngageError) || error.kind === "aborted") throw error;
        if (error.rateLimited) {
          // Refused by the rate limit: nothing was created, so trying again is safe.
          const delayMs = rateLimitWait(
            rateLimits,
            this.options.backoff ?? {},
            error.retryAfterMs,
            false,
            this.clock.now(),
            Math.random,
            this.sharedPatience(),
          );
          if (delayMs === undefined) throw error;
          await this.wait("POST", "contact_activity", rateLimits.retries, delayMs, error, signal);
          attempt--;
          continue;
        }
        if (!outcomeUnknown) throw error;
        // The create may have gone through with its answer lost or unreadable: look (for a
        // while, as Ongage may list it late) before anything else.
        const found = await findLostCreate(this, request, unknown, this.createLookupMs, signal, this.clock);
        if (found) {
          this.options.onEvent?.({ type: "create-recovered", reportId: found.id, reason: error.message });
          return found;
        }
        if (!error.retryable || attempt > retries) throw error;
        await this.pause("POST", "contact_activity", attempt, error, signal);
        continue;
      }
      if (!isReportId(created.id)) throw this.unaddressableCreate(created.id, request, unknown);
      return created;
    }
  }

  /**
   * A create answered with an id that cannot be put in a path (isReportId): a protocol error,
   * not tried again (it would make another such report). The report was made, but oq cannot
   * poll, export or delete it: it is recorded as such (`unknown.unaddressable`), so that the run's
   * clean-up names it to the user as left in Ongage.
   */
  private unaddressableCreate(
    id: string,
    request: ContactActivityRequest,
    unknown: UnknownCreates,
  ): OngageError {
    // Made for certain, so not one of the creates of unknown outcome: the clean-up names it as
    // left in Ongage whether or not the list shows it (its look-up still runs, and a listed one
    // is tried and refused like any other id oq cannot use).
    unknown.attempts++;
    (unknown.unaddressable ??= []).push(id);
    unknown.lastAt = this.clock.now();
    const marker = markerOf(request.title);
    return new OngageError(
      "protocol",
      this.redaction
        .line`Ongage answered the create with report id ${JSON.stringify(id)}, which cannot be put in a request's path: oq cannot poll, export or delete that report; delete it in Ongage (its title ${marker ? `starts with ${marker}` : `is ${JSON.stringify(request.title)}`})`,
    );
  }

  /** GET /api/contact_activity/ID: the report without results; status 1 pending, 2 completed. */
  async getReport(id: string, signal?: AbortSignal): Promise<ReportInfo> {
    return await parseReport(
      await this.json("GET", this.reportPath(id), { signal, retry: true }),
      this.redaction,
    );
  }

  /** GET /api/contact_activity: reports without results. */
  async listReports(
    params: ListReportsParams = {},
    signal?: AbortSignal,
  ): Promise<{ reports: ReportInfo[]; total: number | undefined }> {
    const { payload, total } = await this.envelope("GET", "contact_activity", {
      query: { ...params },
      signal,
      retry: true,
    });
    const parsed = (await replySchemas()).ReportListSchema.safeParse(
      Array.isArray(payload) && payload.length === 0 ? [] : payload,
    );
    if (!parsed.success)
      throw protocolError(
        "the report list in an unexpected shape",
        ServerText.from(parsed.error.message),
        this.redaction,
      );
    return { reports: parsed.data, total };
  }

  /**
   * DELETE /api/contact_activity/ID. Done on Ongage's envelope without an error, and on a 2xx
   * with no body at all; not on an error, or a body that cannot be read.
   */
  async deleteReport(id: string, signal?: AbortSignal): Promise<void> {
    await this.envelope("DELETE", this.reportPath(id), {
      signal,
      retry: true,
      bodyOptional: true,
    });
  }

  /**
   * GET .../export (aggregated) or .../export_detailed (one row per event): the CSV, to be
   * drained (once) into a sink. A failure before the body starts is retried; one during it is
   * the caller's to handle.
   */
  async exportReport(
    id: string,
    options: { detailed?: boolean; signal?: AbortSignal } = {},
  ): Promise<ByteSource> {
    const path = `${this.reportPath(id)}/${options.detailed ? "export_detailed" : "export"}`;
    return this.send("GET", path, { signal: options.signal, retry: true }, true, async (call) => {
      // (A compressed body is told by its bytes, in CsvDownload: a fetch transport decodes it.)
      const type = call.response.header("content-type")?.toLowerCase() ?? "";
      if (type.includes("html")) {
        call.release();
        call.response.body.destroy();
        throw new OngageError("protocol", "Ongage sent an HTML page instead of the CSV");
      }
      if (type.includes("json")) {
        // An error in Ongage's envelope on HTTP 200: its message, retried when its code says so.
        try {
          await parseEnvelope(await call.text(), call.response.status, this.redaction);
        } finally {
          call.release();
        }
        throw new OngageError("protocol", "Ongage sent JSON instead of the CSV");
      }
      return call.watchedBody();
    });
  }

  /** GET /api/list_fields: the list's fields and their types. */
  async listFields(signal?: AbortSignal): Promise<ListFieldInfo[]> {
    const { payload } = await this.envelope("GET", "list_fields", { signal, retry: true });
    const parsed = (await replySchemas()).ListFieldsSchema.safeParse(payload);
    if (!parsed.success)
      throw protocolError(
        "the list fields in an unexpected shape",
        ServerText.from(parsed.error.message),
        this.redaction,
      );
    return parsed.data;
  }

  /** The newest report with this title, if any (looks at the 200 newest). */
  async findReportByTitle(title: string, signal?: AbortSignal): Promise<ReportInfo | undefined> {
    for (let offset = 0; offset < 200; offset += 100) {
      const { reports } = await this.listReports({ sort: "id", order: "DESC", offset, limit: 100 }, signal);
      const found = reports.find((report) => report.title?.is(title));
      if (found || reports.length < 100) return found;
    }
    return undefined;
  }

  /**
   * The reports (newest first, among the 200 newest) that `matches` accepts, looked up again
   * and again until there are `atLeast` of them or the time `until` (ms since the epoch, on
   * the client's clock) has passed: Ongage may list a new report a few seconds after making it.
   */
  awaitReports(
    matches: (report: ReportInfo) => boolean,
    options: { atLeast: number; until: number; signal?: AbortSignal | undefined },
  ): Promise<ReportInfo[]> {
    return awaitReports(this, matches, { ...options, clock: this.clock });
  }

  // ----- plumbing -----

  /**
   * A report's path, the one place a report id goes into a request: an id that would change
   * the path (isReportId) is refused before anything is sent, whether the user gave it or the
   * server (a create's answer, a list).
   */
  private reportPath(id: string): string {
    if (!isReportId(id)) throw new ReportIdError(this.redaction.quote(JSON.stringify(id)));
    return `contact_activity/${encodeURIComponent(id)}`;
  }

  private url(path: string, query?: CallOptions["query"]): string {
    const prefix = this.listId ? `/${encodeURIComponent(this.listId)}` : "";
    const url = new URL(`${this.baseUrl}${prefix}/api/${path}`);
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    return url.href;
  }

  /** What a call's patience with 429s shares with the others of this process. */
  private sharedPatience(): SharedPatience {
    return { servedAt: this.limiter.lastServedAt, holdOn: this.options.holdOn?.() };
  }

  private async pause(
    method: string,
    path: string,
    attempt: number,
    error: OngageError,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.wait(
      method,
      path,
      attempt,
      backoffDelay(attempt, this.options.backoff ?? {}, error.retryAfterMs, Math.random, error.rateLimited),
      error,
      signal,
    );
  }

  private async wait(
    method: string,
    path: string,
    attempt: number,
    delayMs: number,
    error: OngageError,
    signal?: AbortSignal,
  ): Promise<void> {
    this.options.onEvent?.({
      type: "retry",
      method,
      path,
      attempt,
      delayMs,
      reason: this.redaction.blank(error.message),
    });
    await this.clock.sleep(delayMs, signal).catch(() => {
      throw new OngageError("aborted", "stopped");
    });
  }

  private async json(method: string, path: string, options: CallOptions): Promise<unknown> {
    return (await this.envelope(method, path, options)).payload;
  }

  /** A JSON call: the whole body read and its envelope opened, retried as one unit. */
  private envelope(
    method: string,
    path: string,
    options: CallOptions,
  ): Promise<{ payload: unknown; total: number | undefined }> {
    return this.send(method, path, options, false, async (call) => {
      try {
        const text = await call.text();
        if (options.bodyOptional && text.trim() === "") return { payload: undefined, total: undefined };
        return await parseEnvelope(text, call.response.status, this.redaction);
      } finally {
        call.release();
      }
    });
  }

  /**
   * One call, with its retries: sends it and hands a successful response to `consume`, which
   * must end the call (`release`, or reading its watched body to the end). Whatever it throws
   * has every credential redacted, in every property.
   *
   * When `options.retry`, 429s (on the rate-limit schedule), 5xx, timeouts and dropped
   * connections are tried again (see BackoffOptions); a DELETE hardest, since a report left
   * behind is the one failure the user has to clean up by hand. (A create retries 429s itself.)
   */
  private async send<T>(
    method: string,
    path: string,
    options: CallOptions,
    streaming: boolean,
    consume: (call: Call) => Promise<T>,
  ): Promise<T> {
    const backoff = this.options.backoff ?? {};
    const rateLimits: RateLimitRun = { firstAt: undefined, retries: 0 };
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await consume(await this.attempt(method, path, options, streaming));
        this.limiter.served();
        return result;
      } catch (caught) {
        const error = redactError(this.failure(method, path, caught, options.signal), (text) =>
          this.redaction.quote(text),
        );
        if (options.retry && error.rateLimited) {
          // 429s are retried by time (across Ongage's window), a DELETE's longest.
          const delayMs = rateLimitWait(
            rateLimits,
            backoff,
            error.retryAfterMs,
            method === "DELETE",
            this.clock.now(),
            Math.random,
            this.sharedPatience(),
          );
          if (delayMs === undefined) throw error;
          await this.wait(method, path, rateLimits.retries, delayMs, error, options.signal);
          attempt--;
          continue;
        }
        // A server that answers "later" (5xx) to a DELETE gets more patience; a silent one
        // does not, as each of those tries costs a whole timeout.
        const hardest = method === "DELETE" && error.kind === "api";
        const retries = hardest
          ? (backoff.deleteRetries ?? defaultBackoff.deleteRetries)
          : (backoff.retries ?? defaultBackoff.retries);
        if (!options.retry || !error.retryable || attempt > retries) throw error;
        await this.pause(method, path, attempt, error, options.signal);
      }
    }
  }

  private async attempt(
    method: string,
    path: string,
    options: CallOptions,
    streaming: boolean,
  ): Promise<Call> {
    const permit = await this.limiter.acquire(options.signal).catch(() => {
      throw new OngageError("aborted", "stopped");
    });
    const started = this.clock.now();
    const timer = new CallTimer(
      this.options.idleTimeoutMs ?? 30_000,
      this.options.timeoutMs ?? 60_000,
      options.signal,
      this.clock,
    );
    let response: TransportResponse;
    this.calls++;
    options.onSent?.();
    try {
      response = await this.transport({
        method,
        url: this.url(path, options.query),
        headers: {
          ...this.options.auth.headers(),
          accept: streaming ? "text/csv, */*" : "application/json",
          ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
        },
        body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
        signal: timer.signal,
        onActivity: () => timer.touch(),
        closeAfter: streaming,
        beforeResend: async () => {
          // Waiting for a place in the window is not the server's silence.
          timer.pause();
          await permit.again(options.signal);
          timer.restart();
          this.calls++;
        },
      });
    } catch (error) {
      timer.stop();
      permit.release();
      this.options.onEvent?.({
        type: "call",
        method,
        path,
        status: undefined,
        ms: this.clock.now() - started,
      });
      throw this.failure(method, path, error, options.signal, timer);
    }
    permit.answered();
    this.options.onEvent?.({
      type: "call",
      method,
      path,
      status: response.status,
      ms: this.clock.now() - started,
    });
    const release = () => {
      timer.stop();
      permit.release();
    };
    // A JSON reply is read whole, so it is bounded; an export is streamed (watchedBody), and is not.
    const text = () =>
      readText(response.body, () => timer.touch(), maxJsonReplyBytes).catch((error: unknown) => {
        throw this.failure(method, path, error, options.signal, timer, true);
      });
    if (response.status < 200 || response.status >= 300) {
      const body = await text().catch(() => "");
      release();
      throw await httpError(
        method,
        path,
        response.status,
        body,
        this.redaction,
        parseRetryAfter(response.header("retry-after"), this.clock.now()),
      );
    }
    // A download may take as long as it keeps coming; only silence ends it.
    if (streaming) timer.endDeadline();
    return {
      response,
      release,
      text,
      watchedBody: () => this.watchedBody(method, path, response, timer, release, options.signal),
    };
  }

  /**
   * An export's body, drained into a sink: every chunk restarts the idle timer; the body fails
   * with a clear timeout error when the server falls silent, and when it is not as long as its
   * Content-Length (`announced`) says, whatever the transport; the call ends when it is done.
   * The lean reader (leanReader.ts) hands its chunks straight over; any other transport's
   * stream is read the same way (drainStream).
   */
  private watchedBody(
    method: string,
    path: string,
    response: TransportResponse,
    timer: CallTimer,
    release: () => void,
    signal: AbortSignal | undefined,
  ): ByteSource {
    const host = new URL(this.baseUrl).host;
    const announced = announcedLength(response);
    let received = 0;
    let drained = false;
    return {
      drain: async (sink) => {
        if (drained) throw new Error("an export's body is read once");
        drained = true;
        let sinkError: { error: unknown } | undefined;
        const counting: ByteSink = (chunk) => {
          received += chunk.length;
          timer.touch();
          try {
            sink(chunk);
          } catch (error) {
            sinkError = { error };
            throw error;
          }
        };
        try {
          await new Promise<void>((resolve, reject) => {
            timer.whenExpired(() => reject(this.failure(method, path, new Error("idle"), signal, timer)));
            (response.drain
              ? response.drain(counting)
              : drainStream(response.body, counting, timer.signal)
            ).then(resolve, reject);
          });
        } catch (error) {
          if (sinkError) throw sinkError.error;
          if (error instanceof PastEndError)
            throw new OngageError("protocol", `${method} ${path}: ${host} ${error.message}`);
          if (error instanceof CutShortError || error instanceof BadFramingError)
            throw new OngageError(
              "network",
              `${method} ${path}: the answer from ${host} was cut short (${error.message})`,
            );
          throw this.failure(method, path, error, signal, timer, true);
        } finally {
          release();
          if (!response.drain) response.body.destroy();
        }
        if (announced === undefined || received === announced) return;
        throw received < announced
          ? new OngageError(
              "network",
              `${method} ${path}: the answer from ${host} was cut short (${received} of the ${announced} bytes its Content-Length announced)`,
            )
          : new OngageError(
              "protocol",
              `${method} ${path}: ${host} sent ${received} bytes where its Content-Length announced ${announced}`,
            );
      },
    };
  }

  /** Any failure of a call as an OngageError that says what happened (see callFailure). */
  private failure(
    method: string,
    path: string,
    error: unknown,
    signal?: AbortSignal,
    timer?: CallTimer,
    answered = false,
  ): OngageError {
    const call = { method, path, host: new URL(this.baseUrl).host, redaction: this.redaction };
    return callFailure(call, error, signal, timer, answered);
  }
}

/**
 * The body's length as its Content-Length announces it, when the body handed over is the one it
 * counts (not one a transport decoded: fetch undoes the compression it asked for) and the
 * header counts at all (a chunked body's length is its chunks').
 */
function announcedLength(response: TransportResponse): number | undefined {
  const encoding = response.header("content-encoding")?.trim().toLowerCase();
  if ((encoding && encoding !== "identity") || response.header("transfer-encoding")) return undefined;
  const length = response.header("content-length")?.trim();
  return length && /^\d+$/.test(length) ? Number(length) : undefined;
}

/** A response being consumed: `text` reads it all, `watchedBody` drains it; either way, `release` ends the call. */
interface Call {
  response: TransportResponse;
  release: () => void;
  text: () => Promise<string>;
  watchedBody: () => ByteSource;
}

/** Refuses, before any call, a header no request could carry, naming the header and never the value. */
function checkHeaders(headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    try {
      validateHeaderName(name);
    } catch {
      throw new OngageError("config", `${JSON.stringify(name)} cannot be the name of an HTTP header`);
    }
    try {
      validateHeaderValue(name, value);
    } catch {
      throw new CredentialError(name);
    }
  }
}
