/**
 * How requests prove who sends them. Ongage documents three headers; an API-key header is
 * rumoured, so the scheme is pluggable. A scheme also names its secrets, so that nothing oq
 * prints can contain them.
 */
export interface AuthScheme {
  headers(): Record<string, string>;
  secrets(): string[];
}

export interface HeaderCredentials {
  username: string;
  password: string;
  accountCode: string;
}

/** X_USERNAME, X_PASSWORD, X_ACCOUNT_CODE (documented by Ongage). */
export function headerAuth(credentials: HeaderCredentials): AuthScheme {
  return {
    headers: () => ({ X_USERNAME: credentials.username, X_PASSWORD: credentials.password, X_ACCOUNT_CODE: credentials.accountCode }),
    secrets: () => [credentials.password],
  };
}

/** One API-key header (`x-api-key` unless named); unconfirmed for Ongage. */
export function apiKeyAuth(key: string, header = "x-api-key"): AuthScheme {
  return { headers: () => ({ [header]: key }), secrets: () => [key] };
}

/** Replaces every secret in `text` with ***. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 3) out = out.split(secret).join("***");
  return out;
}
