/** JSON's string escapes, so that any JSON string literal is also an oq string literal. */
export const simpleEscapes: Readonly<Record<string, string>> = { '"': '"', "\\": "\\", "/": "/", n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" };

/**
 * The text of a string literal's body (between the quotes). `badEscapes` are the offsets, within
 * the body, of the escapes that are not ones; the text then keeps each escaped character.
 */
export function decodeStringBody(body: string): { value: string; badEscapes: number[] } {
  const badEscapes: number[] = [];
  if (!body.includes("\\")) return { value: body, badEscapes };
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char !== "\\") {
      out += char;
      continue;
    }
    const next = body[i + 1];
    if (next !== undefined && Object.hasOwn(simpleEscapes, next)) {
      out += simpleEscapes[next];
      i++;
    } else if (next === "u" && /^[0-9a-fA-F]{4}$/.test(body.slice(i + 2, i + 6))) {
      out += String.fromCharCode(parseInt(body.slice(i + 2, i + 6), 16));
      i += 5;
    } else {
      badEscapes.push(i);
      if (next !== undefined) {
        out += next;
        i++;
      }
    }
  }
  return { value: out, badEscapes };
}
