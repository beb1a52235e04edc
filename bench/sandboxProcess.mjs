// What the benchmarks share (bench/run.mjs, bench/plan.mjs): `oq sandbox` in a process of its own.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));

/** BENCHMARKS.md's section that `npm run bench:plan` writes and `npm run bench` keeps. */
export const plansHeading = "## Query plans";

/** `oq sandbox` in its own process, on a free port. */
export async function startSandboxProcess(contacts, buildTime = "0s", faults = undefined) {
  const args = [
    "sandbox",
    "--port",
    "0",
    "--contacts",
    String(contacts),
    "--build-time",
    buildTime,
    ...(faults ? ["--faults", faults] : []),
  ];
  const child = spawn(process.execPath, [join(root, "bin/oq.js"), ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let text = "";
  await new Promise((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      text += chunk;
      if (text.includes("Ctrl-C")) resolve();
    });
    child.once("exit", () => reject(new Error(`the sandbox stopped: ${text}`)));
  });
  const value = (name) => new RegExp(`export ${name}=(\\S+)`).exec(text)[1];
  return {
    url: value("ONGAGE_BASE_URL"),
    listId: value("ONGAGE_LIST_ID"),
    credentials: {
      username: value("ONGAGE_USERNAME"),
      password: value("ONGAGE_PASSWORD"),
      accountCode: value("ONGAGE_ACCOUNT_CODE"),
    },
    stop: () => child.kill("SIGINT"),
  };
}

/** The environment that points `oq` at a sandbox. */
export function sandboxEnv(sandbox) {
  return {
    ...process.env,
    ONGAGE_BASE_URL: sandbox.url,
    ONGAGE_LIST_ID: sandbox.listId,
    ONGAGE_USERNAME: sandbox.credentials.username,
    ONGAGE_PASSWORD: sandbox.credentials.password,
    ONGAGE_ACCOUNT_CODE: sandbox.credentials.accountCode,
  };
}
