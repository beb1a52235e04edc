// Writes V8's code cache of dist/cli/reports.cjs (bin/codeCache.cjs): `oq reports export`,
// `status` and `list` are run in this process against a local sandbox (oq's own imitation of
// Ongage, from dist/lib), so that the cache holds the functions an export compiles, not only the
// bundle's top level. scripts/build.mjs runs it in a Node process of its own, after dist/lib is
// built: a cache is accepted only by the Node (V8 version and flags) that wrote it.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const { startSandbox } = await import(new URL("../dist/lib/entry/sandbox.js", import.meta.url).href);
const { headerAuth, OngageClient } = await import(
  new URL("../dist/lib/entry/client.js", import.meta.url).href
);
const { compile } = await import(new URL("../dist/lib/index.js", import.meta.url).href);
const { writeCodeCache } = createRequire(import.meta.url)("../bin/codeCache.cjs");

const sandbox = await startSandbox({ contacts: 500, buildTimeMs: 0 });
const scratch = mkdtempSync(join(tmpdir(), "oq-reports-cache-runs-"));
try {
  const client = new OngageClient({
    auth: headerAuth(sandbox.credentials),
    baseUrl: sandbox.url,
    listId: sandbox.listId,
  });
  const query = "email is not empty users all during 120d select email, opens, clicks";
  const report = await client.createReport(compile(query, { now: "2024-02-01T00:00:00Z" }).payload);
  while ((await client.getReport(report.id)).status === 1)
    await new Promise((resolve) => setTimeout(resolve, 10));
  const { username, password, accountCode } = sandbox.credentials;
  Object.assign(process.env, {
    ONGAGE_BASE_URL: sandbox.url,
    ONGAGE_LIST_ID: sandbox.listId,
    ONGAGE_USERNAME: username,
    ONGAGE_PASSWORD: password,
    ONGAGE_ACCOUNT_CODE: accountCode,
  });
  const id = String(report.id);
  await writeCodeCache(join(root, "dist/cli/reports.cjs"), [
    ["reports", "export", id, "--out", join(scratch, "export.csv")],
    ["reports", "status", id],
    ["reports", "list"],
  ]);
  // A cache of runs that failed would hold little of an export's code: none is left, so that
  // the build fails and the next one (--if-stale too) writes it again.
  if (!existsSync(join(scratch, "export.csv"))) {
    rmSync(join(root, "dist/cli/reports.cjs.cache"), { force: true });
    throw new Error("the export run made no CSV");
  }
} finally {
  await sandbox.close();
  rmSync(scratch, { recursive: true, force: true });
}
// The sandbox's and the runs' connections are closed; nothing is left to wait for.
process.exit(0);
