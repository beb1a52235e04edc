/**
 * Where parentheses and `not`s first nest deeper than `maxDepth`: the index of that token, or
 * -1. Both parsers count by this one rule, so that a query is refused (OQ009) or read the same
 * on either path. `nameOf` gives a token's name (LParen, RParen, Not, or any other).
 */
export function firstTooDeep<T>(
  tokens: readonly T[],
  nameOf: (token: T) => string,
  maxDepth: number,
): number {
  let parens = 0;
  let nots = 0;
  for (let i = 0; i < tokens.length; i++) {
    const name = nameOf(tokens[i]!);
    if (name === "LParen") parens++;
    else if (name === "RParen") parens = Math.max(0, parens - 1);
    if (name === "Not") nots++;
    else if (name !== "LParen") nots = 0;
    if (parens + nots > maxDepth) return i;
  }
  return -1;
}
