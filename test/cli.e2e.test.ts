import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { oqBin, runOq, runOqAsync } from "./support/cli.js";
import { fakeOngage } from "./support/fakeOngage.js";
import { keptReport } from "./support/inProcess.js";
import { sandboxEnv, testSandbox } from "./support/sandbox.js";
import { scratch } from "./support/scratch.js";

/*
 * The built `oq` command's contract, through a real process: what only a process shows (the
 * bundle loads, the exit status, the streams, a reader that leaves). Everything else about the
 * command is tested in process (cli.test.ts and others, test/support/oqInProcess.ts).
 */

const now = "2024-02-01T00:00:00Z";

describe("the oq command", () => {
  it("oq sandbox serves Ongage's API until Ctrl-C, and prints how to point oq at it", async () => {
    const child = spawn(process.execPath, [
      oqBin,
      "sandbox",
      "--port",
      "0",
      "--contacts",
      "50",
      "--build-time",
      "100ms",
    ]);
    let printed = "";
    await new Promise<void>((resolve) =>
      child.stdout
        .setEncoding("utf8")
        .on("data", (text: string) => ((printed += text), printed.includes("Ctrl-C") && resolve())),
    );
    const env = Object.fromEntries(
      [...printed.matchAll(/export (\w+)=(\S+)/g)].map(([, name, value]) => [name!, value!]),
    );
    expect(Object.keys(env).sort()).toEqual([
      "ONGAGE_ACCOUNT_CODE",
      "ONGAGE_BASE_URL",
      "ONGAGE_LIST_ID",
      "ONGAGE_PASSWORD",
      "ONGAGE_USERNAME",
    ]);
    const dir = scratch({ "q.oq": "in segment 3\n" });
    const run = await runOqAsync(["run", "q.oq", "--poll-interval", "50ms"], { cwd: dir, env });
    expect(run.status).toBe(0);
    expect(run.stdout.trimEnd().split("\r\n").length).toBeGreaterThan(1);
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  });

  it("compile: the payload on stdout, nothing on stderr, exit 0", () => {
    const dir = scratch({ "q.oq": 'email ends "gmail.com" and opens >= 3 during 30d select email, opens\n' });
    const run = runOq(["compile", "q.oq", "--now", now, "--compact"], { cwd: dir });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).filters.criteria).toHaveLength(2);
  });

  it("a query error: file:line:col and a caret on stderr, nothing on stdout, exit 1", () => {
    const run = runOq(["check", "-"], { input: "opens >" });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^<stdin>:1:\d+: error/m);
    expect(run.stderr).toContain("^");
  });

  it("a usage error: exit 2; --version and --help: exit 0", () => {
    expect(runOq(["compile", "-", "--bogus"]).status).toBe(2);
    expect(runOq(["--version"]).status).toBe(0);
    const help = runOq(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: oq");
  });
});

describe('what oq compile loads (its start-up time: BENCHMARKS.md, "Cold start")', () => {
  const root = fileURLToPath(new URL("..", import.meta.url));
  // Preloaded into the command: notes each file read with readFileSync (as Node's CommonJS loader
  // reads modules) or opened with openSync (as bin/codeCache.cjs reads a cache file in parts),
  // each Node module loaded, and whether V8 took the code cache it was given.
  const recorder = `
    const fs = require("node:fs");
    const vm = require("node:vm");
    const files = [];
    const readFileSync = fs.readFileSync;
    fs.readFileSync = function (path, ...rest) { files.push(String(path)); return readFileSync.call(this, path, ...rest); };
    const openSync = fs.openSync;
    fs.openSync = function (path, ...rest) { files.push(String(path)); return openSync.call(this, path, ...rest); };
    const cachesTaken = [];
    const Script = vm.Script;
    vm.Script = function (source, options) { const script = new Script(source, options); if (options && options.cachedData) cachesTaken.push(!script.cachedDataRejected); return script; };
    process.on("exit", () => fs.writeFileSync(process.env.OQ_LOADED_LOG, JSON.stringify({
      files, cachesTaken, builtins: process.moduleLoadList.filter((name) => name.startsWith("NativeModule ")).map((name) => name.slice(13)),
    })));`;

  /** A scratch folder with `files` and the recorder, the options that preload it, and a reader of its log. */
  function recording(files: Record<string, string>, env: Record<string, string | undefined>) {
    const dir = scratch({ ...files, "recorder.cjs": recorder });
    const log = join(dir, "loaded.json");
    const options = {
      cwd: dir,
      env: { ...env, NODE_OPTIONS: `--require ${join(dir, "recorder.cjs")}`, OQ_LOADED_LOG: log },
    };
    const loaded = () => {
      const { files, cachesTaken, builtins } = JSON.parse(readFileSync(log, "utf8")) as {
        files: string[];
        cachesTaken: boolean[];
        builtins: string[];
      };
      // readFileSync opens the file with openSync: each file once.
      const ofOq = [...new Set(files)]
        .filter((file) => file.startsWith(root))
        .map((file) => relative(root, file));
      return { ofOq, cachesTaken, builtins };
    };
    return { options, loaded };
  }

  function loadedBy(
    argv: string[],
    files: Record<string, string>,
    env: Record<string, string | undefined> = {},
  ) {
    const { options, loaded } = recording(files, env);
    const run = runOq(argv, options);
    return { run, ...loaded() };
  }

  /** As loadedBy, for a command that talks to a server in this process. */
  async function loadedByAsync(argv: string[], env: Record<string, string | undefined>) {
    const { options, loaded } = recording({}, env);
    const run = await runOqAsync(argv, options);
    return { run, ...loaded() };
  }

  it("a query without mistakes: bin/oq.js, the compiling bundle and its code cache, which V8 takes", () => {
    const { run, ofOq, cachesTaken, builtins } = loadedBy(["compile", "q.oq"], {
      "q.oq": "opens >= 3 during 30d\n",
    });
    expect(run.status).toBe(0);
    expect(ofOq.sort()).toEqual([
      "bin/codeCache.cjs",
      "bin/oq.js",
      "dist/cli/compiling.cjs",
      "dist/cli/compiling.cjs.cache",
    ]);
    expect(cachesTaken).toEqual([true]);
    // commander needs child_process (which loads sockets and dgram) only for commands that are programs of their own.
    expect(builtins).not.toContain("child_process");
    // Nor the ES module loader: a CommonJS start.
    expect(builtins).not.toContain("internal/modules/esm/loader");
    // Nor Node's streams, though stdout and stderr are pipes here: the compiling commands write
    // to them with fs.writeSync (src/cli/syncOutput.ts), and the code cache is checked without
    // node:v8 (which loads them).
    const streams = ["stream", "internal/streams/writable", "net", "tty", "v8"];
    expect(builtins.filter((name) => streams.includes(name))).toEqual([]);
  });

  it("every other command does not load child_process either (commander's, required when used)", () => {
    const { run, builtins } = loadedBy(["fmt", "q.oq"], { "q.oq": "opens > 1\n" });
    expect(run.status).toBe(0);
    expect(builtins.filter((name) => ["child_process", "dgram"].includes(name))).toEqual([]);
  });

  it("oq reports: bin/oq.js and the reports bundle with its code cache, which V8 takes, without the ES module loader", () => {
    const noCredentials = { ONGAGE_USERNAME: undefined, ONGAGE_API_KEY: undefined };
    const { run, ofOq, cachesTaken, builtins } = loadedBy(["reports", "export", "12"], {}, noCredentials);
    // No credentials: a usage error, once the program has read its argv.
    expect(run.status).toBe(2);
    expect(ofOq.sort()).toEqual([
      "bin/codeCache.cjs",
      "bin/oq.js",
      "dist/cli/reports.cjs",
      "dist/cli/reports.cjs.cache",
    ]);
    expect(cachesTaken).toEqual([true]);
    expect(builtins).not.toContain("internal/modules/esm/loader");
  });

  it("an export over http loads neither TLS, crypto nor node:fs/promises (an https URL loads TLS when it is used)", async () => {
    const sandbox = await testSandbox();
    try {
      const id = await keptReport(sandbox);
      const { run, cachesTaken, builtins } = await loadedByAsync(
        ["reports", "export", id, "--out", "export.csv"],
        sandboxEnv(sandbox),
      );
      expect(run.status, run.stderr).toBe(0);
      expect(cachesTaken).toEqual([true]);
      expect(builtins.filter((name) => ["tls", "https", "crypto", "fs/promises"].includes(name))).toEqual([]);
    } finally {
      await sandbox.close();
    }
  });

  it("the bundles a start reads are ASCII (V8 decodes and keeps other text as two bytes a character)", () => {
    for (const bundle of ["compiling.cjs", "recovering-parser.cjs", "reports.cjs"]) {
      const text = readFileSync(join(root, "dist/cli", bundle), "latin1");
      expect(text.match(/[^\x00-\x7f]/g) ?? [], bundle).toEqual([]);
    }
  });

  it("a query with a syntax error: the recovering parser and its code cache too, and nothing else", () => {
    const { run, ofOq, cachesTaken } = loadedBy(["compile", "q.oq"], { "q.oq": "opens >= during 30d\n" });
    expect(run.status).toBe(1);
    expect(ofOq.sort()).toEqual([
      "bin/codeCache.cjs",
      "bin/oq.js",
      "dist/cli/compiling.cjs",
      "dist/cli/compiling.cjs.cache",
      "dist/cli/recovering-parser.cjs",
      "dist/cli/recovering-parser.cjs.cache",
    ]);
    expect(cachesTaken).toEqual([true, true]);
  });
});

/** Runs oq with its stdout read until the first chunk, then closed, as `| head -c 10` does. */
function runWithReaderLeavingEarly(
  args: string[],
  cwd: string,
): Promise<{ status: number | null; stderr: string; closedEarly: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [oqBin, ...args], {
      cwd,
      env: { ...process.env, OQ_NOW: now },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let closedEarly = false;
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdout.once("data", () => {
      closedEarly = true;
      child.stdout.destroy();
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stderr, closedEarly }));
  });
}

describe("a reader that closes stdout early", () => {
  it("ends compile, fmt and decompile quietly with exit 0, as oq run does", async () => {
    // Far more than a pipe holds (64 KB), so oq is still writing when the reader leaves.
    const list = Array.from({ length: 30_000 }, (_, i) => `"a${i}@example.com"`).join(", ");
    const dir = scratch({ "big.oq": `email = [${list}]\n` });
    const payload = runOq(["compile", "big.oq", "--now", now], { cwd: dir });
    expect(payload.status).toBe(0);
    writeFileSync(join(dir, "big.json"), payload.stdout);
    for (const args of [
      ["compile", "big.oq"],
      ["fmt", "big.oq"],
      ["decompile", "big.json"],
    ]) {
      const run = await runWithReaderLeavingEarly(args, dir);
      expect(run.closedEarly, args.join(" ")).toBe(true);
      expect(run.stderr, args.join(" ")).not.toMatch(/EPIPE|Error|at /);
      expect(run.status, args.join(" ")).toBe(0);
    }
  }, 60_000);
});

describe("oq reports over https, as Ongage is", () => {
  // The reports bundle loads node:https and node:tls at the first https request. It runs through
  // node:vm (its code cache), where an import() has no loader: the first build of that failed
  // every https call with ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING (cold test).
  it("export, status and list work against a server with its own certificate (NODE_EXTRA_CA_CERTS)", async () => {
    const certPath = fileURLToPath(new URL("./fixtures/selfSigned.cert.pem", import.meta.url));
    const tls = {
      cert: readFileSync(certPath),
      key: readFileSync(new URL("./fixtures/selfSigned.key.pem", import.meta.url)),
    };
    const ongage = await fakeOngage("7", () => false, { tls });
    try {
      const dir = scratch({});
      const env = {
        ONGAGE_BASE_URL: ongage.url,
        ONGAGE_LIST_ID: "12345",
        ONGAGE_USERNAME: "user",
        ONGAGE_PASSWORD: "secret",
        ONGAGE_ACCOUNT_CODE: "code",
        NODE_EXTRA_CA_CERTS: certPath,
      };
      const exported = await runOqAsync(["reports", "export", "7", "--out", "out.csv"], { cwd: dir, env });
      expect(exported.status, exported.stderr).toBe(0);
      expect(readFileSync(join(dir, "out.csv"), "utf8")).toBe("email,opens\r\na@example.com,\r\n");
      const status = await runOqAsync(["reports", "status", "7"], { env });
      expect(status.status, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/^7 {2}Completed/);
      const listed = await runOqAsync(["reports", "list"], { env });
      expect(listed.status, listed.stderr).toBe(0);
      expect(ongage.requests).toContain("GET /api/contact_activity/7/export");
    } finally {
      await ongage.close();
    }
  });
});

describe("Ongage's words through the built command", () => {
  // A report's title and status words arrive as the client's ServerText, made where Ongage's
  // replies are validated. A bundle that carried its own copy of that class printed {} for them
  // with --json and crashed without (the reports bundle a cold tester broke, since reverted).
  it("oq reports status and list print a report's title and status, as text and as JSON", async () => {
    const sandbox = await testSandbox();
    try {
      const id = await keptReport(sandbox);
      const env = sandboxEnv(sandbox);
      const status = await runOqAsync(["reports", "status", id], { env });
      expect(status.status, status.stderr).toBe(0);
      expect(status.stdout).toMatch(new RegExp(`^${id}  Completed \\(status 2\\)  \\S`));
      const listed = await runOqAsync(["reports", "list", "--json"], { env });
      expect(listed.status, listed.stderr).toBe(0);
      const { reports } = JSON.parse(listed.stdout) as {
        reports: { id: string; title: unknown; status_desc: unknown }[];
      };
      const mine = reports.find((report) => String(report.id) === id);
      expect(typeof mine?.title).toBe("string");
      expect(mine?.status_desc).toBe("Completed");
    } finally {
      await sandbox.close();
    }
  });
});
