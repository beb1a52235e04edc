// `npm run demo`: the whole job on this machine, with no Ongage account and no network.
// Starts the local Ongage sandbox, runs every query in examples/ through `oq run` against it
// (create the report, wait, download the CSV, delete the report), and shows what came back.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startSandbox } from "../dist/lib/sandbox/server.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const examples = `${root}examples/`;
const out = `${root}out/demo/`;
const oq = `${root}bin/oq.js`;

function run(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [oq, ...args], {
      cwd: examples,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (text) => (stdout += text));
    child.on("close", (status) => resolve({ status, stdout }));
  });
}

const sandbox = await startSandbox({ contacts: 5000, seed: 1, buildTimeMs: 1500 });
try {
  const env = {
    ONGAGE_BASE_URL: sandbox.url,
    ONGAGE_LIST_ID: sandbox.listId,
    ONGAGE_USERNAME: sandbox.credentials.username,
    ONGAGE_PASSWORD: sandbox.credentials.password,
    ONGAGE_ACCOUNT_CODE: sandbox.credentials.accountCode,
  };
  const queries = readdirSync(examples)
    .filter((name) => name.endsWith(".oq"))
    .sort();
  process.stdout.write(
    `Started the Ongage sandbox on ${sandbox.url} (list ${sandbox.listId}, ${sandbox.contacts.size} generated contacts).\n`,
  );
  process.stdout.write(
    `Running ${queries.length} example queries with: oq run examples/ --out out/demo/ --poll-interval 500ms\n\n`,
  );
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const result = await run(["run", ".", "--out", out, "--poll-interval", "500ms", "--json"], env);
  const summaries = JSON.parse(result.stdout || "[]");
  for (const summary of summaries) {
    const csv = summary.ok ? readFileSync(summary.output, "utf8").split("\r\n") : [];
    process.stdout.write(
      `${summary.ok ? "✓" : "✗"} examples/${summary.file}: report ${summary.reportId}, ${summary.rows} rows, ${summary.bytes} bytes, ` +
        `${summary.calls} API calls, ${(summary.timings.totalMs / 1000).toFixed(1)}s, report ${summary.deleted ? "deleted" : "kept"}\n`,
    );
    if (summary.ok) {
      process.stdout.write(`    → out/demo/${summary.file.replace(/\.oq$/, ".csv")}\n`);
      for (const line of csv.slice(0, 3)) if (line) process.stdout.write(`      ${line}\n`);
    } else {
      process.stdout.write(`    ${summary.error}\n`);
    }
  }
  const live = sandbox.liveReports().length;
  process.stdout.write(
    `\n${sandbox.stats.requests} requests reached the sandbox; ${sandbox.stats.reportsCreated} reports created, ${live} left behind.\n`,
  );
  process.stdout.write("Try it yourself: `npx oq sandbox` in one terminal, then follow what it prints.\n");
  process.exitCode = result.status;
} finally {
  await sandbox.close();
}
