import { keywordSpellings, type KeywordName } from "../../src/language/keywords.js";
import { symbolSpellings, type SymbolName } from "../../src/lexer/tokenPatterns.js";
import { nextTokenKinds } from "../../src/parser/contentAssist.js";

/*
 * The comparison operators as the grammar itself has them, walked with chevrotain's content
 * assist: tests that go over every operator read them here, so that an operator added to the
 * grammar is tested with no list to update.
 */

const operatorRules = new Set(["compareOperator", "comparisonTail"]);

function spellingOf(kind: string): string {
  if (kind in keywordSpellings) return keywordSpellings[kind as KeywordName][0];
  return symbolSpellings[kind as SymbolName];
}

/**
 * Every way the grammar lets an operator be written after a field, as its words: `>=`,
 * `not starts`, `starts with`, `is not empty`... An operator ends where a value, or the end of
 * the comparison, may come.
 */
export function grammarOperators(): string[][] {
  const found: string[][] = [];
  const walk = (words: string[]) => {
    const next = nextTokenKinds(["field", ...words].join(" ") + " ").next;
    const more = next.filter((token) => operatorRules.has(token.rule));
    if (words.length > 0 && more.length < next.length) found.push(words);
    if (words.length < 4) for (const token of more) walk([...words, spellingOf(token.kind)]);
  };
  walk([]);
  return found;
}
