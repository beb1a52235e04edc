import type { ILexingError, IToken, TokenType } from "chevrotain";
import { skippedGroup } from "./tokenType.js";

/*
 * oq's scanner: splits a text into tokens exactly as chevrotain's lexer does with the same token
 * types, without loading chevrotain (~40 ms of a start for a query with a mistake: its code, and
 * the analysis its lexer makes of the token set when it is built). scanner.test.ts holds the two
 * to the same tokens, groups and errors for generated texts.
 *
 * chevrotain's rules, which this follows:
 * - at each place, the token types are tried in their order and the first that matches is taken
 *   (not the longest), except that a token type with a `LONGER_ALT` gives way to it when the
 *   longer alternative matches more of the text;
 * - only the token types that can start with the place's character are tried (START_CHARS_HINT,
 *   or a string pattern's first character): the hints are complete (grammar.test.ts), so this
 *   is the same as trying them all, as chevrotain's optimised lexer does;
 * - patterns match at the place only (sticky), and keep only their case-insensitivity (flag i),
 *   as chevrotain rebuilds them;
 * - where nothing matches, the characters up to the next place where some token type matches are
 *   one error; the skipped group is dropped and the other groups are kept apart.
 */

interface TokenRule {
  type: TokenType;
  /** A sticky copy of the pattern; undefined for a one-character string. */
  pattern?: RegExp;
  /** The character code of a one-character string pattern. */
  single?: number;
  /** Undefined: skipped; false: a token of the main list; a string: that group's. */
  group: string | false | undefined;
  longerAlternatives: TokenRule[];
}

interface ScanResult {
  tokens: IToken[];
  groups: Record<string, IToken[]>;
  errors: ILexingError[];
}

/** As chevrotain escapes a string pattern of more than one character. */
const escapeForPattern = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");

/** A scanner for `tokenTypes`, in their order. */
export class Scanner {
  private readonly rules: TokenRule[];
  /** The rules that can start with each character, in order. */
  private readonly byFirstCharacter = new Map<number, TokenRule[]>();
  private readonly groupNames: string[] = [];

  constructor(tokenTypes: readonly TokenType[]) {
    this.rules = tokenTypes.map((type) => ruleOf(type));
    this.rules.forEach((rule, index) => {
      const longer = tokenTypes[index]!.LONGER_ALT;
      const alternatives = longer === undefined ? [] : Array.isArray(longer) ? longer : [longer];
      rule.longerAlternatives = alternatives.map((type) => this.rules[tokenTypes.indexOf(type)]!);
      if (typeof rule.group === "string" && !this.groupNames.includes(rule.group))
        this.groupNames.push(rule.group);
      for (const code of startCodes(rule.type)) {
        const list = this.byFirstCharacter.get(code) ?? [];
        if (!list.includes(rule)) list.push(rule);
        this.byFirstCharacter.set(code, list);
      }
    });
  }

  scan(text: string): ScanResult {
    const tokens: IToken[] = [];
    const errors: ILexingError[] = [];
    const groups: Record<string, IToken[]> = {};
    for (const name of this.groupNames) groups[name] = [];
    let offset = 0;
    while (offset < text.length) {
      let chosen: TokenRule | undefined;
      let length = -1;
      for (const rule of this.byFirstCharacter.get(text.charCodeAt(offset)) ?? []) {
        length = matchLength(rule, text, offset);
        if (length === -1) continue;
        chosen = rule;
        for (const longer of rule.longerAlternatives) {
          const longerLength = matchLength(longer, text, offset);
          if (longerLength > length) {
            chosen = longer;
            length = longerLength;
            break;
          }
        }
        break;
      }
      if (chosen) {
        if (chosen.group !== undefined) {
          const token: IToken = {
            image: text.substring(offset, offset + length),
            startOffset: offset,
            endOffset: offset + length - 1,
            tokenTypeIdx: chosen.type.tokenTypeIdx!,
            tokenType: chosen.type,
          };
          if (chosen.group === false) tokens.push(token);
          else groups[chosen.group]!.push(token);
        }
        offset += length;
        continue;
      }
      // Nothing starts here: skip to where something does.
      const start = offset;
      while (offset < text.length) {
        offset++;
        if (
          (this.byFirstCharacter.get(text.charCodeAt(offset)) ?? []).some(
            (rule) => matchLength(rule, text, offset) !== -1,
          )
        )
          break;
      }
      errors.push({
        offset: start,
        length: offset - start,
        message: `unexpected character: ->${text.charAt(start)}<- at offset: ${start}, skipped ${offset - start} characters.`,
      } as ILexingError);
    }
    return { tokens, groups, errors };
  }
}

function ruleOf(type: TokenType): TokenRule {
  const group = type.GROUP === skippedGroup ? undefined : type.GROUP === undefined ? false : type.GROUP;
  const pattern = type.PATTERN;
  if (typeof pattern === "string") {
    return pattern.length === 1
      ? { type, single: pattern.charCodeAt(0), group, longerAlternatives: [] }
      : { type, pattern: new RegExp(escapeForPattern(pattern), "y"), group, longerAlternatives: [] };
  }
  if (!(pattern instanceof RegExp))
    throw new Error(`token type ${type.name}: a pattern oq's scanner does not read`);
  return {
    type,
    pattern: new RegExp(pattern.source, pattern.ignoreCase ? "iy" : "y"),
    group,
    longerAlternatives: [],
  };
}

function startCodes(type: TokenType): number[] {
  const pattern = type.PATTERN;
  if (typeof pattern === "string") return [pattern.charCodeAt(0)];
  if (!type.START_CHARS_HINT) throw new Error(`token type ${type.name}: no START_CHARS_HINT`);
  return type.START_CHARS_HINT.map((hint) => (typeof hint === "number" ? hint : hint.charCodeAt(0)));
}

function matchLength(rule: TokenRule, text: string, offset: number): number {
  if (rule.single !== undefined) return text.charCodeAt(offset) === rule.single ? 1 : -1;
  const pattern = rule.pattern!;
  pattern.lastIndex = offset;
  return pattern.test(text) ? pattern.lastIndex - offset : -1;
}
