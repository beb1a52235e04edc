import type { TokenType } from "chevrotain";

/*
 * Token types as chevrotain's createToken makes them, without loading chevrotain: the command
 * lexes and parses with oq's own scanner and recognizer (scanner.ts, parser/recognizer.ts), and
 * chevrotain reads the same objects where it is still used (the grammar's analysis, completion in
 * the REPL and the editors, and the tests that hold oq's scanner and recognizer to chevrotain's).
 */

/**
 * chevrotain's `Lexer.SKIPPED`, the group of a token the lexer reads and drops. Its value is
 * chevrotain's own text, so that chevrotain's lexer skips these tokens too (scanner.test.ts
 * checks that the two are the same).
 */
export const skippedGroup =
  "This marks a skipped Token pattern, this means each token identified by it will be consumed and then thrown into oblivion, this can be used to for example to completely ignore whitespace.";

/**
 * A regular expression's source and flags, which the token type makes into its PATTERN when that
 * is first read (by oq's scanner, or by chevrotain): a query whose tokens the fast parser handed
 * over is parsed without reading one, and making all of them cost such a start ~0.4 ms.
 */
interface PatternSource {
  /** The source, or what works it out when the pattern is first read. */
  source: string | (() => string);
  flags?: string;
}

interface TokenConfig {
  name: string;
  pattern?: PatternSource | string;
  label?: string;
  group?: string;
  longer_alt?: TokenType;
  line_breaks?: boolean;
  /** The characters, or what works them out when they are first read (by oq's scanner, or chevrotain). */
  start_chars_hint?: string[] | (() => string[]);
}

/**
 * The numbers token types are told apart by (`tokenTypeIdx`). chevrotain numbers the token types
 * it creates itself (EOF) from 1; oq's start far from those, so that no number is shared.
 */
let nextTokenTypeIndex = 10_000;

/** A token type, with the properties chevrotain's createToken gives it. */
export function defineToken(config: TokenConfig): TokenType {
  const tokenType: TokenType = {
    name: config.name,
    tokenTypeIdx: nextTokenTypeIndex++,
    CATEGORIES: [],
    categoryMatches: [],
    categoryMatchesMap: {},
    isParent: false,
  };
  const pattern = config.pattern;
  if (typeof pattern === "string") tokenType.PATTERN = pattern;
  else if (pattern !== undefined) {
    let made: RegExp | undefined;
    Object.defineProperty(tokenType, "PATTERN", {
      get: () =>
        (made ??= new RegExp(
          typeof pattern.source === "string" ? pattern.source : pattern.source(),
          pattern.flags,
        )),
      enumerable: true,
    });
  }
  if (config.label !== undefined) tokenType.LABEL = config.label;
  if (config.group !== undefined) tokenType.GROUP = config.group;
  if (config.longer_alt !== undefined) tokenType.LONGER_ALT = config.longer_alt;
  if (config.line_breaks !== undefined) tokenType.LINE_BREAKS = config.line_breaks;
  const hint = config.start_chars_hint;
  if (typeof hint === "function") {
    let made: string[] | undefined;
    Object.defineProperty(tokenType, "START_CHARS_HINT", { get: () => (made ??= hint()), enumerable: true });
  } else if (hint !== undefined) tokenType.START_CHARS_HINT = hint;
  return tokenType;
}

/**
 * The end of the input: what the parser reads past the last token, and the token type it
 * expects there. chevrotain's parser has its own (`EOF`); the two are told apart by name only
 * in the tests that compare the parsers.
 */
export const EOF: TokenType = defineToken({ name: "EOF" });
