// The export benchmark: `oq reports export` next to curl, from one sandbox (its own process),
// on loopback and through a link paced to ~100 MB/s (bench/pacedProxy.mjs, its own process),
// in interleaved rounds. bench/run.mjs runs it; `node bench/export.mjs [--quick]` alone prints it.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "../dist/lib/index.js";
import { headerAuth, OngageClient } from "../dist/lib/entry/client.js";
import { sandboxCustomFields } from "../dist/lib/sandbox/data.js";
import { sandboxEnv, startSandboxProcess } from "./sandboxProcess.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const now = "2024-02-01T00:00:00Z";

/** Every contact, many columns: about 100 bytes a row. */
const wideQuery =
  "email is not empty users all during 120d select email, id, ocx_status, ocx_created_date, ocx_import_id, first_name, city, " +
  "age, birthday, customer_id, sent, opens, clicks, last_sent_date, last_open_date, last_click_date, avg_open_time";

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A whole command's wall time, its CPU time (user + system) and its peak RSS (kB), through /usr/bin/time when there is one. */
function timed(command, args, env) {
  const useTime = existsSync("/usr/bin/time");
  const start = process.hrtime.bigint();
  const result = useTime
    ? spawnSync("/usr/bin/time", ["-f", "%M %U %S", command, ...args], { env, encoding: "utf8" })
    : spawnSync(command, args, { env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
  if (!useTime) return { ms };
  const [peakKb, user, system] = result.stderr.trim().split("\n").pop().split(" ").map(Number);
  return { ms, peakKb, cpuS: user + system };
}

function sha256(path) {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** The paced proxy in front of `port`, once it listens. */
async function startPacedProxy(port, rateMbps) {
  const child = spawn(
    process.execPath,
    [join(root, "bench/pacedProxy.mjs"), String(port), String(rateMbps)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const proxyPort = await new Promise((resolve, reject) => {
    let text = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      text += chunk;
      const found = /port=(\d+)/.exec(text);
      if (found) resolve(Number(found[1]));
    });
    child.once("exit", () => reject(new Error("the paced proxy stopped")));
  });
  return { port: proxyPort, stop: () => child.kill() };
}

/**
 * Rounds of curl and `oq reports export` taking turns on one URL: the median of each, oq's peak
 * RSS, and whether their files are byte for byte the same.
 */
function rounds(dir, sandbox, baseUrl, reportId, count) {
  const env = { ...sandboxEnv(sandbox), ONGAGE_BASE_URL: baseUrl };
  const curlFile = join(dir, "curl.csv");
  const oqFile = join(dir, "oq.csv");
  const curlArgs = [
    "-s",
    "--fail",
    "-o",
    curlFile,
    "-H",
    `x_username: ${sandbox.credentials.username}`,
    "-H",
    `x_password: ${sandbox.credentials.password}`,
    "-H",
    `x_account_code: ${sandbox.credentials.accountCode}`,
    `${baseUrl}/${sandbox.listId}/api/contact_activity/${reportId}/export`,
  ];
  const oqArgs = [join(root, "bin/oq.js"), "reports", "export", reportId, "--out", oqFile];
  const curlTimes = [];
  const oqTimes = [];
  const oqPeaks = [];
  const cpu = { oq: [], curl: [] };
  for (let i = 0; i < count; i++) {
    // Who goes first alternates, so that neither always meets a warm (or cold) page cache.
    const runCurl = () => {
      const run = timed("curl", curlArgs, env);
      curlTimes.push(run.ms);
      if (run.cpuS !== undefined) cpu.curl.push(run.cpuS);
    };
    const runOq = () => {
      const run = timed(process.execPath, oqArgs, env);
      oqTimes.push(run.ms);
      if (run.peakKb !== undefined) oqPeaks.push(run.peakKb);
      if (run.cpuS !== undefined) cpu.oq.push(run.cpuS);
    };
    if (i % 2) {
      runOq();
      runCurl();
    } else {
      runCurl();
      runOq();
    }
  }
  const identical = sha256(oqFile) === sha256(curlFile);
  const bytes = readFileSync(oqFile).length;
  rmSync(oqFile, { force: true });
  rmSync(curlFile, { force: true });
  return {
    bytes,
    identical,
    oqMs: median(oqTimes),
    curlMs: median(curlTimes),
    peakMb: oqPeaks.length ? median(oqPeaks) / 1024 : undefined,
    cpu: cpu.oq.length
      ? `CPU ${median(cpu.oq).toFixed(2)} s against curl's ${median(cpu.curl).toFixed(2)} s`
      : "",
    maxPeakMb: oqPeaks.length ? Math.max(...oqPeaks) / 1024 : undefined,
  };
}

/** The export benchmark's rows for bench/run.mjs's table. */
export async function exportBenchmarks({
  quick = false,
  dir = mkdtempSync(join(tmpdir(), "oq-bench-export-")),
} = {}) {
  const results = [];
  const sandbox = await startSandboxProcess(quick ? 300_000 : 3_000_000);
  let proxy;
  try {
    const client = new OngageClient({
      auth: headerAuth(sandbox.credentials),
      baseUrl: sandbox.url,
      listId: sandbox.listId,
    });
    const report = await client.createReport(
      compile(wideQuery, { now, fields: sandboxCustomFields }).payload,
    );
    while ((await client.getReport(report.id)).status === 1)
      await new Promise((resolve) => setTimeout(resolve, 500));
    proxy = await startPacedProxy(new URL(sandbox.url).port, 100);
    const count = quick ? 3 : 7;
    const links = [
      { name: "loopback", url: sandbox.url },
      { name: "a ~100 MB/s link (paced proxy)", url: `http://127.0.0.1:${proxy.port}` },
    ];
    for (const link of links) {
      const run = rounds(dir, sandbox, link.url, report.id, count);
      const mbps = (ms) => run.bytes / 1048576 / (ms / 1000);
      const ratio = run.curlMs / run.oqMs;
      results.push({
        name: `export of ${(run.bytes / 1048576).toFixed(0)} MB over ${link.name}: \`oq reports export\` (medians of ${count} interleaved rounds; CSV ${run.identical ? "byte-identical to" : "**differs from**"} curl's${run.cpu ? `; ${run.cpu}` : ""})`,
        baseline: "curl, same sandbox",
        measured: `${mbps(run.oqMs).toFixed(0)} MB/s`,
        baselineMeasured: `${mbps(run.curlMs).toFixed(0)} MB/s`,
        ratio,
        target: "≥ 0.9x",
        met: ratio >= 0.9 && run.identical,
      });
      results.push({
        name: `oq's peak memory (RSS) during that export (median; max ${run.maxPeakMb?.toFixed(0) ?? "n/a"} MB)`,
        baseline: "(absolute)",
        measured: run.peakMb === undefined ? "n/a (no /usr/bin/time)" : `${run.peakMb.toFixed(0)} MB`,
        baselineMeasured: "",
        ratio: undefined,
        target: "< 100 MB",
        met: run.maxPeakMb !== undefined && run.maxPeakMb < 100,
      });
    }
  } finally {
    proxy?.stop();
    sandbox.stop();
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await exportBenchmarks({ quick: process.argv.includes("--quick") }))
    process.stdout.write(
      `${r.name}: ${r.measured} vs ${r.baselineMeasured || r.baseline}${r.ratio === undefined ? "" : ` = ${r.ratio.toFixed(2)}x`} (target ${r.target}: ${r.met ? "met" : "NOT met"})\n`,
    );
}
