import { apiKeyAuth, headerAuth, type AuthScheme } from "../client/auth.js";
import { OngageClient, type ClientEvent } from "../client/client.js";
import { CredentialError, ListIdError, OngageError } from "../client/errors.js";
import { durationFlag } from "./durationFlag.js";
import { findConfigPath } from "./findConfigFile.js";
import { UsageError } from "./usageError.js";

export interface ConnectionFlags {
  listId?: string;
  baseUrl?: string;
  /** `--rate-limit-patience`, a duration such as 10m. */
  rateLimitPatience?: string;
}

/**
 * The client for the commands that talk to Ongage: flags win over ONGAGE_* variables, which
 * win over oq.config.json. A missing credential is a usage error that names the variable.
 */
export async function connect(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  cwd: string,
  onEvent?: (event: ClientEvent) => void,
): Promise<OngageClient> {
  const configPath = findConfigPath(cwd);
  const config = configPath ? (await import("./configFileSchema.js")).readConfig(configPath) : {};
  const required = (name: string): string => {
    const value = env[name];
    if (!value) {
      throw new UsageError(
        `${name} is not set. oq reads Ongage credentials from the environment: ` +
          (config.auth === "api-key"
            ? "ONGAGE_API_KEY"
            : "ONGAGE_USERNAME, ONGAGE_PASSWORD and ONGAGE_ACCOUNT_CODE") +
          " (the account code is the alphanumeric code, not the account id).",
      );
    }
    // A space or tab at either end is almost always a copy-paste slip, and Ongage would only
    // answer 401: say so now, naming the variable (never its value).
    if (value.trim() !== value)
      throw new UsageError(
        `${name} begins or ends with a space, tab or line break; remove it (oq does not send a credential with one)`,
      );
    return value;
  };
  const auth: AuthScheme =
    config.auth === "api-key"
      ? apiKeyAuth(required("ONGAGE_API_KEY"), config.apiKeyHeader)
      : headerAuth({
          username: required("ONGAGE_USERNAME"),
          password: required("ONGAGE_PASSWORD"),
          accountCode: required("ONGAGE_ACCOUNT_CODE"),
        });
  // Which variable each header's value came from, to name it (never its value) when it cannot be sent.
  const variableOf = (header: string) =>
    config.auth === "api-key"
      ? "ONGAGE_API_KEY"
      : ((
          {
            X_USERNAME: "ONGAGE_USERNAME",
            X_PASSWORD: "ONGAGE_PASSWORD",
            X_ACCOUNT_CODE: "ONGAGE_ACCOUNT_CODE",
          } as Record<string, string>
        )[header] ?? header);
  const baseUrl = flags.baseUrl ?? env["ONGAGE_BASE_URL"] ?? config.baseUrl;
  // An empty variable counts as unset, as with the credentials; an empty --list-id is a mistake.
  const envListId = env["ONGAGE_LIST_ID"] || undefined;
  const listId = flags.listId ?? envListId ?? config.listId;
  const listIdSource =
    flags.listId !== undefined
      ? "--list-id"
      : envListId !== undefined
        ? "ONGAGE_LIST_ID"
        : "listId in oq.config.json";
  const rateLimitPatienceMs = rateLimitPatience(flags, env, config);
  try {
    return new OngageClient({
      auth,
      ...(baseUrl ? { baseUrl } : {}),
      ...(listId !== undefined ? { listId } : {}),
      ...(config.callsPerMinute ? { callsPerMinute: config.callsPerMinute } : {}),
      ...(config.maxInFlight ? { maxInFlight: config.maxInFlight } : {}),
      ...(config.createLookupMs !== undefined ? { createLookupMs: config.createLookupMs } : {}),
      ...(config.rateWindowSeconds ? { rateWindowMs: config.rateWindowSeconds * 1000 } : {}),
      ...(rateLimitPatienceMs !== undefined ? { backoff: { rateLimitPatienceMs } } : {}),
      ...(onEvent ? { onEvent } : {}),
    });
  } catch (error) {
    if (error instanceof CredentialError) {
      throw new UsageError(
        `${variableOf(error.header)} has a character an HTTP header cannot carry (a line break, a control character, or one outside Latin-1); check its value`,
      );
    }
    if (error instanceof ListIdError) throw new UsageError(`${listIdSource}: ${error.message}`);
    if (error instanceof OngageError && error.kind === "config") throw new UsageError(error.message);
    if (error instanceof TypeError) throw new UsageError(`the base URL '${baseUrl}' is not a URL`);
    throw error;
  }
}

/** The patience with 429s (BackoffOptions.rateLimitPatienceMs) the user set, if any: the flag, the environment, then the file. */
function rateLimitPatience(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  config: { rateLimitPatience?: string | undefined },
): number | undefined {
  // An empty variable counts as unset, as with the others.
  const envValue = env["OQ_RATE_LIMIT_PATIENCE"] || undefined;
  if (flags.rateLimitPatience !== undefined)
    return durationFlag("--rate-limit-patience", flags.rateLimitPatience);
  if (envValue !== undefined) return durationFlag("OQ_RATE_LIMIT_PATIENCE", envValue);
  if (config.rateLimitPatience !== undefined)
    return durationFlag("rateLimitPatience in oq.config.json", config.rateLimitPatience);
  return undefined;
}
