import { htmlNames, redactPatterns, secretPatterns, shortestSecretInWords } from "./auth.js";

/**
 * The second line of defence against a credential in text a server sends back (the first is
 * redactPatterns, which blanks out each secret character by character in the usual escapings
 * and keeps the rest of a message readable). Servers stack encodings (urlencode twice, JSON
 * of JSON, HTML of JSON...) and quote secrets cut short; rather than know every stack, this
 * decodes the text in layers, each layer applying every decoder to every form of the layer
 * before, and if any form holds a secret, or a long enough run of one (anywhere in it, not only
 * its start), the server's text is not shown at all. The work is bounded: 4 rounds, at most
 * 200 forms of at most 4000 characters, and per position of a form one look-up of the runs
 * that start there (runs of at most 24 characters, a secret's runs counted once).
 */

/** Said instead of a server's text that held a credential. */
export const withheldServerText = "the server's reply is not shown: it contained a credential";

/** Rounds of decoding: enough for three stacked encodings and one more. */
const decodingRounds = 4;
/** Only this much of a server's text is checked, and shown. */
export const longestServerText = 4000;
/** The most forms kept per text, so that the work stays bounded whatever the text. */
const mostForms = 200;

/**
 * The longest run looked for: a longer secret's runs are looked for at this length (any longer
 * run holds one), so that the runs and the work per position stay bounded whatever the secret.
 */
const longestRun = 24;

/**
 * The shortest run of a secret, anywhere in it, that counts as the secret: max(6, half), never
 * more than the secret, and never more than longestRun.
 */
function shortestEchoedRun(length: number): number {
  return Math.min(length, longestRun, Math.max(6, Math.ceil(length / 2)));
}

const htmlCharacters: Record<string, string> = Object.fromEntries(
  Object.entries(htmlNames).map(([char, name]) => [name, char]),
);

function fromCodePoint(code: number): string {
  return code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "";
}

/** urldecode: `+` is a space, %XX are UTF-8 bytes (a run that is not UTF-8 is read as Latin-1). */
function percentDecode(text: string): string {
  return text.replace(/\+/g, " ").replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    const bytes = Buffer.from(run.replace(/%/g, ""), "hex");
    const utf8 = bytes.toString("utf8");
    return utf8.includes("\ufffd") ? bytes.toString("latin1") : utf8;
  });
}

/** HTML entities: named, decimal and hex, with or without the `;`. */
function htmlDecode(text: string): string {
  return text.replace(
    /&(?:#(\d{1,8})|#x([0-9a-f]{1,7})|([a-z]{2,6}));?/gi,
    (whole, decimal?: string, hex?: string, name?: string) => {
      if (decimal !== undefined) return fromCodePoint(Number(decimal));
      if (hex !== undefined) return fromCodePoint(parseInt(hex, 16));
      return htmlCharacters[name!.toLowerCase()] ?? whole;
    },
  );
}

const backslashShort: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/** JSON's and C's backslash escapes: \uXXXX, \xXX, \n and friends, and `\` before any other character (\/ \\ \' \"). */
function backslashDecode(text: string): string {
  return text.replace(
    /\\(?:u([0-9a-f]{4})|x([0-9a-f]{2})|([\s\S]))/gi,
    (_, unit?: string, byte?: string, char?: string) => {
      if (unit !== undefined) return String.fromCharCode(parseInt(unit, 16));
      if (byte !== undefined) return String.fromCharCode(parseInt(byte, 16));
      return backslashShort[char!] ?? char!;
    },
  );
}

/**
 * Each run that may be base64, decoded from each of the four places a secret's encoding may
 * start; only decodings that are printable text are kept, so that random words do not turn
 * into noise in which a short secret would be found by chance.
 */
function base64Decode(text: string): string {
  return text.replace(/[A-Za-z0-9+/_-]{4,}={0,2}/g, (run) => {
    const printable = [0, 1, 2, 3]
      .map((start) => Buffer.from(run.slice(start), "base64").toString("utf8"))
      .filter((decoded) => decoded.length > 0 && !/[\ufffd\p{Cc}]/u.test(decoded));
    return printable.length > 0 ? `${run} ${printable.join(" ")}` : run;
  });
}

const textDecoders = [percentDecode, htmlDecode, backslashDecode];

/**
 * The text and its decoded forms, layer by layer (bounded: rounds, forms and length). Without
 * `base64`, base64 is not decoded (for secrets of one or two characters, which a decoding of
 * ordinary words would hold too often).
 */
export function decodedForms(text: string, base64 = true): string[] {
  const decoders = base64 ? [...textDecoders, base64Decode] : textDecoders;
  const forms = new Set([text.slice(0, longestServerText)]);
  let layer = [...forms];
  for (let round = 0; round < decodingRounds && layer.length > 0; round++) {
    const next: string[] = [];
    for (const form of layer) {
      for (const decode of decoders) {
        const decoded = decode(form).slice(0, longestServerText);
        if (forms.size >= mostForms) return [...forms];
        if (!forms.has(decoded)) {
          forms.add(decoded);
          next.push(decoded);
        }
      }
    }
    layer = next;
  }
  return [...forms];
}

const literalPattern = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** The blank the first line of defence leaves for a secret (redactPatterns). */
const blank = "***";

/** What the second line of defence looks for, worked out once per set of credentials (echoNeedles). */
export interface EchoNeedles {
  /**
   * Lower-case runs of secrets (and of secrets as the first line leaves them) that count as
   * the secret, by their first `keyLength` characters (a look-up per position of a text).
   */
  runs: Map<string, string[]>;
  /** The length of the runs' keys: the shortest run. */
  keyLength: number;
  /** Secrets of one or two characters, as words of their own. */
  words: RegExp[];
}

/**
 * The runs to look for, for each secret of three characters or more: every run of it of the
 * rule's length (shortestEchoedRun), wherever it starts in the secret, as it is and as the
 * first line of defence leaves it when the run holds a shorter secret (`***-` for the start
 * `correct-horse-` of `correct-horse-battery-staple` when the username is `correct-horse`),
 * so that blanking the shorter secret cannot strand a run of the longer one. When a shorter
 * secret is itself as long as the rule's run, the runs one character longer than it are
 * looked for too, so that the shorter secret's blank with any of the longer one's own
 * characters beside it still counts. A run that the blanking leaves nothing of is no sign.
 */
export function echoNeedles(secrets: readonly string[]): EchoNeedles {
  const wanted = [...new Set(secrets)].filter((secret) => secret.length > 0);
  const long = wanted.filter((secret) => [...secret].length >= shortestSecretInWords);
  const short = wanted.filter((secret) => [...secret].length < shortestSecretInWords);
  const found = new Set<string>();
  for (const secret of long) {
    const chars = [...secret];
    const others = wanted.filter((other) => other !== secret);
    // Only the patterns of secrets the first line finds in this one can change its runs.
    const blanks = secretPatterns(others).filter((pattern) => secret.search(pattern) >= 0);
    const run = shortestEchoedRun(chars.length);
    const held = others.filter(
      (other) => [...other].length >= shortestSecretInWords && secret.includes(other),
    );
    const lengths = new Set([
      run,
      ...held
        .map((other) => [...other].length + 1)
        .filter((length) => length > run && length <= chars.length),
    ]);
    for (const length of lengths)
      for (let start = 0; start + length <= chars.length; start++) {
        const window = chars.slice(start, start + length).join("");
        if (length === run) found.add(window.toLowerCase());
        const left = blanks.length > 0 ? redactPatterns(window, blanks) : window;
        if (left !== window && left.replaceAll(blank, "").length > 0) found.add(left.toLowerCase());
      }
  }
  const keyLength = Math.min(...[...found].map((needle) => needle.length));
  const runs = new Map<string, string[]>();
  for (const needle of found) {
    const key = needle.slice(0, keyLength);
    runs.set(key, [...(runs.get(key) ?? []), needle]);
  }
  const words = short.map(
    (secret) => new RegExp(`(?<![\\p{L}\\p{N}])${literalPattern(secret)}(?![\\p{L}\\p{N}])`, "iu"),
  );
  return { runs, keyLength, words };
}

/** Whether `form` (lower case) holds one of the runs: one look-up per position, by the run's key. */
function holdsRun(form: string, { runs, keyLength }: EchoNeedles): boolean {
  for (let at = 0; at + keyLength <= form.length; at++) {
    const candidates = runs.get(form.slice(at, at + keyLength));
    if (candidates?.some((needle) => form.startsWith(needle, at))) return true;
  }
  return false;
}

/** Tells whether text (already through the first line) holds a secret, or a long enough run of one, in any form decodedForms finds. */
export function echoesSecret(text: string, needles: EchoNeedles): boolean {
  if (text.length === 0) return false;
  if (needles.runs.size > 0 && decodedForms(text).some((form) => holdsRun(form.toLowerCase(), needles)))
    return true;
  const { words } = needles;
  return words.length > 0 && decodedForms(text, false).some((form) => words.some((word) => word.test(form)));
}
