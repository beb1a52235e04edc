import { keywordSpellings, type KeywordName } from "../language/keywords.js";
import { startsOperator } from "./operators.js";

/** The keywords that start a clause (`during 30d`, `select email`), in either parser. */
export const clauseKeywords: readonly KeywordName[] = [
  "Title",
  "During",
  "Between",
  "Users",
  "Select",
  "Favorite",
  "Flags",
];

/** The clause that is its keyword alone (`favorite`); every other clause keyword waits for more. */
export const wholeClauseKeywords: readonly KeywordName[] = ["Favorite"];

/** The words that start a comparison operator after a field, as `oq fmt` writes them, for did-you-mean. */
export const operatorWords: readonly string[] = (Object.keys(keywordSpellings) as KeywordName[])
  .filter(startsOperator)
  .map((name) => keywordSpellings[name][0]);
