import { classifyTokens, type TokenClass } from "../assist/tokenClasses.js";

/*
 * Syntax colouring of the line being typed: keywords, fields, strings, numbers and dates, from
 * the lexer's own tokens (assist/tokenClasses.ts). Only on a terminal with colours (never with
 * NO_COLOR).
 */

const reset = "\x1b[0m";
/** Operators and parameters stay in the terminal's colour. */
const colourOf: Partial<Record<TokenClass, string>> = {
  keyword: "\x1b[35m",
  field: "\x1b[36m",
  string: "\x1b[32m",
  value: "\x1b[33m",
};

/** The line with colours around its tokens; the visible text is unchanged. */
export function highlight(line: string): string {
  let out = "";
  let at = 0;
  for (const token of classifyTokens(line)) {
    const colour = colourOf[token.tokenClass];
    if (colour === undefined) continue;
    const end = token.start + token.length;
    out += line.slice(at, token.start) + colour + line.slice(token.start, end) + reset;
    at = end;
  }
  return out + line.slice(at);
}
