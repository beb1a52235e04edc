import { keywordSpellings, type KeywordName } from "../language/keywords.js";

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

/** The keywords that start a comparison operator after a field. */
const operatorKeywords: readonly KeywordName[] = ["Contains", "Starts", "Ends", "Between", "Is", "In", "Not"];

/** The operator words as `oq fmt` writes them, for did-you-mean. */
export const operatorWords: readonly string[] = operatorKeywords.map((name) => keywordSpellings[name][0]);
