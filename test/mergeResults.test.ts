import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ContactSet } from "../src/emit/planSchema.js";
import { CsvRecordReader } from "../src/runner/csvRecords.js";
import { mergeResults, type MergeStats } from "../src/runner/mergeResults.js";

/*
 * The merge of a plan's results (src/runner/mergeResults.ts) on CSV files made here, checked
 * against set operations done directly on the rows the files were made from.
 */

/** RFC 4180, written here independently of src/: quote every field that needs it. */
const field = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
const csv = (rows: string[][]) => rows.map((row) => `${row.map(field).join(",")}\r\n`).join("");

/** Awkward values: commas, quotes, line breaks inside fields, non-ASCII. */
const awkward = ["plain", "a,b", 'say "hi"', "two\nlines", "crlf\r\ninside", "", 'é,ü\n"', '"', ","];

function contacts(count: number): { email: string; note: string; city: string }[] {
  return Array.from({ length: count }, (_, i) => ({
    email: i % 7 === 0 ? `"odd,${i}"@x.com` : `c${i}@x.com`,
    note: awkward[i % awkward.length]!,
    city: awkward[(i * 3) % awkward.length]!,
  }));
}

async function merged(
  files: string[],
  combine: ContactSet,
  options: { budgetBytes?: number; detailed?: boolean; columns?: string[] } = {},
): Promise<{ rows: string[][]; bom: boolean; stats: MergeStats; folder: string }> {
  const folder = mkdtempSync(join(tmpdir(), "oq-merge-"));
  const stats: MergeStats = { partitions: 0, spilledBytes: 0, contacts: 0 };
  const reader = new CsvRecordReader();
  const rows: string[][] = [];
  let bom: boolean | undefined;
  for await (const chunk of mergeResults(
    {
      files,
      combine,
      key: "email",
      keyIgnoresCase: true,
      columns: options.columns ?? ["note", "email", "city"],
      detailed: options.detailed ?? false,
      folder,
      ...(options.budgetBytes ? { budgetBytes: options.budgetBytes } : {}),
    },
    stats,
  )) {
    bom ??= chunk.subarray(0, 3).equals(Buffer.from("\ufeff"));
    rows.push(...reader.push(chunk));
  }
  rows.push(...reader.end());
  return { rows, bom: bom ?? false, stats, folder };
}

const report = (report: number): ContactSet => ({ kind: "report", report });

describe("mergeResults", () => {
  const people = contacts(3000);
  const dir = mkdtempSync(join(tmpdir(), "oq-merge-input-"));
  // Three overlapping reports, each with its columns in another order.
  const members = [
    people.filter((_, i) => i % 2 === 0),
    people.filter((_, i) => i % 3 === 0),
    people.filter((_, i) => i % 5 === 0),
  ];
  const files = members.map((list, index) => {
    const path = join(dir, `r${index}.csv`);
    const header = index === 1 ? ["city", "email", "note"] : ["email", "note", "city"];
    writeFileSync(path, csv([header, ...list.map((c) => header.map((name) => c[name as keyof typeof c]))]));
    return path;
  });
  const expectRows = (emails: Set<string>) =>
    people.filter((c) => emails.has(c.email)).map((c) => [c.note, c.email, c.city]);
  const set = (index: number) => new Set(members[index]!.map((c) => c.email));
  const sorted = (rows: string[][]) => [...rows].sort((a, b) => (a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : 0));

  // (r0 ∪ r1) − r2, and r0 ∩ r1 ∩ r2
  const nested: ContactSet = {
    kind: "difference",
    from: { kind: "union", of: [report(0), report(1)] },
    minus: report(2),
  };
  const expectedNested = new Set([...set(0), ...set(1)].filter((e) => !set(2).has(e)));
  const all: ContactSet = { kind: "intersection", of: [report(0), report(1), report(2)] };
  const expectedAll = new Set([...set(0)].filter((e) => set(1).has(e) && set(2).has(e)));

  for (const [name, budgetBytes] of [
    ["in memory", undefined],
    ["spilled to many partitions (a tiny budget)", 2048],
  ] as const) {
    it(`${name}: quoted fields with commas, quotes and line breaks come through, each contact once`, async () => {
      for (const [combine, expected] of [
        [nested, expectedNested],
        [all, expectedAll],
      ] as const) {
        const result = await merged(files, combine, budgetBytes ? { budgetBytes } : {});
        expect(result.rows[0]).toEqual(["note", "email", "city"]);
        expect(sorted(result.rows.slice(1))).toEqual(sorted(expectRows(expected)));
        expect(result.stats.contacts).toBe(expected.size);
        if (budgetBytes) {
          // The partitioning really ran, through files.
          expect(result.stats.partitions).toBeGreaterThan(10);
          expect(result.stats.spilledBytes).toBeGreaterThan(0);
        } else {
          expect(result.stats).toMatchObject({ partitions: 1, spilledBytes: 0 });
          // In memory: the order of first appearance in reports 0, 1, 2.
          const order = [...members[0]!, ...members[1]!].map((c) => c.email).filter((e) => expected.has(e));
          expect(result.rows.slice(1).map((row) => row[1])).toEqual([...new Set(order)]);
        }
        // The partition files stay in the caller's folder (removed with it by runPlan).
        expect(readdirSync(result.folder).length).toBe(budgetBytes ? result.stats.partitions : 0);
      }
    });
  }

  it("detailed: a contact keeps every event row of the one report it is taken from", async () => {
    const events = (list: typeof people, tag: string) =>
      list.flatMap((c, i) => Array.from({ length: (i % 3) + 1 }, (_, k) => [c.email, `${tag}${k}`, c.note]));
    const detailed = [members[0]!, members[1]!].map((list, index) => {
      const path = join(dir, `d${index}.csv`);
      writeFileSync(path, csv([["email", "activity", "note"], ...events(list, `r${index}-`)]));
      return path;
    });
    const result = await merged(
      detailed,
      { kind: "union", of: [report(1), report(0)] },
      {
        detailed: true,
        budgetBytes: 4096,
        columns: ["email", "activity", "note"],
      },
    );
    expect(result.stats.partitions).toBeGreaterThan(1);
    const byContact = new Map<string, string[]>();
    for (const row of result.rows.slice(1))
      byContact.set(row[0]!, [...(byContact.get(row[0]!) ?? []), row[1]!]);
    const union = new Set([...set(0), ...set(1)]);
    expect(byContact.size).toBe(union.size);
    for (const [email, activities] of byContact) {
      // Taken from report 1 (the union's first member) when it holds the contact, else report 0.
      const from = set(1).has(email) ? 1 : 0;
      const list = members[from]!;
      const i = list.findIndex((c) => c.email === email);
      expect(activities, email).toEqual(Array.from({ length: (i % 3) + 1 }, (_, k) => `r${from}-${k}`));
    }
  });

  it("reads each part as the one CSV reader does: through a BOM, by column names in any letter case, keys by value and emails without case", async () => {
    const withBom = join(dir, "bom.csv");
    writeFileSync(withBom, '\ufeffEmail,Note,City\r\n"B@x.com",n1,c1\r\nc@x.com,n2,c2\r\n');
    const plain = join(dir, "plain.csv");
    writeFileSync(plain, 'city,email,note\r\nc3,b@X.COM,n3\r\nc4,"C@x.com",n4\r\nc5,d@x.com,n5\r\n');
    const result = await merged([withBom, plain], { kind: "intersection", of: [report(0), report(1)] });
    expect(result.rows).toEqual([
      ["note", "email", "city"],
      ["n1", "B@x.com", "c1"],
      ["n2", "c@x.com", "c2"],
    ]);
    // The merged CSV starts with a BOM, as its first part does.
    expect(result.bom).toBe(true);
  });

  it("a row of another length than the header, or without a key, fails the merge, naming the report and the line", async () => {
    const good = join(dir, "good.csv");
    writeFileSync(good, "email,note,city\r\na@x.com,n,c\r\n");
    // Line 3 holds a line break inside quotes: the short row is on line 5.
    const short = join(dir, "short.csv");
    writeFileSync(short, 'email,note,city\r\na@x.com,"two\r\nlines",c\r\nb@x.com,n,c\r\nn-only\r\n');
    const union: ContactSet = { kind: "union", of: [report(0), report(1)] };
    await expect(merged([good, short], union)).rejects.toThrow(
      /^report 2: the row at line 5 has 1 field where the header has 3$/,
    );
    const keyless = join(dir, "keyless.csv");
    writeFileSync(keyless, 'email,note,city\r\na@x.com,n,c\r\n"",n,c\r\n');
    await expect(merged([good, keyless], union)).rejects.toThrow(
      /^report 2: the row at line 3 has no email$/,
    );
  });

  it("a report whose CSV lacks the key column fails the merge, naming it", async () => {
    const path = join(dir, "nokey.csv");
    writeFileSync(path, "note,city\r\na,b\r\n");
    await expect(merged([files[0]!, path], { kind: "union", of: [report(0), report(1)] })).rejects.toThrow(
      /report 2: its CSV has no column email/,
    );
  });
});

describe("CsvRecordReader", () => {
  it("property: reads the same records however the bytes are cut into chunks, with or without a BOM", () => {
    const value = fc.oneof(fc.constantFrom(...awkward), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(
        fc.array(fc.array(value, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.boolean(),
        (rows, cuts, bom) => {
          // A byte order mark is not part of the first field, wherever the chunks cut it.
          const bytes = Buffer.from((bom ? "\ufeff" : "") + csv(rows));
          const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
          const reader = new CsvRecordReader();
          const read: string[][] = [];
          let from = 0;
          for (const point of [...points, bytes.length]) {
            read.push(...reader.push(bytes.subarray(from, point)));
            from = point;
          }
          read.push(...reader.end());
          // A lone \r at a field's end is part of the line break: the writer quotes it, so it stays.
          expect(read).toEqual(rows);
        },
      ),
      { numRuns: 300 },
    );
  });
});
