import { redactPatterns, secretPatterns } from "./auth.js";
import { echoesSecret, echoNeedles, withheldServerText, type EchoNeedles } from "./echoedSecrets.js";

/*
 * The one door between what the server says and what oq prints. Text the server chose (a
 * report's status words and title, a CSV's header, the words of an error reply) is held as a
 * ServerText, which is no string: it cannot be printed, joined into a message or written as
 * JSON; its one way out is a Redaction, built from the client's credentials, which blanks out
 * every credential (longest first) and withholds the text when one is still in it after
 * decoding. Whatever else oq prints about reports (ids, which are the server's words too, and
 * messages quoting them) is made by the same door (Redaction.line, Redaction.json) and typed
 * Redacted, which only the door makes.
 */

/** Text as it passed the door: nothing but a Redaction makes one (npm run typecheck holds the printers to it: scripts/serverTextDoor.mjs). */
export type Redacted = string & { readonly [redactedBrand]: true };
declare const redactedBrand: unique symbol;

/** What a line made by the door may quote: the server's text, or any other value, which is passed through the door too. */
export type Quotable = ServerText | string | number;

/** A template tag that makes a line through the door (Redaction.line). */
export type RedactedLine = (strings: TemplateStringsArray, ...values: readonly Quotable[]) => Redacted;

let textOf: (text: ServerText) => string;

function refuse(): never {
  throw new TypeError("text from the server is printed only through its redaction (ServerText.redactedBy)");
}

/** Text the server chose, which oq reads and prints only through a Redaction. */
export class ServerText {
  readonly #text: string;

  private constructor(text: string) {
    this.#text = text;
  }

  static {
    textOf = (text) => text.#text;
  }

  static from(text: string): ServerText {
    return new ServerText(text);
  }

  /** The text as oq may print it: through the door. */
  redactedBy(redaction: Redaction): Redacted {
    return redaction.quote(this);
  }

  /** Whether it is exactly `text` (a title oq gave). */
  is(text: string): boolean {
    return this.#text === text;
  }

  /** Whether it starts with `prefix` (a title's marker). */
  startsWith(prefix: string): boolean {
    return this.#text.startsWith(prefix);
  }

  // Never turned into a string or JSON by accident: npm run typecheck holds src/ to that, and this stops any miss.
  toString(): never {
    return refuse();
  }

  toJSON(): never {
    return refuse();
  }

  [Symbol.toPrimitive](): never {
    return refuse();
  }
}

/**
 * The credentials of one client as the door uses them: every form of each (secretPatterns) for
 * the first line of defence, and what the second line looks for (echoNeedles). It never gives
 * them back.
 */
export class Redaction {
  readonly #secrets: readonly string[];
  /**
   * What finds the credentials, worked out when first needed: it takes tens of milliseconds,
   * and a run that goes well (an export) may print nothing of the server's.
   */
  #finders: { patterns: RegExp[]; needles: EchoNeedles } | undefined;

  constructor(secrets: readonly string[]) {
    this.#secrets = [...secrets];
  }

  get #patterns(): RegExp[] {
    return (this.#finders ??= {
      patterns: secretPatterns(this.#secrets),
      needles: echoNeedles(this.#secrets),
    }).patterns;
  }

  get #needles(): EchoNeedles {
    void this.#patterns;
    return this.#finders!.needles;
  }

  /**
   * The first line of defence alone, for oq's own message that may hold pieces the server sent
   * (a path with a report id in it): every credential, in every form it may be echoed in,
   * blanked out as ***, the longest first.
   */
  blank(text: string): Redacted {
    return redactPatterns(text, this.#patterns) as Redacted;
  }

  /**
   * The door: `text` blanked out as `blank` does, then withheld whole when a credential, or a
   * long enough run of one anywhere in it (of a longer one as the blanking of a shorter one left it too), is
   * still in any form of it that decoding in layers finds (echoedSecrets.ts).
   */
  quote(text: ServerText | string): Redacted {
    const blanked = this.blank(typeof text === "string" ? text : textOf(text));
    return (echoesSecret(blanked, this.#needles) ? withheldServerText : blanked) as Redacted;
  }

  /** A line of oq's own words (the template's literal parts) with every value passed through the door. */
  readonly line: RedactedLine = (strings, ...values) => this.lineWith((text) => text)(strings, ...values);

  /** The tag `line`, with each value, once through the door, passed to `finish` (a shell's escaping for a terminal). */
  lineWith(finish: (text: string) => string): RedactedLine {
    return (strings, ...values) =>
      strings.reduce(
        (line, literal, index) =>
          index === 0 ? literal : `${line}${finish(this.#value(values[index - 1]!))}${literal}`,
        "",
      ) as Redacted;
  }

  /**
   * `value` written as JSON by `stringify` (a shell's), every string and every ServerText in it
   * first passed through the door (for `--json`).
   */
  json(value: unknown, stringify: (value: unknown) => string): Redacted {
    return stringify(this.#quoteAll(value)) as Redacted;
  }

  #value(value: Quotable): string {
    return typeof value === "number" ? String(value) : this.quote(value);
  }

  #quoteAll(value: unknown): unknown {
    if (typeof value === "string" || value instanceof ServerText) return this.quote(value);
    if (Array.isArray(value)) return value.map((item) => this.#quoteAll(item));
    if (value !== null && typeof value === "object")
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.#quoteAll(item)]));
    return value;
  }
}
