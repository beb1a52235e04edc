// `npm run bench:plan`: the figures of query plans (issue 11), printed and written to
// BENCHMARKS.md's "Query plans" section (which `npm run bench` keeps).
//
// 1. A 4-report plan against `oq sandbox` (its own process) over HTTP: the wall time of
//    `oq run --plan` against that of its slowest report run alone (`oq run` of one query),
//    interleaved, medians. Reports take `--build-time` to build, as Ongage's do.
// 2. The merge of 5 million contacts: four CSV files generated on disk (not downloaded), merged
//    by bench/planMerge.mjs in a process of its own, which reports its peak RSS.
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "../dist/lib/index.js";
import { sandboxCustomFields } from "../dist/lib/sandbox/data.js";
import { plansHeading, sandboxEnv, startSandboxProcess } from "./sandboxProcess.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const quick = process.argv.includes("--quick");
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const dir = mkdtempSync(join(tmpdir(), "oq-bench-plan-"));

function timedOq(args, env) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [join(root, "bin/oq.js"), ...args], {
    cwd: dir,
    env,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`oq ${args.join(" ")} failed: ${result.stderr}`);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, stdout: result.stdout };
}

// 1. A 4-report plan on a large sandbox list.
const flag = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : process.argv[at + 1];
};
// The sandbox builds reports on one thread, so four built at once take four times the CPU of
// one: on a large list that, not oq, sets the plan's pace. A light list shows oq's own cost.
const lists = process.argv.includes("--contacts")
  ? [{ contacts: Number(flag("--contacts")), buildTime: flag("--build-time", "10s") }]
  : [
      { contacts: quick ? 50_000 : 200_000, buildTime: "10s" },
      { contacts: 20_000, buildTime: "5s" },
    ];
// The sandbox's data is relative to the real now, so the queries are too.
const now = new Date().toISOString();
const conditions = ['email ends "gmail.com"', 'city = "Paris"', "opens >= 2", "age > 40"];
const queries = conditions.map((condition) => `${condition}\nduring 90d\nselect email, city, opens\n`);
queries.forEach((text, index) => writeFileSync(join(dir, `q${index}.oq`), text));
writeFileSync(join(dir, "fields.json"), JSON.stringify({ fields: sandboxCustomFields }));
const plan = {
  reports: queries.map((text) => compile(text, { now, fields: sandboxCustomFields }).payload),
  // (gmail and opens >= 2) or (Paris and not age > 40)
  combine: {
    kind: "union",
    of: [
      {
        kind: "intersection",
        of: [
          { kind: "report", report: 0 },
          { kind: "report", report: 2 },
        ],
      },
      { kind: "difference", from: { kind: "report", report: 1 }, minus: { kind: "report", report: 3 } },
    ],
  },
  key: "email",
  columns: ["email", "city", "opens"],
};
writeFileSync(join(dir, "plan.json"), JSON.stringify(plan));
const rows = [];
for (const { contacts, buildTime } of lists) {
  const sandbox = await startSandboxProcess(contacts, buildTime);
  const env = { ...sandboxEnv(sandbox), OQ_NOW: now };
  const runs = quick ? 1 : 3;
  const planMs = [];
  const slowestMs = [];
  const sumMs = [];
  let planSummary;
  try {
    for (let run = 0; run < runs; run++) {
      const planRun = timedOq(
        ["run", "--plan", "plan.json", "--out", "plan.csv", "--json", "--poll-interval", "200ms"],
        env,
      );
      planMs.push(planRun.ms);
      [planSummary] = JSON.parse(planRun.stdout);
      const singles = queries.map(
        (_, index) =>
          timedOq(
            [
              "run",
              `q${index}.oq`,
              "--schema",
              "fields.json",
              "--out",
              `q${index}.csv`,
              "--poll-interval",
              "200ms",
            ],
            env,
          ).ms,
      );
      slowestMs.push(Math.max(...singles));
      sumMs.push(singles.reduce((sum, ms) => sum + ms, 0));
    }
  } finally {
    sandbox.stop();
  }
  const ratio = median(planMs) / median(slowestMs);
  const name = `4-report plan (\`oq run --plan\`), ${contacts.toLocaleString("en-US")} contacts, reports built in ${buildTime}`;
  const measured = `${(median(planMs) / 1000).toFixed(1)} s (merged ${planSummary.rows.toLocaleString("en-US")} of ${planSummary.reports.map((r) => r.rows.toLocaleString("en-US")).join(" + ")} rows; the four one after another: ${(median(sumMs) / 1000).toFixed(1)} s)`;
  rows.push(
    `| ${name} | ${measured} | its slowest report alone (\`oq run\`): ${(median(slowestMs) / 1000).toFixed(1)} s | ${ratio.toFixed(2)}x | close to 1x | ${ratio <= 1.25 ? "yes" : "**no**"} |`,
  );
  console.log(rows.at(-1));
}

// 2. The merge of 5 million contacts, from CSV files on disk.
const mergeContacts = Number(flag("--merge-contacts", quick ? 500_000 : 5_000_000));
const cities = ["Paris", "Berlin", "London, UK", 'The "Big" Apple', "Tel Aviv", ""];
const member = [(i) => i % 2 === 0, (i) => i % 3 === 0, (i) => i % 5 !== 0, (i) => i % 7 === 0];
for (const [report, holds] of member.entries()) {
  const out = createWriteStream(join(dir, `r${report}.csv`));
  out.write("email,id,city,opens\r\n");
  let batch = [];
  for (let i = 0; i < mergeContacts; i++) {
    if (!holds(i)) continue;
    const city = cities[i % cities.length];
    const field = /[",]/.test(city) ? `"${city.replaceAll('"', '""')}"` : city;
    batch.push(`contact.${i}@example${i % 13}.com,${100000 + i},${field},${i % 17}\r\n`);
    if (batch.length === 10_000) {
      if (!out.write(batch.join(""))) await new Promise((resolve) => out.once("drain", resolve));
      batch = [];
    }
  }
  out.write(batch.join(""));
  await new Promise((resolve) => out.end(resolve));
}
const inputBytes = [0, 1, 2, 3].reduce((sum, report) => sum + statSync(join(dir, `r${report}.csv`)).size, 0);
const merge = spawnSync(process.execPath, [join(root, "bench/planMerge.mjs"), dir, join(dir, "merged.csv")], {
  encoding: "utf8",
});
if (merge.status !== 0) throw new Error(`the merge failed: ${merge.stderr}`);
const figures = JSON.parse(merge.stdout);
rows.push(
  `| merge of ${mergeContacts.toLocaleString("en-US")} contacts, from 4 CSVs on disk (${(inputBytes / 1e6).toFixed(0)} MB; bench/planMerge.mjs, its own process) | peak RSS ${Math.round(figures.peakRssKb / 1024)} MB, ${(figures.ms / 1000).toFixed(1)} s (${figures.partitions} partitions, ${(figures.spilledBytes / 1e6).toFixed(0)} MB spilled) | (absolute) |  | < 150 MB | ${figures.peakRssKb / 1024 < 150 ? "yes" : "**no**"} |`,
);
console.log(rows.at(-1));
console.log(
  `merge of ${mergeContacts.toLocaleString("en-US")} contacts (4 CSVs, ${(inputBytes / 1e6).toFixed(0)} MB, ${figures.partitions} partitions, ${(figures.spilledBytes / 1e6).toFixed(0)} MB spilled): ${(figures.ms / 1000).toFixed(1)} s, ${figures.rows.toLocaleString("en-US")} rows out, peak RSS ${Math.round(figures.peakRssKb / 1024)} MB`,
);
rmSync(dir, { recursive: true, force: true });

if (!quick && process.argv.length === 2) {
  const date = new Date().toISOString().slice(0, 10);
  const path = join(root, "BENCHMARKS.md");
  const previous = readFileSync(path, "utf8");
  const start = previous.indexOf(plansHeading);
  const section =
    `${plansHeading}\n\nThe latest \`npm run bench:plan\` (${date}; Node ${process.version}, ${cpus().length} cores; medians of 3). ` +
    `Against \`oq sandbox\` over HTTP, which builds reports on one thread: on the large list the four ` +
    `builds share it, and that, not oq, sets the plan's pace (compare the four run one after another).\n\n` +
    `| benchmark | oq | baseline (same run) | ratio | target | met |\n| --- | --- | --- | --- | --- | --- |\n${rows.join("\n")}\n`;
  // The sections after this one (the test suite, the language server) are kept as they are.
  const next = start === -1 ? -1 : previous.indexOf("\n## ", start + plansHeading.length);
  const before = start === -1 ? `${previous.trimEnd()}\n\n` : previous.slice(0, start);
  writeFileSync(path, `${before}${section}${next === -1 ? "" : previous.slice(next)}`);
}
