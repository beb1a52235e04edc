import { startSandbox, type Sandbox, type SandboxOptions } from "../../src/sandbox/server.js";

/** The sandbox's data "now" in the tests: fixed, so that the data and relative dates are reproducible. */
export const sandboxNow = "2024-06-01T00:00:00Z";
export const sandboxNowSeconds = Date.parse(sandboxNow) / 1000;

/** Test credentials: distinctive, so a test can check they are never printed. */
export const testCredentials = {
  username: "oq-tester",
  password: "s3cr3t-Pa55word!",
  accountCode: "TESTACCT",
};

export async function testSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({
    contacts: 400,
    seed: 7,
    now: sandboxNowSeconds,
    buildTimeMs: 50,
    credentials: testCredentials,
    ...options,
  });
}

/** The environment that points `oq` at a sandbox. */
export function sandboxEnv(
  sandbox: Sandbox,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    ONGAGE_BASE_URL: sandbox.url,
    ONGAGE_LIST_ID: sandbox.listId,
    ONGAGE_USERNAME: sandbox.credentials.username,
    ONGAGE_PASSWORD: sandbox.credentials.password,
    ONGAGE_ACCOUNT_CODE: sandbox.credentials.accountCode,
    OQ_NOW: sandboxNow,
    ...extra,
  };
}
