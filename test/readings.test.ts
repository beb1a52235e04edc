import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OngageClient } from "../src/client/client.js";
import type { EvaluationContact } from "../src/evaluate/contact.js";
import type { ReadingName } from "../src/index.js";
import { evaluationContact } from "../src/sandbox/data.js";
import { parseReadings } from "../src/sandbox/readings.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { sandboxClient } from "./support/inProcess.js";
import { oq } from "./support/oqInProcess.js";
import { testSandbox } from "./support/sandbox.js";
import { planned, selectedContacts } from "./support/selectedContacts.js";

/*
 * The sandbox plays each reading of language/readings.ts, and the plans of issue 19's examples
 * select, under the reading each depends on, what their parts select when run alone: a plan
 * rests only on what a single report already rests on.
 */

const played: Partial<Record<"documented" | ReadingName, readonly ReadingName[]>> = {
  documented: [],
  "forced-and": ["forced-and"],
  "null-text": ["null-text"],
  "sent-not-opened": ["sent-not-opened"],
};
const sandboxes = new Map<string, { sandbox: Sandbox; client: OngageClient }>();

beforeAll(async () => {
  for (const [name, readings] of Object.entries(played)) {
    const sandbox = await testSandbox({ buildTimeMs: 0, callsPerMinute: 100_000, readings });
    sandboxes.set(name, { sandbox, client: sandboxClient(sandbox, { callsPerMinute: 100_000 }) });
  }
});
afterAll(async () => {
  for (const { sandbox } of sandboxes.values()) await sandbox.close();
});

/** What `condition` selects on the sandbox playing `reading`, run as oq runs it under `findings`. */
function selected(reading: keyof typeof played, condition: string, findings = {}): Promise<string[]> {
  return selectedContacts(sandboxes.get(reading)!.client, condition, findings);
}

/** The emails of the sandbox's contacts for which `test` holds (over the queries' window), sorted. */
function contactsWhere(test: (contact: EvaluationContact) => boolean): string[] {
  const { sandbox } = sandboxes.get("documented")!;
  const { filters } = planned("opens > 1").payload!;
  const window = { from: filters.from_date!, to: filters.to_date! };
  const emails: string[] = [];
  for (let index = 0; index < sandbox.contacts.size; index++) {
    const seen = evaluationContact(sandbox.contacts.contact(index), window);
    if (test(seen)) emails.push(String(seen.fields["email"]));
  }
  return emails.sort();
}

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])].sort();
const intersection = (a: string[], b: string[]) => a.filter((email) => b.includes(email));
const city = (contact: EvaluationContact) => String(contact.fields["city"]);
const gmail = (contact: EvaluationContact) => String(contact.fields["email"]).endsWith("@gmail.com");

describe("the sandbox plays each reading", () => {
  it('without readings, the documented one: `or` in force, empty text is "", `!=` for every contact', async () => {
    const either = await selected("documented", 'email ends "gmail.com" or opens > 3');
    expect(either).toEqual(contactsWhere((c) => gmail(c) || Number(c.fields["opens"]) > 3));
    expect(await selected("documented", 'city != "Paris"')).toEqual(
      contactsWhere((c) => city(c) !== "Paris"),
    );
    expect(await selected("documented", "not opened campaign 1")).toEqual(
      contactsWhere((c) => !c.mailings.opened.has("1")),
    );
  });

  it("forced-and: combined_as_and true joins every criterion by AND; false leaves `or` in force", async () => {
    const gmailOrOpens = contactsWhere((c) => gmail(c) || Number(c.fields["opens"]) > 3);
    const gmailAndOpens = contactsWhere((c) => gmail(c) && Number(c.fields["opens"]) > 3);
    expect(gmailAndOpens.length).toBeGreaterThan(0);
    expect(gmailOrOpens.length).toBeGreaterThan(gmailAndOpens.length);
    expect(await selected("forced-and", 'email ends "gmail.com" or opens > 3')).toEqual(gmailAndOpens);
    const notForced = 'email ends "gmail.com" or opens > 3\nflags combined_as_and = false';
    expect(await selected("forced-and", notForced)).toEqual(gmailOrOpens);
  });

  it("null-text: an empty text is unknown to every comparison, `!=` included, and only `is empty` holds", async () => {
    const withoutCity = contactsWhere((c) => city(c) === "");
    expect(withoutCity.length).toBeGreaterThan(0);
    expect(await selected("null-text", 'city != "Paris"')).toEqual(
      contactsWhere((c) => city(c) !== "" && city(c) !== "Paris"),
    );
    expect(await selected("null-text", 'not city contains "x"')).toEqual(
      contactsWhere((c) => city(c) !== ""),
    );
    expect(await selected("null-text", "city is empty")).toEqual(withoutCity);
  });

  it("sent-not-opened: `opened != M` holds only for contacts sent M; `sent != M` is unchanged", async () => {
    const sentNotOpened = contactsWhere((c) => c.mailings.sent.has("1") && !c.mailings.opened.has("1"));
    expect(await selected("sent-not-opened", "not opened campaign 1")).toEqual(sentNotOpened);
    expect(contactsWhere((c) => !c.mailings.opened.has("1")).length).toBeGreaterThan(sentNotOpened.length);
    expect(await selected("sent-not-opened", "not sent campaign 1")).toEqual(
      contactsWhere((c) => !c.mailings.sent.has("1")),
    );
  });

  it("`oq sandbox --reading` takes reading names separated by commas; an unknown one is a usage error", async () => {
    expect(parseReadings("null-text, forced-and,null-text")).toEqual(["null-text", "forced-and"]);
    const unknown = await oq(["sandbox", "--reading", "forced-and,nul-text"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(
      "'nul-text' is not a reading; the readings are forced-and, null-text, sent-not-opened",
    );
    expect((await oq(["sandbox", "--reading", ","])).status).toBe(2);
    await expect(testSandbox({ readings: ["forced_and" as never] })).rejects.toThrow(
      "'forced_and' is not a reading; the readings are forced-and, null-text, sent-not-opened",
    );
  });

  it("`oq sandbox --reading` says which readings it plays", async () => {
    let stop: ReturnType<typeof setInterval> | undefined;
    const run = await oq(
      ["sandbox", "--port", "0", "--contacts", "10", "--reading", "null-text,forced-and"],
      {
        // Stops it once it is up (a signal before then finds no listener and is lost: sent again).
        onStart: (running) => (stop = setInterval(() => running.signal("SIGINT"), 20)),
      },
    );
    clearInterval(stop);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      "It reads criteria with the readings null-text, forced-and, not as documented",
    );
  });
});

describe("plans of issue 19's examples select what their parts select alone, under the reading they depend on", () => {
  it('forced-and: `not email ends "gmail.com"` starts from every contact, not from an `or` report', async () => {
    const got = await selected("forced-and", 'not email ends "gmail.com"');
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(contactsWhere((c) => !gmail(c)));
  });

  it("forced-and, found to hold: an `or` chain runs as a union of reports", async () => {
    const findings = { "forced-and": "holds" } as const;
    const text = 'email ends "gmail.com" or opens > 3';
    expect(planned(text, findings).plan?.combine.kind).toBe("union");
    const alone = union(
      await selected("forced-and", 'email ends "gmail.com"'),
      await selected("forced-and", "opens > 3"),
    );
    expect(await selected("forced-and", text, findings)).toEqual(alone);
    expect(alone).toEqual(contactsWhere((c) => gmail(c) || Number(c.fields["opens"]) > 3));
  });

  it('null-text: `city != "Paris" or not email ends "gmail.com"` adds no gmail contact without a city', async () => {
    const alone = union(
      await selected("null-text", 'city != "Paris"'),
      await selected("null-text", 'not email ends "gmail.com"'),
    );
    // The contacts "everyone but those in Paris on gmail" would add: neither part selects them.
    expect(contactsWhere((c) => gmail(c) && city(c) === "").length).toBeGreaterThan(0);
    expect(await selected("null-text", 'city != "Paris" or not email ends "gmail.com"')).toEqual(alone);
  });

  it('sent-not-opened: `not opened campaign 1 or not email ends "gmail.com"` adds no one never sent 1', async () => {
    const alone = union(
      await selected("sent-not-opened", "not opened campaign 1"),
      await selected("sent-not-opened", 'not email ends "gmail.com"'),
    );
    expect(contactsWhere((c) => gmail(c) && !c.mailings.sent.has("1")).length).toBeGreaterThan(0);
    const text = 'not opened campaign 1 or not email ends "gmail.com"';
    expect(await selected("sent-not-opened", text)).toEqual(alone);
  });

  it("a shortcut is taken once its reading is found not to hold: fewer reports, the same contacts", async () => {
    const text = 'city != "Paris" or not email ends "gmail.com"';
    const documented = { "null-text": "fails" } as const;
    expect(planned(text, documented).plan!.reports.length).toBeLessThan(planned(text).plan!.reports.length);
    expect(await selected("documented", text, documented)).toEqual(await selected("documented", text));
    const both = intersection(
      await selected("documented", 'city = "Paris"'),
      await selected("documented", 'email ends "gmail.com"'),
    );
    expect(await selected("documented", text)).toEqual(
      contactsWhere((c) => !both.includes(String(c.fields["email"]))),
    );
  });
});
