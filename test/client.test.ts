import { describe, expect, it } from "vitest";
import { headerAuth, redact } from "../src/client/auth.js";
import { backoffDelay, parseRetryAfter } from "../src/client/backoff.js";
import { OngageClient, type ClientEvent } from "../src/client/client.js";
import { fetchTransport } from "../src/client/transport.js";
import { OngageError } from "../src/client/errors.js";
import { realClock } from "../src/client/clock.js";
import { RateLimiter } from "../src/client/limiter.js";
import { FakeClock } from "./support/fakeClock.js";
import { compile } from "../src/index.js";
import { CsvRecordCounter } from "../src/runner/csvCounter.js";
import { parseCliDuration } from "../src/runner/durations.js";
import { pollDelay } from "../src/runner/runReport.js";

const credentials = { username: "me", password: "hunter2-secret", accountCode: "ACME" };
const request = compile('title "T" opens > 1').payload!;

type Reply = { status?: number; body?: unknown; headers?: Record<string, string> } | Error;

/** A fetch that answers from a script, and records what it was asked. */
function scriptedFetch(replies: Reply[]) {
  const calls: { method: string; url: string; headers: Record<string, string> }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({ method: init.method ?? "GET", url, headers: init.headers as Record<string, string> });
    const reply = replies.shift() ?? {
      status: 500,
      body: { metadata: { error: true }, payload: { code: 500 } },
    };
    if (reply instanceof Error) throw reply;
    return new Response(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body), {
      status: reply.status ?? 200,
      headers: reply.headers ?? {},
    });
  }) as unknown as typeof fetch;
  return { fetchImpl, calls };
}

function client(replies: Reply[], events: ClientEvent[] = []) {
  const scripted = scriptedFetch(replies);
  const c = new OngageClient({
    auth: headerAuth(credentials),
    baseUrl: "https://api.example.test",
    listId: "42",
    transport: fetchTransport(scripted.fetchImpl),
    backoff: { baseMs: 1, maxMs: 5, retries: 3 },
    // One look for a report whose create's answer was lost, as these scripts have one answer each.
    createLookupMs: 0,
    onEvent: (event) => events.push(event),
  });
  return { client: c, calls: scripted.calls };
}

const ok = (payload: unknown, total?: number) => ({
  body: { metadata: { error: false, ...(total !== undefined ? { total } : {}) }, payload },
});
const dropped = () => Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNRESET" } });

describe("OngageClient", () => {
  it("sends the list id as the path prefix and the credentials as the three headers", async () => {
    const { client: c, calls } = client([ok({ id: 7, status: 1 })]);
    await c.createReport(request);
    expect(calls[0]!.url).toBe("https://api.example.test/42/api/contact_activity");
    expect(calls[0]!.headers).toMatchObject({
      X_USERNAME: "me",
      X_PASSWORD: "hunter2-secret",
      X_ACCOUNT_CODE: "ACME",
    });
  });

  it("accepts ids and statuses as strings or numbers", async () => {
    const { client: c } = client([
      ok({ id: 7, status: "1" }),
      ok({ id: "7", status: 2, status_desc: "Completed" }),
    ]);
    expect(await c.createReport(request)).toMatchObject({ id: "7", status: 1 });
    expect(await c.getReport("7")).toMatchObject({ id: "7", status: 2 });
  });

  it("treats metadata.error as an error even on HTTP 200, with Ongage's code and errors", async () => {
    const { client: c } = client([
      {
        status: 200,
        body: {
          metadata: { error: true },
          payload: { code: 412, message: "Precondition Failed", errors: ["title is required"] },
        },
      },
    ]);
    const error = await c.getReport("1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OngageError);
    expect(error).toMatchObject({ kind: "api", code: 412, errors: ["title is required"] });
  });

  it("retries GET on 503 and dropped connections, then succeeds", async () => {
    const events: ClientEvent[] = [];
    const { client: c, calls } = client(
      [{ status: 503, body: "" }, dropped(), ok({ id: "1", status: 2 })],
      events,
    );
    expect(await c.getReport("1")).toMatchObject({ status: 2 });
    expect(calls).toHaveLength(3);
    expect(events.filter((e) => e.type === "retry")).toHaveLength(2);
  });

  it("retries a GET whose JSON answer is cut off midway", async () => {
    const { Readable } = await import("node:stream");
    let calls = 0;
    const c = new OngageClient({
      auth: headerAuth(credentials),
      baseUrl: "https://api.example.test",
      backoff: { baseMs: 1, retries: 2 },
      transport: async () => {
        calls++;
        const body =
          calls === 1
            ? new Readable({
                read() {
                  this.push('{"metadata":');
                  this.destroy(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
                },
              })
            : Readable.from([
                JSON.stringify({ metadata: { error: false }, payload: { id: "1", status: "2" } }),
              ]);
        return { status: 200, header: () => null, body };
      },
    });
    expect(await c.getReport("1")).toMatchObject({ status: 2 });
    expect(calls).toBe(2);
  });

  it("treats an error envelope on HTTP 200 with code 503 as worth retrying", async () => {
    const { client: c, calls } = client([
      { status: 200, body: { metadata: { error: true }, payload: { code: 503, message: "busy" } } },
      ok({ id: "1", status: 2 }),
    ]);
    expect(await c.getReport("1")).toMatchObject({ status: 2 });
    expect(calls).toHaveLength(2);
  });

  it("honours Retry-After on 429", async () => {
    const events: ClientEvent[] = [];
    const { client: c } = client(
      [
        {
          status: 429,
          headers: { "retry-after": "0.2" },
          body: { metadata: { error: true }, payload: { code: 429 } },
        },
        ok({ id: "1", status: 2 }),
      ],
      events,
    );
    await c.getReport("1");
    const retry = events.find((e) => e.type === "retry") as Extract<ClientEvent, { type: "retry" }>;
    expect(retry.delayMs).toBeGreaterThanOrEqual(200);
  });

  it("does not retry a request Ongage refused (4xx other than 429)", async () => {
    const { client: c, calls } = client([
      { status: 412, body: { metadata: { error: true }, payload: { code: 412, errors: ["bad"] } } },
    ]);
    await expect(c.createReport(request)).rejects.toMatchObject({ status: 412 });
    expect(calls).toHaveLength(1);
  });

  it("after a create whose answer was lost, finds the report by title instead of creating another", async () => {
    const events: ClientEvent[] = [];
    const { client: c, calls } = client(
      [
        dropped(),
        ok(
          [
            { id: "99", title: "other", status: 1 },
            { id: "98", title: "T", status: 1 },
          ],
          2,
        ),
      ],
      events,
    );
    expect(await c.createReport(request)).toMatchObject({ id: "98" });
    expect(calls.map((call) => call.method)).toEqual(["POST", "GET"]);
    expect(events.some((e) => e.type === "create-recovered")).toBe(true);
  });

  it("creates again only when the lost create made nothing", async () => {
    const { client: c, calls } = client([dropped(), ok([], 0), ok({ id: "5", status: 1 })]);
    expect(await c.createReport(request)).toMatchObject({ id: "5" });
    expect(calls.map((call) => call.method)).toEqual(["POST", "GET", "POST"]);
  });

  it("never puts a credential in an error, even when the server echoes it", async () => {
    const { client: c } = client([
      {
        status: 401,
        body: { metadata: { error: true }, payload: { code: 401, message: "bad password hunter2-secret" } },
      },
    ]);
    const error = (await c.getReport("1").catch((e: unknown) => e)) as OngageError;
    expect(error.message).toContain("401");
    expect(error.message).not.toContain("hunter2-secret");
    expect(JSON.stringify(error)).not.toContain("hunter2-secret");
  });

  it("refuses plain http except to this machine", () => {
    expect(
      () => new OngageClient({ auth: headerAuth(credentials), baseUrl: "http://api.ongage.net" }),
    ).toThrow(/only https/);
    expect(
      () => new OngageClient({ auth: headerAuth(credentials), baseUrl: "http://127.0.0.1:8080" }),
    ).not.toThrow();
    expect(
      () => new OngageClient({ auth: headerAuth(credentials), baseUrl: "http://localhost:8080" }),
    ).not.toThrow();
  });
});

describe("rate limits", () => {
  it("keeps at most N calls in flight", async () => {
    const limiter = new RateLimiter(1000, 3);
    let active = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const permit = await limiter.acquire();
        active++;
        most = Math.max(most, active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active--;
        permit.release();
      }),
    );
    expect(most).toBe(3);
  });

  it("starts at most N calls per window", async () => {
    const limiter = new RateLimiter(4, 100, 300, realClock, 0);
    const started: number[] = [];
    const t0 = Date.now();
    await Promise.all(
      Array.from(
        { length: 6 },
        async () => ((await limiter.acquire()).release(), started.push(Date.now() - t0)),
      ),
    );
    expect(started.filter((t) => t < 250)).toHaveLength(4);
    expect(started.filter((t) => t >= 250)).toHaveLength(2);
  });
});

describe("a call's request sent again (permit.again)", () => {
  it("takes one more place in the window, none more in flight: with one call in flight it does not wait on itself", async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(2, 1, 60_000, clock, 0);
    const permit = await limiter.acquire();
    await permit.again();
    expect(limiter.callsInWindow).toBe(2);
    // Both places are held until a window after the answer.
    permit.release();
    clock.advance(59_999);
    expect(limiter.callsInWindow).toBe(2);
    clock.advance(1);
    expect(limiter.callsInWindow).toBe(0);
  });

  it("waits for the window when it is full, ahead of calls not yet started, and stops on its signal", async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(1, 5, 60_000, clock, 0);
    const permit = await limiter.acquire();
    const order: string[] = [];
    const resent = permit.again().then(() => order.push("again"));
    const next = limiter.acquire().then((other) => (order.push("next"), other.release()));
    await Promise.resolve();
    expect(order).toEqual([]);
    clock.advance(60_000);
    await resent;
    expect(order).toEqual(["again"]);
    permit.release();
    clock.advance(60_000);
    await next;
    expect(order).toEqual(["again", "next"]);

    const stopped = new AbortController();
    const full = new RateLimiter(1, 5, 60_000, new FakeClock(), 0);
    const waiting = (await full.acquire()).again(stopped.signal);
    stopped.abort(new Error("stopped"));
    await expect(waiting).rejects.toThrow("stopped");
  });
});

describe("helpers", () => {
  it("back-off grows exponentially with jitter, and Retry-After wins", () => {
    expect(backoffDelay(1, { baseMs: 1000 }, undefined, () => 0)).toBe(500);
    expect(backoffDelay(3, { baseMs: 1000 }, undefined, () => 0.999)).toBeLessThanOrEqual(4000);
    expect(backoffDelay(3, { baseMs: 1000 }, undefined, () => 0)).toBe(2000);
    expect(backoffDelay(10, { baseMs: 1000, maxMs: 8000 }, undefined, () => 1)).toBe(8000);
    expect(backoffDelay(1, {}, 3000, () => 0)).toBe(3000);
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
  });

  it("polls at the interval, then backs off gently, up to 15x the interval or 30 s", () => {
    expect([1, 5, 6, 10, 50].map((poll) => Math.round(pollDelay(poll, 1000)))).toEqual([
      1000, 1000, 1200, 2488, 15000,
    ]);
    expect(pollDelay(100, 2000)).toBe(30_000);
    expect(pollDelay(100, 200)).toBe(3000);
    expect(pollDelay(100, 60_000)).toBe(60_000);
  });

  it("reads command-line durations", () => {
    expect(parseCliDuration("200ms")).toBe(200);
    expect(parseCliDuration("2s")).toBe(2000);
    expect(parseCliDuration("30m")).toBe(1_800_000);
    expect(parseCliDuration("1h")).toBe(3_600_000);
    expect(parseCliDuration("1m30s")).toBe(90_000);
    expect(parseCliDuration("5x")).toBeUndefined();
  });

  it("counts CSV rows across chunks, with line breaks inside quotes", () => {
    const counter = new CsvRecordCounter();
    for (const chunk of ['email,note\r\na@x.com,"line one\r', '\nline two"\r\nb@x.com,', "plain\r\n"])
      counter.push(Buffer.from(chunk));
    expect(counter.rows).toBe(2);
    const unterminated = new CsvRecordCounter();
    unterminated.push(Buffer.from("h\r\n1\r\n2"));
    expect(unterminated.rows).toBe(2);
  });
});

describe("redaction of credentials that overlap", () => {
  // A password that starts with the username: were the shorter secret blanked out first, the
  // longer one would no longer match, and its tail would be printed (`***-battery-staple`).
  const username = "correct-horse";
  const password = "correct-horse-battery-staple";

  it("the longest secret goes first, whatever order the secrets are given in", () => {
    const said = `login failed for ${username} with ${password}`;
    for (const secrets of [
      [username, password],
      [password, username],
    ])
      expect(redact(said, secrets)).toBe("login failed for *** with ***");
  });

  it("an error the client throws quotes neither, nor any tail of the password", async () => {
    const client = new OngageClient({
      auth: headerAuth({ username, password, accountCode: "ACCT42" }),
      baseUrl: "http://127.0.0.1:9",
      backoff: { retries: 0 },
      transport: async () => {
        throw new Error(`refused for ${username}:${password} (${password}, ${username})`);
      },
    });
    const error = (await client.listFields().catch((caught: unknown) => caught)) as OngageError;
    expect(error).toBeInstanceOf(OngageError);
    expect(error.message).not.toMatch(/battery|staple|horse/);
  });
});
