/** JSON's string escapes, so that any JSON string literal is also an oq string literal. */
const simpleEscapes: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  f: "\f",
};

/** Where, within a string literal's body, a piece of text is (offset and length in the body). */
interface BodyRange {
  at: number;
  length: number;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * The text of a string literal's body (between the quotes). `badEscapes` are the offsets, within
 * the body, of the escapes that are not ones; the text then keeps each escaped character.
 * `loneSurrogates` are half characters (a `\ud83d` escape, or such a code unit handed in by a
 * library caller) that no valid text holds and no request should carry; `\ud83d\ude00`, a pair
 * forming one character, is fine.
 */
export function decodeStringBody(body: string): {
  value: string;
  badEscapes: number[];
  loneSurrogates: BodyRange[];
} {
  const badEscapes: number[] = [];
  const loneSurrogates: BodyRange[] = [];
  if (!body.includes("\\") && !hasSurrogate(body)) return { value: body, badEscapes, loneSurrogates };
  let out = "";
  // The code unit last added to `out` when it was a high surrogate, and where it was written.
  let pendingHigh: BodyRange | undefined;
  const add = (unit: string, range: BodyRange) => {
    const code = unit.charCodeAt(0);
    if (unit.length === 1 && isLowSurrogate(code) && pendingHigh) pendingHigh = undefined;
    else {
      if (pendingHigh) loneSurrogates.push(pendingHigh);
      pendingHigh = undefined;
      if (unit.length === 1 && isHighSurrogate(code)) pendingHigh = range;
      else if (unit.length === 1 && isLowSurrogate(code)) loneSurrogates.push(range);
    }
    out += unit;
  };
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char !== "\\") {
      add(char, { at: i, length: 1 });
      continue;
    }
    const next = body[i + 1];
    if (next !== undefined && Object.hasOwn(simpleEscapes, next)) {
      add(simpleEscapes[next]!, { at: i, length: 2 });
      i++;
    } else if (next === "u" && /^[0-9a-fA-F]{4}$/.test(body.slice(i + 2, i + 6))) {
      add(String.fromCharCode(parseInt(body.slice(i + 2, i + 6), 16)), { at: i, length: 6 });
      i += 5;
    } else {
      badEscapes.push(i);
      if (next !== undefined) {
        add(next, { at: i, length: 2 });
        i++;
      }
    }
  }
  if (pendingHigh) loneSurrogates.push(pendingHigh);
  return { value: out, badEscapes, loneSurrogates };
}

function hasSurrogate(text: string): boolean {
  return /[\ud800-\udfff]/.test(text);
}
