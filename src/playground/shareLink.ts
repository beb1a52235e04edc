/*
 * Share links: what the page needs to show a query again (its text, the clock, the field schema)
 * kept in the URL's fragment, which browsers never send to a server, so a shared query stays out
 * of every server's logs. The format, docs/playground.md:
 *
 *     #q=<query>&now=<clock>&schema=<fields.json>
 *
 * each value its text's UTF-8 bytes in base64url (RFC 4648 §5, without padding), so any text
 * (quotes, emoji, a byte order mark) comes back byte for byte; the editor itself writes every line
 * break as \n, so a query typed or opened in the page has no \r\n or \r to keep. `now` and `schema` are left out when
 * empty; `q` never is, so that a link to an empty query opens an empty query.
 */

/** What a link restores. */
export interface SharedQuery {
  query: string;
  /** The "now" control's text, as typed (empty: the clock of whoever opens the link). */
  now: string;
  /** The field schema's text, as pasted or opened (empty: no custom fields). */
  schema: string;
}

const keys = { query: "q", now: "now", schema: "schema" } as const;

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  // In slices: String.fromCharCode takes its characters as arguments, and arguments are bounded.
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(value: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(value) || value.length % 4 === 1) return undefined;
  const binary = atob(value.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  try {
    // ignoreBOM: a query that starts with U+FEFF keeps it (the decoder drops it by default).
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** The fragment (with its `#`) that restores `shared`. */
export function shareFragment(shared: SharedQuery): string {
  const parts = (Object.keys(keys) as (keyof SharedQuery)[])
    .filter((part) => part === "query" || shared[part] !== "")
    .map((part) => `${keys[part]}=${toBase64Url(shared[part])}`);
  return `#${parts.join("&")}`;
}

/**
 * What a fragment (with or without its `#`) restores, or undefined when it holds no query: the
 * page then opens as it would without one. A part that is not base64url of UTF-8 is read as
 * empty; parts the page does not know are ignored.
 */
export function readShareFragment(fragment: string): SharedQuery | undefined {
  const values = new Map<string, string>();
  for (const pair of fragment.replace(/^#/, "").split("&")) {
    const at = pair.indexOf("=");
    if (at > 0) values.set(pair.slice(0, at), pair.slice(at + 1));
  }
  const read = (part: keyof SharedQuery) => {
    const value = values.get(keys[part]);
    return value === undefined ? "" : (fromBase64Url(value) ?? "");
  };
  if (!values.has(keys.query)) return undefined;
  return { query: read("query"), now: read("now"), schema: read("schema") };
}
