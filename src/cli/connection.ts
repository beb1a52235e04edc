import { apiKeyAuth, headerAuth, type AuthScheme } from "../client/auth.js";
import { OngageClient, type ClientEvent } from "../client/client.js";
import { OngageError } from "../client/errors.js";
import { findConfigPath } from "./config.js";
import { UsageError } from "./usageError.js";

export interface ConnectionFlags {
  listId?: string;
  baseUrl?: string;
}

/**
 * The client for the commands that talk to Ongage: flags win over ONGAGE_* variables, which
 * win over oq.config.json. A missing credential is a usage error that names the variable.
 */
export async function connect(flags: ConnectionFlags, env: NodeJS.ProcessEnv, cwd: string, onEvent?: (event: ClientEvent) => void): Promise<OngageClient> {
  const configPath = findConfigPath(cwd);
  const config = configPath ? (await import("./configFile.js")).readConfig(configPath) : {};
  const required = (name: string): string => {
    const value = env[name];
    if (!value) {
      throw new UsageError(
        `${name} is not set. oq reads Ongage credentials from the environment: ` +
          (config.auth === "api-key" ? "ONGAGE_API_KEY" : "ONGAGE_USERNAME, ONGAGE_PASSWORD and ONGAGE_ACCOUNT_CODE") +
          " (the account code is the alphanumeric code, not the account id).",
      );
    }
    return value;
  };
  const auth: AuthScheme =
    config.auth === "api-key"
      ? apiKeyAuth(required("ONGAGE_API_KEY"), config.apiKeyHeader)
      : headerAuth({ username: required("ONGAGE_USERNAME"), password: required("ONGAGE_PASSWORD"), accountCode: required("ONGAGE_ACCOUNT_CODE") });
  const baseUrl = flags.baseUrl ?? env["ONGAGE_BASE_URL"] ?? config.baseUrl;
  const listId = flags.listId ?? env["ONGAGE_LIST_ID"] ?? config.listId;
  try {
    return new OngageClient({
      auth,
      ...(baseUrl ? { baseUrl } : {}),
      ...(listId ? { listId } : {}),
      ...(config.callsPerMinute ? { callsPerMinute: config.callsPerMinute } : {}),
      ...(config.maxInFlight ? { maxInFlight: config.maxInFlight } : {}),
      ...(config.createLookupMs !== undefined ? { createLookupMs: config.createLookupMs } : {}),
      ...(onEvent ? { onEvent } : {}),
    });
  } catch (error) {
    if (error instanceof OngageError && error.kind === "config") throw new UsageError(error.message);
    if (error instanceof TypeError) throw new UsageError(`the base URL '${baseUrl}' is not a URL`);
    throw error;
  }
}
