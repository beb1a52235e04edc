import { Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { apiKeyAuth, headerAuth, shortestSecretInWords } from "../src/client/auth.js";
import { OngageClient } from "../src/client/client.js";
import { decodedForms, withheldServerText } from "../src/client/echoedSecrets.js";
import { OngageError } from "../src/client/errors.js";

/*
 * The second line of defence (src/client/echoedSecrets.ts): a credential a server echoes in a
 * stack of encodings, or cut short, never reaches an error. The encoders here are PHP's and
 * C's, written independently of the client's decoders.
 */

const bytes = (text: string) => [...Buffer.from(text, "utf8")];
const hex = (byte: number) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;

export const encoders: Record<string, (text: string) => string> = {
  urlencode: (t) =>
    bytes(t)
      .map((b) =>
        /[A-Za-z0-9_.-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : b === 32 ? "+" : hex(b),
      )
      .join(""),
  rawurlencode: (t) =>
    bytes(t)
      .map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : hex(b)))
      .join(""),
  htmlspecialchars: (t) =>
    t
      .replace(/&/g, "&amp;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#039;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;"),
  // PHP's default: `/` as `\/`, and everything outside ASCII as \uXXXX.
  json_encode: (t) =>
    JSON.stringify(t)
      .slice(1, -1)
      .replace(/\//g, "\\/")
      .replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
  addslashes: (t) => t.replace(/[\\'"]/g, "\\$&"),
  xescapes: (t) =>
    t.replace(/[^A-Za-z0-9\u0080-\uffff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`),
  base64: (t) => Buffer.from(t, "utf8").toString("base64"),
};
const encoderNames = Object.keys(encoders);

/** The shortest start of a secret that counts as the secret (the rule docs/running.md states). */
function shortestPrefix(secret: string): number {
  const length = [...secret].length;
  return Math.min(length, Math.max(6, Math.ceil(length / 2)));
}

/** Fails if any decoded form of `text` holds the secret or its start (a short secret: as a word). */
function expectNoEcho(text: string, secret: string): void {
  expect(text).not.toContain(secret);
  const chars = [...secret];
  // A secret of one or two characters is looked for as a word, and not in base64's decodings (as the client does).
  for (const form of decodedForms(text, chars.length >= shortestSecretInWords)) {
    if (chars.length < shortestSecretInWords) {
      const escaped = secret.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
      expect(form).not.toMatch(new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, "iu"));
    } else {
      expect(form.toLowerCase()).not.toContain(chars.slice(0, shortestPrefix(secret)).join("").toLowerCase());
    }
  }
}

type Reply = "http-400-envelope" | "http-200-error-envelope" | "http-502-html" | "http-200-not-json";

/** The error the client throws when the server answers with `echo` quoted in a reply of the given kind. */
async function errorFor(secret: string, echo: string, reply: Reply): Promise<OngageError> {
  const client = new OngageClient({
    auth: apiKeyAuth(secret),
    baseUrl: "https://api.example.test",
    backoff: { baseMs: 1, retries: 0 },
    transport: async () => {
      const said = `bad key [${echo}] given`;
      const envelope = JSON.stringify({
        metadata: { error: true },
        payload: { code: 400, message: said, errors: { key: said } },
      });
      const [status, body] =
        reply === "http-400-envelope"
          ? [400, envelope]
          : reply === "http-200-error-envelope"
            ? [200, envelope]
            : reply === "http-502-html"
              ? [502, `<html><pre>${said}</pre></html>`]
              : [200, `<html><pre>${said}</pre></html>`];
      return { status, header: () => null, body: Readable.from([body]) };
    },
  });
  const error = await client.getReport("1").then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OngageError);
  return error as OngageError;
}

const errorText = (error: OngageError) => [error.message, ...error.errors].join("\n");

// Latin-1 only beyond ASCII: a header cannot carry more (CredentialError). No q, z or 7 in the client's own words, so that a one-letter secret is not found in them.
const secretCharacter = fc.oneof(
  fc.constantFrom(..."/'\"&<>+ %\\=?#;:@!~*()[]{}éüß"),
  fc.constantFrom(..."QqZz77"),
);
const secretArb = fc
  .array(secretCharacter, { minLength: 1, maxLength: 20 })
  .map((chars) => chars.join(""))
  .filter((secret) => secret.trim() === secret && secret.length > 0 && /[Qq7Zz]/.test(secret));

describe("credentials echoed in stacked encodings or cut short never reach an error", () => {
  it("property: a secret in 1-3 stacked encodings, whole or a long enough start, in any kind of reply", async () => {
    await fc.assert(
      fc.asyncProperty(
        secretArb,
        fc.array(fc.constantFrom(...encoderNames), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.nat(),
        fc.constantFrom<Reply>(
          "http-400-envelope",
          "http-200-error-envelope",
          "http-502-html",
          "http-200-not-json",
        ),
        async (secret, stack, cut, extra, reply) => {
          const chars = [...secret];
          const length = cut
            ? shortestPrefix(secret) + (extra % (chars.length - shortestPrefix(secret) + 1))
            : chars.length;
          const echoed = stack.reduce((text, name) => encoders[name]!(text), chars.slice(0, length).join(""));
          const error = await errorFor(secret, echoed, reply);
          expectNoEcho(errorText(error), secret);
          if (reply !== "http-502-html") expect(error.kind === "api" || error.kind === "protocol").toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("the cold attacker's stacks: urlencode twice and three times, urlencode of htmlspecialchars, HTML of JSON, JSON of JSON, addslashes, \\x escapes", async () => {
    const { urlencode, htmlspecialchars, json_encode, addslashes, xescapes } = encoders as Record<
      string,
      (t: string) => string
    >;
    const stacks: Record<string, (t: string) => string> = {
      "urlencode twice": (t) => urlencode!(urlencode!(t)),
      "urlencode three times": (t) => urlencode!(urlencode!(urlencode!(t))),
      "urlencode(htmlspecialchars)": (t) => urlencode!(htmlspecialchars!(t)),
      "htmlspecialchars(json_encode)": (t) => htmlspecialchars!(json_encode!(t)),
      "json_encode(json_encode)": (t) => json_encode!(json_encode!(t)),
      addslashes: (t) => addslashes!(t),
      "\\x escapes": (t) => xescapes!(t),
    };
    const secrets = [
      ...headerAuth({
        username: "al'ice \"o/n&eil+1@ex.com",
        password: "Pa's\"s/w&rd <x> +%=9",
        accountCode: "AC/7'31&z",
      }).secrets(),
      "Key/Abc+123=zz",
    ];
    for (const secret of secrets) {
      for (const [name, encode] of Object.entries(stacks)) {
        for (const reply of [
          "http-400-envelope",
          "http-200-error-envelope",
          "http-502-html",
          "http-200-not-json",
        ] as const) {
          const error = await errorFor(secret, encode(secret), reply);
          expectNoEcho(errorText(error), secret);
          // Blanked out by the first line, or the server's words withheld by the second.
          if (reply !== "http-502-html")
            expect(errorText(error), `${name} ${reply}`).toMatch(
              /\*\*\*|is not shown: it contained a credential/,
            );
        }
      }
    }
  });

  it("a start of a secret (the server cut it short) is withheld; a start shorter than the rule is not a secret", async () => {
    const key = "Key/Abc+123=zz";
    const cutShort = await errorFor(key, "Key/Abc+123", "http-400-envelope");
    expect(cutShort.message).toContain(withheldServerText);
    expectNoEcho(errorText(cutShort), key);
    // Six characters and half the key (7) are needed: "Key/A" alone is not taken for it.
    const tooShort = await errorFor(key, "Key/A", "http-400-envelope");
    expect(tooShort.message).toContain("bad key [Key/A] given");
  });

  it("readable messages stay readable: a secret the first line blanks out leaves the rest shown", async () => {
    const error = await errorFor("Key/Abc+123=zz", "Key%2FAbc%2B123%3Dzz", "http-400-envelope");
    expect(error.message).toContain("bad key [***] given");
    expect(error.message).not.toContain(withheldServerText);
  });
});

/** The shortest run of a secret, anywhere in it, that docs/running.md says is withheld: max(6, half). */
const shortestRun = shortestPrefix;

/** The runs of `secret` of the rule's length that hold one of its distinctive characters (which oq's own words never do). */
function distinctiveRuns(secret: string): string[] {
  const chars = [...secret];
  const length = shortestRun(secret);
  return chars
    .map((_, start) => chars.slice(start, start + length))
    .filter((run) => run.length === length)
    .map((run) => run.join(""))
    .filter((run) => /[Qq7Zz]/.test(run));
}

describe("a run of a secret anywhere in it, not only its start, never reaches an error", () => {
  const longSecretArb = fc
    .array(secretCharacter, { minLength: shortestSecretInWords, maxLength: 60 })
    .map((chars) => chars.join(""))
    .filter((secret) => secret.trim() === secret && /[Qq7Zz]/.test(secret));

  it("property: any run of at least max(6, half) of a secret, from anywhere in it, in 0-3 stacked encodings, in any kind of reply", async () => {
    await fc.assert(
      fc.asyncProperty(
        longSecretArb,
        fc.nat(),
        fc.nat(),
        fc.array(fc.constantFrom(...encoderNames), { maxLength: 3 }),
        fc.constantFrom<Reply>(
          "http-400-envelope",
          "http-200-error-envelope",
          "http-502-html",
          "http-200-not-json",
        ),
        async (secret, startSeed, lengthSeed, stack, reply) => {
          const chars = [...secret];
          const rule = shortestRun(secret);
          const length = rule + (lengthSeed % (chars.length - rule + 1));
          const start = startSeed % (chars.length - length + 1);
          const run = chars.slice(start, start + length).join("");
          const echoed = stack.reduce((text, name) => encoders[name]!(text), run);
          const text = errorText(await errorFor(secret, echoed, reply));
          for (const form of decodedForms(text))
            for (const piece of distinctiveRuns(secret))
              expect(form.toLowerCase(), `${JSON.stringify(run)} as ${stack.join(" of ")}`).not.toContain(
                piece.toLowerCase(),
              );
        },
      ),
      { numRuns: 400 },
    );
  });

  it("a run shorter than the rule, in the middle of a secret, is not taken for it", async () => {
    const key = "Key/Abc+123=zz";
    // Seven characters (half the key) are needed: "Abc+12" alone is not taken for it.
    const tooShort = await errorFor(key, "Abc+12", "http-400-envelope");
    expect(tooShort.message).toContain("bad key [Abc+12] given");
    const long = await errorFor(key, "Abc+123", "http-400-envelope");
    expect(long.message).toContain(withheldServerText);
  });
});
