import { keywordSpellings } from "../language/keywords.js";
import { tokensOf } from "../parser/contentAssist.js";

/*
 * Syntax colouring of the line being typed: keywords, fields, strings, numbers and dates, from
 * the lexer's own tokens. Only on a terminal with colours (never with NO_COLOR).
 */

const reset = "\x1b[0m";
const colourOf: Readonly<Record<string, string>> = {
  keyword: "\x1b[35m",
  field: "\x1b[36m",
  string: "\x1b[32m",
  value: "\x1b[33m",
};

function classOf(kind: string): string | undefined {
  if (kind in keywordSpellings) return kind === "DayWord" ? "value" : "keyword";
  if (kind === "Identifier" || kind === "QuotedIdentifier") return "field";
  if (kind.endsWith("String") || kind === "StringLiteral") return "string";
  if (
    kind === "NumberLiteral" ||
    kind === "DateLiteral" ||
    kind === "DurationLiteral" ||
    kind === "ExponentNumber"
  )
    return "value";
  return undefined;
}

/** The line with colours around its tokens; the visible text is unchanged. */
export function highlight(line: string): string {
  let out = "";
  let at = 0;
  for (const token of tokensOf(line)) {
    const kind = classOf(token.kind);
    // A token the lexer rewrote (a Unicode name) keeps the text as typed.
    if (kind === undefined || line.slice(token.start, token.start + token.text.length) !== token.text)
      continue;
    out += line.slice(at, token.start) + colourOf[kind] + token.text + reset;
    at = token.start + token.text.length;
  }
  return out + line.slice(at);
}
