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
    headers: () => ({
      X_USERNAME: credentials.username,
      X_PASSWORD: credentials.password,
      X_ACCOUNT_CODE: credentials.accountCode,
    }),
    // All three are secret (an account code and a username are half a login), and so is the
    // user:pass pair a proxy might turn them into for Basic auth.
    secrets: () => [
      credentials.username,
      credentials.password,
      credentials.accountCode,
      `${credentials.username}:${credentials.password}`,
    ],
  };
}

/** One API-key header (`x-api-key` unless named); unconfirmed for Ongage. */
export function apiKeyAuth(key: string, header = "x-api-key"): AuthScheme {
  return { headers: () => ({ [header]: key }), secrets: () => [key] };
}

/**
 * Secrets shorter than this are redacted only as whole words (not inside a longer word), so
 * that a two-letter account code does not blank out every word that contains its letters.
 */
export const shortestSecretInWords = 3;

/** HTML's names for the characters it escapes (htmlspecialchars, ENT_QUOTES, HTML5). */
export const htmlNames: Record<string, string> = {
  "&": "amp",
  "<": "lt",
  ">": "gt",
  '"': "quot",
  "'": "apos",
  " ": "nbsp",
};

/** JSON's short escapes (json_encode also writes `/` as `\/`). */
const jsonShort: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "/": "\\/",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * Every way a server may write one character when it echoes text back: as itself; percent-
 * encoded (UTF-8 bytes as %XX, also encoded twice as %25XX, and + for a space); JSON-escaped
 * (\uXXXX, \/ and the other short escapes); as an HTML entity (named, decimal or hex, with
 * leading zeros, with or without the `;`, also escaped twice as &amp;...). Encodings may be
 * mixed character by character, so the secret's pattern is built from these, one per
 * character, rather than from a list of whole encoded strings: no escaping of any character
 * can slip through. Longer forms come first, so that `&amp;` is not taken as `&` plus "amp;".
 */
function characterForms(char: string): string {
  const code = char.codePointAt(0)!;
  const bytes = [...Buffer.from(char, "utf8")]
    .map((byte) => `%(?:25)?${byte.toString(16).padStart(2, "0")}`)
    .join("");
  const units =
    [...char].length === 1 && code > 0xffff
      ? [0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff)]
      : [code];
  const json = units.map((unit) => `\\\\u${unit.toString(16).padStart(4, "0")}`).join("");
  const amp = "&(?:amp;)?";
  const forms = [
    `${amp}#0*${code};?`,
    `${amp}#x0*${code.toString(16)};?`,
    ...(htmlNames[char] ? [`${amp}${htmlNames[char]};?`] : []),
    json,
    ...(jsonShort[char] ? [literal(jsonShort[char])] : []),
    bytes,
    ...(char === " " ? ["\\+"] : []),
    literal(char),
  ];
  return `(?:${forms.join("|")})`;
}

/** The secret in any of the encodings characterForms knows, mixed in any way, in any letter case. */
function encodedSecret(secret: string): string {
  return [...secret].map(characterForms).join("");
}

/** The base64 forms (which cannot be matched a character at a time). */
function base64Forms(secret: string): string[] {
  return [
    ...new Set([
      Buffer.from(secret, "utf8").toString("base64"),
      Buffer.from(secret, "latin1").toString("base64"),
      Buffer.from(secret, "utf8").toString("base64url"),
    ]),
  ];
}

/**
 * One pattern per secret that matches it as sent and in every form a server may echo it in:
 * any mix of URL-, JSON- and HTML-escaping of its characters (characterForms), base64, any
 * letter case. Longest secrets first, so that no part of a longer one is left.
 */
export function secretPatterns(secrets: readonly string[]): RegExp[] {
  return [...new Set(secrets)]
    .filter((secret) => secret.length > 0)
    .sort((a, b) => b.length - a.length)
    .map((secret) => {
      const forms = [encodedSecret(secret), ...base64Forms(secret).map(literal)].join("|");
      // A short secret only as a word of its own: "ab" is redacted in "code ab", not in "about".
      const pattern =
        [...secret].length < shortestSecretInWords
          ? `(?<![\\p{L}\\p{N}])(?:${forms})(?![\\p{L}\\p{N}])`
          : forms;
      return new RegExp(pattern, "giu");
    });
}

/** Replaces every secret in `text`, in any of the forms a server may echo it in, with ***. */
export function redact(text: string, secrets: readonly string[]): string {
  return redactPatterns(text, secretPatterns(secrets));
}

/** As redact, with the patterns worked out once (secretPatterns). */
export function redactPatterns(text: string, patterns: readonly RegExp[]): string {
  let out = text;
  for (const pattern of patterns) out = out.replace(pattern, "***");
  return out;
}
