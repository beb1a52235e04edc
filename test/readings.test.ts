import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OngageClient } from "../src/client/client.js";
import type { EvaluationContact } from "../src/evaluate/contact.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compile, readingNames, type ReadingName } from "../src/index.js";
import { runReport } from "../src/runner/runReport.js";
import { sandboxCustomFields } from "../src/sandbox/data.js";
import { parseReadings } from "../src/sandbox/readings.js";
import type { Sandbox } from "../src/sandbox/server.js";
import { outFolder, sandboxClient } from "./support/inProcess.js";
import { oq } from "./support/oqInProcess.js";
import { testSandbox } from "./support/sandbox.js";
import { contactsWhere as contactsWhereIn, planned, selectedContacts } from "./support/selectedContacts.js";

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
  // Readings that change different criteria, played together.
  "users-or": ["forced-and-false", "forced-and-absent", "empty-as-zero", "none-of-list", "users-or"],
  "header-labels": ["header-bom", "header-labels"],
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
function selected(
  reading: keyof typeof played,
  condition: string,
  findings = {},
  users = "all",
): Promise<string[]> {
  return selectedContacts(sandboxes.get(reading)!.client, condition, findings, users);
}

/** The sandbox's own answer under the documented reading: support/selectedContacts.ts's contactsWhere. */
function contactsWhere(test: (contact: EvaluationContact) => boolean): string[] {
  return contactsWhereIn(sandboxes.get("documented")!.sandbox, test);
}

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])].sort();
const intersection = (a: string[], b: string[]) => a.filter((email) => b.includes(email));
const city = (contact: EvaluationContact) => String(contact.fields["city"]);
const gmail = (contact: EvaluationContact) => String(contact.fields["email"]).endsWith("@gmail.com");
const active = (contact: EvaluationContact) => contact.fields["ocx_status"] === "active";
const age = (contact: EvaluationContact) => contact.fields["age"] as number | null;

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

  it("forced-and-false, forced-and-absent: combined_as_and false, and left out, join every criterion by AND; true does not", async () => {
    const gmailAndOpens = contactsWhere((c) => gmail(c) && Number(c.fields["opens"]) > 3);
    const gmailOrOpens = contactsWhere((c) => gmail(c) || Number(c.fields["opens"]) > 3);
    const text = 'email ends "gmail.com" or opens > 3';
    expect(await selected("users-or", `${text}\nflags combined_as_and = false`)).toEqual(gmailAndOpens);
    expect(await selected("users-or", `${text}\nflags include_behavior`)).toEqual(gmailAndOpens);
    expect(await selected("users-or", text)).toEqual(gmailOrOpens);
  });

  it("empty-as-zero: an empty number is 0, an empty date the epoch, to every comparison", async () => {
    expect(contactsWhere((c) => age(c) === null).length).toBeGreaterThan(0);
    expect(await selected("users-or", "age < 30")).toEqual(contactsWhere((c) => (age(c) ?? 0) < 30));
    expect(await selected("users-or", "birthday < 1980-01-01")).toEqual(
      contactsWhere((c) => ((c.fields["birthday"] as number | null) ?? 0) < Date.UTC(1980, 0, 1) / 1000),
    );
    expect(await selected("users-or", "age is empty")).toEqual(contactsWhere((c) => age(c) === null));
  });

  it("none-of-list: `!=` and `NOT LIKE` with several values hold for none of them; `=` is unchanged", async () => {
    const neither = contactsWhere((c) => city(c) !== "Paris" && city(c) !== "Rome");
    expect(await selected("users-or", 'city != ["Paris", "Rome"]')).toEqual(neither);
    expect(await selected("documented", 'city != ["Paris", "Rome"]')).toEqual(contactsWhere(() => true));
    expect(await selected("users-or", 'city in ["Paris", "Rome"]')).toEqual(
      contactsWhere((c) => city(c) === "Paris" || city(c) === "Rome"),
    );
  });

  it("users-or: the user type is one more alternative of an `or` list, and applies to an `and` list", async () => {
    const gmailOrOpens = (c: EvaluationContact) => gmail(c) || Number(c.fields["opens"]) > 3;
    const text = 'email ends "gmail.com" or opens > 3';
    expect(await selected("users-or", text, {}, "active")).toEqual(
      contactsWhere((c) => active(c) || gmailOrOpens(c)),
    );
    expect(await selected("documented", text, {}, "active")).toEqual(
      contactsWhere((c) => active(c) && gmailOrOpens(c)),
    );
    expect(await selected("users-or", 'email ends "gmail.com" and opens > 3', {}, "active")).toEqual(
      contactsWhere((c) => active(c) && gmail(c) && Number(c.fields["opens"]) > 3),
    );
  });

  it("header-bom, header-labels: each export starts with a BOM and names its columns by their labels", async () => {
    const { client } = sandboxes.get("header-labels")!;
    const request = compile("opens > 1\nselect email, first_name\nbetween 2024-01-01 and 2024-06-01", {
      fields: sandboxCustomFields,
    }).payload!;
    const path = join(outFolder(), "labels.csv");
    for (const detailed of [false, true]) {
      const summary = await runReport({
        client,
        request,
        destination: { kind: "file", path },
        detailed,
        anyHeader: true,
        pollIntervalMs: 1,
      });
      expect(summary.ok, summary.error).toBe(true);
      const [header] = readFileSync(path, "utf8").split("\r\n");
      expect(header).toBe(
        detailed ? "\uFEFFEmail,Ocx Contact Id,Mailing Id,Activity,Activity Date" : "\uFEFFEmail,First Name",
      );
    }
    // oq run finds its columns by name, or by their labels: the export is read, and saved as sent.
    const read = await runReport({
      client,
      request,
      destination: { kind: "file", path },
      pollIntervalMs: 1,
    });
    expect(read.ok, read.error).toBe(true);
    const lines = readFileSync(path, "utf8").split("\r\n").filter(Boolean);
    expect(lines[0]).toBe("\uFEFFEmail,First Name");
    expect(read.rows).toBe(lines.length - 1);
    expect(read.rows).toBeGreaterThan(0);
  });

  it("`oq sandbox --reading` takes reading names separated by commas; an unknown one is a usage error", async () => {
    expect(parseReadings("null-text, forced-and,null-text")).toEqual(["null-text", "forced-and"]);
    const unknown = await oq(["sandbox", "--reading", "forced-and,nul-text"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(
      `'nul-text' is not a reading; the readings are ${readingNames.join(", ")}`,
    );
    expect(readingNames.slice(0, 3)).toEqual(["forced-and", "forced-and-false", "forced-and-absent"]);
    expect((await oq(["sandbox", "--reading", ","])).status).toBe(2);
    await expect(testSandbox({ readings: ["forced_and" as never] })).rejects.toThrow(
      `'forced_and' is not a reading; the readings are ${readingNames.join(", ")}`,
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

  it("users-or, found to hold: `users active` with an `or` chain runs as a union of reports", async () => {
    const text = 'email ends "gmail.com" or opens > 3';
    const findings = { "users-or": "holds" } as const;
    expect(planned(text, findings, "active").plan?.combine.kind).toBe("union");
    expect(planned(text, findings).payload).toBeDefined();
    const alone = union(
      await selected("users-or", 'email ends "gmail.com"', {}, "active"),
      await selected("users-or", "opens > 3", {}, "active"),
    );
    expect(await selected("users-or", text, findings, "active")).toEqual(alone);
    expect(alone).toEqual(contactsWhere((c) => active(c) && (gmail(c) || Number(c.fields["opens"]) > 3)));
  });

  it("forced-and-false, found to hold: an `or` chain sent with combined_as_and false runs as a union", async () => {
    const text = 'email ends "gmail.com" or opens > 3\nflags combined_as_and = false';
    const findings = { "forced-and-false": "holds", "forced-and": "fails" } as const;
    expect(planned(text, findings).plan?.combine.kind).toBe("union");
    expect(planned('email ends "gmail.com" or opens > 3', findings).payload).toBeDefined();
    expect(await selected("users-or", text, findings)).toEqual(
      contactsWhere((c) => gmail(c) || Number(c.fields["opens"]) > 3),
    );
  });

  it("none-of-list, found to hold: a negative list, written or merged from an `or`, is sent one value per criterion", async () => {
    const findings = { "none-of-list": "holds" } as const;
    const either = contactsWhere((c) => city(c) !== "Rome" || city(c) !== "Paris");
    for (const text of ['city != ["Rome", "Paris"]', 'city != "Rome" or not (city = "Paris")']) {
      expect(planned(text).payload!.filters.criteria).toHaveLength(1);
      const criteria = planned(text, findings).payload!.filters.criteria;
      expect(criteria.map((c) => [c.operator, c.operand, c.condition])).toEqual([
        ["!=", ["Rome"], "or"],
        ["!=", ["Paris"], "or"],
      ]);
      expect(await selected("users-or", text, findings), text).toEqual(either);
    }
    const noX = 'not email contains "x" or not email contains "y"';
    expect(await selected("users-or", noX, findings)).toEqual(
      contactsWhere(
        (c) => !String(c.fields["email"]).includes("x") || !String(c.fields["email"]).includes("y"),
      ),
    );
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
