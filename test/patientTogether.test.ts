import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { connect } from "../src/app/connection.js";
import { UsageError } from "../src/app/usageError.js";
import { headerAuth } from "../src/client/auth.js";
import { defaultBackoff } from "../src/client/backoff.js";
import { OngageClient, type ClientEvent } from "../src/client/client.js";
import { sleepOn } from "../src/client/clock.js";
import { OngageError } from "../src/client/errors.js";
import type { Transport, TransportRequest } from "../src/client/transport.js";
import { runPlan } from "../src/runner/runPlan.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { FakeClock } from "./support/fakeClock.js";
import { fakeTimeSandbox, gmailOrOpenersPlan, outFolder } from "./support/inProcess.js";
import { testCredentials } from "./support/sandbox.js";
import { drainedText } from "./support/drainedText.js";

/*
 * Processes and parts sharing one busy Ongage account wait for each other rather than fail
 * (docs/running.md, "When things go wrong": 429): a call's patience with 429s outlasts another
 * process holding the account for minutes; it counts from the last call of its own process the
 * account served; and a plan's part does not give up while other parts' finished work is at
 * stake. On a fake clock, wait by wait, with the jitter at its least (Math.random 0): a 429 with
 * `Retry-After: 1` is waited 1 s for the first five tries, then 45 s (60 s less its quarter).
 */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await sandbox?.close();
  sandbox = undefined;
});

function reply(status: number, body: string | Readable, headers: Record<string, string> = {}) {
  return {
    status,
    header: (name: string) => headers[name.toLowerCase()] ?? null,
    body: typeof body === "string" ? Readable.from([Buffer.from(body)]) : body,
  };
}

const served = (payload: unknown) => reply(200, JSON.stringify({ metadata: { error: false }, payload }));
const refused = () =>
  reply(
    429,
    JSON.stringify({ metadata: { error: true }, payload: { code: 429, message: "Too Many Requests" } }),
    {
      "retry-after": "1",
    },
  );

/** A client of the account `transport` stands for (a process of its own: its own limiter). */
function processOf(clock: FakeClock, transport: Transport, events: ClientEvent[] = []): OngageClient {
  return new OngageClient({
    auth: headerAuth(testCredentials),
    baseUrl: "https://api.example.test",
    listId: "12345",
    clock,
    transport,
    onEvent: (event) => events.push(event),
  });
}

/** The waits of the retries after 429s of calls to `path`, in order. */
const waitsOf = (events: ClientEvent[], method: string, path: string) =>
  events.flatMap((event) =>
    event.type === "retry" && event.method === method && event.path === path ? [event.delayMs] : [],
  );

describe("patient together: one account, several processes", () => {
  it("another process holds all 10 places in flight for 4 minutes: a call waits its turn, minutes if need be, and gets through", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const clock = new FakeClock();
    // Ongage's in-flight limit: 10 calls at once for the account, whoever makes them.
    let inFlight = 0;
    const account =
      (answer: (call: TransportRequest, done: () => void) => ReturnType<typeof reply>): Transport =>
      async (call) => {
        if (inFlight >= 10) return refused();
        inFlight++;
        let ended = false;
        return answer(call, () => {
          if (!ended) inFlight--;
          ended = true;
        });
      };
    // Process B downloads 10 exports, a line every 10 s for 4 minutes each.
    const slowExport = (done: () => void) => {
      let lines = 0;
      let waiting = false;
      return new Readable({
        read() {
          if (waiting) return;
          waiting = true;
          clock.after(10_000, () => {
            waiting = false;
            if (lines++ < 24) return void this.push("someone@example.com\r\n");
            done();
            this.push(null);
          });
        },
      });
    };
    const other = processOf(
      clock,
      account((_, done) => reply(200, slowExport(done), { "content-type": "text/csv" })),
    );
    const events: ClientEvent[] = [];
    const ours = processOf(
      clock,
      account((_, done) => {
        done();
        return served([{ name: "email", type: "string" }]);
      }),
      events,
    );
    const started = clock.now();
    const downloads = Array.from({ length: 10 }, (_, id) =>
      other.exportReport(String(id)).then((body) => drainedText(body)),
    );
    const fields = await clock.run(Promise.all([ours.listFields(), ...downloads]).then(([fields]) => fields));
    expect(fields).toEqual([{ name: "email", type: "string" }]);
    // Refused until the exports ended (at 250 s), then through, at 275 s.
    expect(waitsOf(events, "GET", "list_fields")).toEqual([
      1000, 1000, 1000, 1000, 1000, 45_000, 45_000, 45_000, 45_000, 45_000, 45_000,
    ]);
    expect(clock.since(started)).toBe(275_000);
  });

  it("a call refused longer than the patience, while the account serves the process's other calls: it waits on, and gets through", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const clock = new FakeClock();
    const started = clock.now();
    // The account serves this process now and then (its share), and this one call only after 8 minutes.
    const events: ClientEvent[] = [];
    const client = processOf(
      clock,
      async (call) =>
        call.url.endsWith("/contact_activity/1000") && clock.since(started) < 8 * 60_000
          ? refused()
          : served(call.url.endsWith("/list_fields") ? [] : { id: "1000", status: 2 }),
      events,
    );
    let done = false;
    const others = (async () => {
      while (!done) {
        await client.listFields();
        await sleepOn(clock, 60_000);
      }
    })();
    let gotThroughAfter = 0;
    const report = await clock.run(
      client.getReport("1000").finally(() => {
        done = true;
        gotThroughAfter = clock.since(started);
      }),
    );
    await clock.run(others);
    expect(report).toMatchObject({ id: "1000", status: 2 });
    // Tries at 0-5 s, then every 45 s: 50, 95, ... 455 s refused, 500 s through. Without the
    // others served it would have given up at its patience.
    const waits = waitsOf(events, "GET", "contact_activity/1000");
    expect(waits).toEqual([1000, 1000, 1000, 1000, 1000, ...Array<number>(11).fill(45_000)]);
    expect(gotThroughAfter).toBe(500_000);
    expect(gotThroughAfter).toBeGreaterThan(defaultBackoff.rateLimitPatienceMs);
  });

  it("alone on an account that refuses everything, a call gives up after its patience (5 minutes), with the 429", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const clock = new FakeClock();
    const events: ClientEvent[] = [];
    const client = processOf(clock, async () => refused(), events);
    const started = clock.now();
    const failure = await clock.run(client.listFields()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OngageError);
    expect((failure as OngageError).status).toBe(429);
    expect(waitsOf(events, "GET", "list_fields")).toEqual([
      1000,
      1000,
      1000,
      1000,
      1000,
      ...Array<number>(6).fill(45_000),
      25_000,
    ]);
    expect(clock.since(started)).toBe(5 * 60_000);
  });
});

const plan = gmailOrOpenersPlan;

describe("patient together: a plan's parts", () => {
  it("a part refused for 10 minutes while the other has finished: it waits on (its deadline allows), and the plan keeps the finished part's work", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    let creates429 = 0;
    const events: ClientEvent[] = [];
    const wired = await fakeTimeSandbox(
      {},
      { onEvent: (event) => events.push(event) },
      (toSandbox, clock) => {
        const started = clock.now();
        // The second part's create is refused for 10 minutes; everything else goes through.
        return async (call) => {
          if (
            call.method === "POST" &&
            call.body?.includes('"opens"') &&
            !call.body.includes("gmail") &&
            clock.since(started) < 10 * 60_000
          ) {
            creates429++;
            return refused();
          }
          return toSandbox(call);
        };
      },
    );
    sandbox = wired.sandbox;
    const started = wired.clock.now();
    const summary = await wired.clock.run(
      runPlan({
        client: wired.client,
        plan,
        destination: { kind: "file", path: join(outFolder(), "merged.csv") },
        pollIntervalMs: 100,
      }),
    );
    expect(creates429).toBeGreaterThan(5);
    expect(summary.error).toBeUndefined();
    expect(summary.ok).toBe(true);
    expect(summary.rows).toBeGreaterThan(0);
    // Past the patience (5 minutes, during which the first part's calls were served too), on
    // the schedule's pace, until 10 minutes had passed: 5 + 45 * 13 = 590 s, then 635 s.
    const waits = waitsOf(events, "POST", "contact_activity");
    expect(waits).toEqual([1000, 1000, 1000, 1000, 1000, ...Array<number>(14).fill(45_000)]);
    expect(wired.clock.since(started)).toBeGreaterThan(10 * 60_000);
    expect(sandbox.stats.reportsCreated).toBe(2);
    expect(sandbox.liveReports()).toEqual([]);
    expect(summary.deleted).toBe(true);
  });
});

describe("the patience is a setting: --rate-limit-patience, then OQ_RATE_LIMIT_PATIENCE, then oq.config.json", () => {
  /** A server that answers every call 429 with `Retry-After: 0`, and counts them. */
  async function alwaysBusy(): Promise<{ url: string; calls: () => number; close: () => Promise<void> }> {
    let calls = 0;
    const server = createServer((req, res) => {
      calls++;
      req.resume();
      res.writeHead(429, { "retry-after": "0" });
      res.end(JSON.stringify({ metadata: { error: true }, payload: { code: 429 } }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      calls: () => calls,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  /** The environment of `oq` pointed at `url`. */
  function envFor(url: string): NodeJS.ProcessEnv {
    return {
      ONGAGE_BASE_URL: url,
      ONGAGE_USERNAME: testCredentials.username,
      ONGAGE_PASSWORD: testCredentials.password,
      ONGAGE_ACCOUNT_CODE: testCredentials.accountCode,
    };
  }

  function folderWith(config: object): string {
    const dir = mkdtempSync(join(tmpdir(), "oq-patience-"));
    writeFileSync(join(dir, "oq.config.json"), JSON.stringify(config));
    return dir;
  }

  it.each([
    ["the flag, over the environment", { rateLimitPatience: "300ms" }, "1h", {}],
    ["the environment, over the file", {}, "300ms", { rateLimitPatience: "1h" }],
    ["the file", {}, undefined, { rateLimitPatience: "300ms" }],
  ])("%s: a call gives up on 429s after 300 ms", async (_, flags, envValue, config) => {
    const server = await alwaysBusy();
    try {
      const env = envFor(server.url);
      if (envValue !== undefined) env["OQ_RATE_LIMIT_PATIENCE"] = envValue;
      const client = await connect(flags, env, folderWith(config));
      const started = Date.now();
      const failure = await client.listFields().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OngageError);
      expect((failure as OngageError).status).toBe(429);
      expect(server.calls()).toBeGreaterThan(1);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await server.close();
    }
  });

  it.each([
    ["--rate-limit-patience", { rateLimitPatience: "soon" }, undefined, {}],
    ["OQ_RATE_LIMIT_PATIENCE", {}, "soon", {}],
    ["rateLimitPatience in oq.config.json", {}, undefined, { rateLimitPatience: "soon" }],
  ])("a value that is not a duration is a usage error naming %s", async (source, flags, envValue, config) => {
    const env = envFor("http://127.0.0.1:9");
    if (envValue !== undefined) env["OQ_RATE_LIMIT_PATIENCE"] = envValue;
    const failure = await connect(flags, env, folderWith(config)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UsageError);
    expect((failure as Error).message).toBe(
      `${source} takes a duration such as 200ms, 2s, 30m or 1h, not 'soon'`,
    );
  });
});
