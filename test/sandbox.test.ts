import { afterEach, describe, expect, it } from "vitest";
import { compile } from "../src/index.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { parseFaults } from "../src/sandbox/faults.js";
import { ContactList } from "../src/sandbox/data.js";
import { sandboxNow, testCredentials, testSandbox } from "./support/sandbox.js";
import { until } from "./support/until.js";

/* The sandbox speaks Ongage: paths, auth, envelope, string ids, limits, validation. */

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const auth = {
  X_USERNAME: testCredentials.username,
  X_PASSWORD: testCredentials.password,
  X_ACCOUNT_CODE: testCredentials.accountCode,
};

async function call(path: string, init: RequestInit = {}, headers: Record<string, string> = auth) {
  const response = await fetch(`${sandbox!.url}${path}`, {
    ...init,
    headers: { ...headers, ...(init.body ? { "content-type": "application/json" } : {}) },
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: response.status,
    json: json as {
      metadata: { error: boolean; total?: number };
      payload: Record<string, unknown> & unknown[];
    },
    text,
    headers: response.headers,
  };
}

const request = () => compile('title "T" email ends "gmail.com"', { now: sandboxNow }).payload!;

describe("the sandbox", () => {
  it("answers 401 in Ongage's envelope without the right headers", async () => {
    sandbox = await testSandbox();
    const missing = await call("/12345/api/contact_activity", {}, {});
    expect(missing.status).toBe(401);
    expect(missing.json).toMatchObject({ metadata: { error: true }, payload: { code: 401 } });
    const wrong = await call("/12345/api/contact_activity", {}, { ...auth, X_PASSWORD: "nope" });
    expect(wrong.status).toBe(401);
  });

  it("creates reports pending, with ids and statuses as strings, then completes them", async () => {
    sandbox = await testSandbox({ buildTimeMs: 100 });
    const created = await call("/12345/api/contact_activity", {
      method: "POST",
      body: JSON.stringify(request()),
    });
    expect(created.status).toBe(200);
    expect(created.json.metadata.error).toBe(false);
    expect(created.json.payload).toMatchObject({
      id: "1000",
      status: "1",
      status_desc: "Pending",
      title: "T",
    });
    // Polled, not slept for: on a loaded machine the build time may be long past before the next call, or not yet.
    let status = created;
    await until(
      async () => (status = await call("/12345/api/contact_activity/1000")).json.payload.status !== "1",
      "the report to complete",
    );
    expect(status.json.payload).toMatchObject({ id: "1000", status: "2", status_desc: "Completed" });
    const list = await call("/12345/api/contact_activity?sort=id&order=DESC&limit=10");
    expect(list.json.metadata.total).toBe(1);
    expect(list.json.payload).toHaveLength(1);
  });

  it("refuses a request the real API would refuse, with 412", async () => {
    sandbox = await testSandbox();
    const noTitle = { ...request(), title: "" };
    const refused = await call("/12345/api/contact_activity", {
      method: "POST",
      body: JSON.stringify(noTitle),
    });
    expect(refused.status).toBe(412);
    expect(refused.json.metadata.error).toBe(true);
    const badOperator = request();
    badOperator.filters.criteria[0]!.operator = ">";
    const refusedOperator = await call("/12345/api/contact_activity", {
      method: "POST",
      body: JSON.stringify(badOperator),
    });
    expect(refusedOperator.status).toBe(412);
    expect(JSON.stringify(refusedOperator.json.payload)).toContain("operator");
    expect(sandbox.stats.reportsCreated).toBe(0);
  });

  it("refuses to export a report that is not completed", async () => {
    sandbox = await testSandbox({ buildTimeMs: 60_000 });
    await call("/12345/api/contact_activity", { method: "POST", body: JSON.stringify(request()) });
    const early = await call("/12345/api/contact_activity/1000/export");
    expect(early.status).toBe(412);
  });

  it("answers 429 past the calls-per-minute limit, with Retry-After", async () => {
    sandbox = await testSandbox({ callsPerMinute: 3 });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await call("/12345/api/contact_activity")).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const limited = await call("/12345/api/contact_activity");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.json.payload).toMatchObject({ message: "Calls per minute exceeded" });
  });

  it("answers 429 past 10 calls in flight", async () => {
    // Small and slow: each export is quick to compute and then holds its connection for a second.
    sandbox = await testSandbox({ contacts: 200, faults: { slowBodyMs: 1000 } });
    await call("/12345/api/contact_activity", {
      method: "POST",
      body: JSON.stringify({
        ...request(),
        selected_fields: ["email", "ocx_status", "ocx_created_date", "opens", "clicks", "last_open_date"],
      }),
    });
    await until(
      async () => (await call("/12345/api/contact_activity/1000")).json.payload.status === "2",
      "the report to complete",
    );
    // node:http without an agent: a connection each, all at once (fetch pools its connections).
    const { request: httpRequest } = await import("node:http");
    const get = () =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          `${sandbox!.url}/12345/api/contact_activity/1000/export`,
          { headers: auth, agent: false },
          (res) => {
            res.resume().on("end", () => resolve(res.statusCode!));
          },
        );
        req.on("error", reject).end();
      });
    const statuses = await Promise.all(Array.from({ length: 12 }, get));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(10);
  });

  it("serves the list's fields", async () => {
    sandbox = await testSandbox();
    const fields = await call("/12345/api/list_fields");
    expect(fields.json.payload).toContainEqual({ name: "age", type: "numeric" });
  });

  it("keeps to its list id", async () => {
    sandbox = await testSandbox();
    expect((await call("/999/api/contact_activity")).status).toBe(404);
    expect((await call("/api/contact_activity")).status).toBe(200);
  });
});

describe("the sandbox's data", () => {
  it("is the same for the same seed, and different for another", () => {
    const a = new ContactList({ contacts: 10, seed: 1, anchor: 1_700_000_000 });
    const b = new ContactList({ contacts: 10, seed: 1, anchor: 1_700_000_000 });
    const c = new ContactList({ contacts: 10, seed: 2, anchor: 1_700_000_000 });
    expect(a.contact(7)).toEqual(b.contact(7));
    expect(a.contact(7)).not.toEqual(c.contact(7));
  });

  it("has contacts on both sides of every kind of criterion", () => {
    const list = new ContactList({ contacts: 2000, seed: 1, anchor: 1_700_000_000 });
    const contacts = Array.from({ length: list.size }, (_, i) => list.contact(i));
    const statuses = new Set(contacts.map((c) => c.ocx_status));
    expect([...statuses].sort()).toEqual(["active", "bounced", "complaint", "unsubscribed"]);
    expect(new Set(contacts.map((c) => c.email.split("@")[1])).size).toBeGreaterThanOrEqual(6);
    for (const field of ["first_name", "city"] as const) {
      expect(contacts.some((c) => c[field] === "")).toBe(true);
      expect(contacts.some((c) => c[field] !== "")).toBe(true);
    }
    for (const field of [
      "age",
      "birthday",
      "customer_id",
      "ocx_unsubscribe_date",
      "ocx_resubscribe_date",
      "ocx_bounce_date",
      "ocx_complaint_date",
    ] as const) {
      expect(
        contacts.some((c) => c[field] === null),
        field,
      ).toBe(true);
      expect(
        contacts.some((c) => c[field] !== null),
        field,
      ).toBe(true);
    }
    for (const kind of ["sent", "open", "click"]) {
      expect(contacts.some((c) => c.events.some((e) => e.kind === kind && e.mailingId === "1001"))).toBe(
        true,
      );
      expect(contacts.some((c) => !c.events.some((e) => e.kind === kind && e.mailingId === "1001"))).toBe(
        true,
      );
    }
  });

  it("makes a million contacts practical: one contact is generated on its own, without the others", () => {
    const list = new ContactList({ contacts: 1_000_000, seed: 1, anchor: 1_700_000_000 });
    expect(list.contact(999_999).email).toMatch(/\.999999@/);
  });
});

describe("--faults", () => {
  it("reads the command line's fault list", () => {
    expect(parseFaults("429:3,5xx:2,drop-create:1,drop-export:4096,slow:10,never-complete,fail")).toEqual({
      rateLimitBurst: 3,
      serverErrors: 2,
      dropCreateAfterCommit: 1,
      dropExportAfterBytes: 4096,
      slowBodyMs: 10,
      neverComplete: true,
      failReports: true,
    });
    expect(() => parseFaults("explode")).toThrow(/unknown fault/);
  });

  it("takes a count only as digits: an empty value, hex or an exponent is refused, not read as 0, 16 or 100", () => {
    expect(() => parseFaults("429:")).toThrow(
      "--faults 429 needs a whole number (digits only), as in 429:3, not ''",
    );
    expect(() => parseFaults("429:0x10")).toThrow("not '0x10'");
    expect(() => parseFaults("429:1e2")).toThrow("not '1e2'");
    expect(() => parseFaults("slow:-5")).toThrow("not '-5'");
    expect(parseFaults("429:007")).toEqual({ rateLimitBurst: 7 });
  });

  it("parses the faults of a report's lifetime: bad create answers, late listing, late storing, short titles, hanging deletes", () => {
    expect(
      parseFaults("create-answer:gzip,late-visible:3000,delayed-store:2000,truncate-titles:20,hang-delete:1"),
    ).toEqual({
      createAnswer: "gzip",
      lateVisibleMs: 3000,
      delayedStoreMs: 2000,
      truncateTitles: 20,
      hangDeletes: 1,
    });
    expect(() => parseFaults("create-answer:xml")).toThrow(
      /create-answer takes one of html, truncated, lying-length, gzip, shape, empty-id/,
    );
  });
});
