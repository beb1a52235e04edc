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
    // All three are secret (an account code and a username are half a login), and so is the
    // user:pass pair a proxy might turn them into for Basic auth.
    secrets: () => [credentials.username, credentials.password, credentials.accountCode, `${credentials.username}:${credentials.password}`],
  };
}

/** One API-key header (`x-api-key` unless named); unconfirmed for Ongage. */
export function apiKeyAuth(key: string, header = "x-api-key"): AuthScheme {
  return { headers: () => ({ [header]: key }), secrets: () => [key] };
}

/** The shortest secret worth redacting: shorter strings would blank out ordinary words. */
const shortestSecret = 3;

/**
 * The ways a server may echo a secret back: as sent, URL-encoded (%XX or + for spaces),
 * escaped in JSON or HTML, or base64-encoded.
 */
export function secretForms(secret: string): string[] {
  if (secret.length < shortestSecret) return [];
  const html = secret.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  const forms = [
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, "+"),
    encodeURI(secret),
    JSON.stringify(secret).slice(1, -1),
    JSON.stringify(secret).slice(1, -1).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
    html,
    html.replace(/&#39;/g, "&#x27;").replace(/&quot;/g, "&#34;"),
    Buffer.from(secret, "utf8").toString("base64"),
    Buffer.from(secret, "latin1").toString("base64"),
  ];
  return [...new Set(forms)];
}

/** Every form of every secret, longest first, so that no part of a longer one is left. */
export function secretPatterns(secrets: readonly string[]): string[] {
  return [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
}

/** Replaces every secret in `text`, in any of the forms a server may echo it in, with ***. */
export function redact(text: string, secrets: readonly string[]): string {
  return redactPatterns(text, secretPatterns(secrets));
}

/** As redact, with the patterns worked out once (secretPatterns). Case does not matter. */
export function redactPatterns(text: string, patterns: readonly string[]): string {
  let out = text;
  for (const pattern of patterns) out = out.replace(new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"), "***");
  return out;
}
