import { dayWords, type DayWord } from "./calendarWords.js";

/**
 * oq's keywords and their spellings (any case). Kept free of chevrotain so that code which
 * only needs to recognise a keyword (the fast parser, the printer) does not load it.
 */
export const keywordSpellings = {
  Title: ["title"],
  Where: ["where"],
  And: ["and"],
  Or: ["or"],
  Not: ["not"],
  Contains: ["contains"],
  Starts: ["starts", "begins"],
  Ends: ["ends"],
  With: ["with"],
  Is: ["is"],
  Empty: ["empty"],
  Between: ["between"],
  Case: ["case"],
  Sensitive: ["sensitive"],
  Insensitive: ["insensitive"],
  In: ["in"],
  Segment: ["segments", "segment"],
  Campaign: ["campaigns", "campaign", "mailings", "mailing"],
  During: ["during", "last"],
  Users: ["users"],
  Select: ["select"],
  Favorite: ["favorite", "favourite"],
  Flags: ["flags"],
  Param: ["param"],
  Ago: ["ago"],
  /** `today`, `yesterday`: dates, spelled as words. */
  DayWord: Object.keys(dayWords) as DayWord[],
} as const;

export type KeywordName = keyof typeof keywordSpellings;

const keywordByWord = new Map<string, KeywordName>(
  (Object.entries(keywordSpellings) as [KeywordName, readonly string[]][]).flatMap(([name, words]) =>
    words.map((word) => [word, name] as const),
  ),
);

/** The keyword a whole word is (in any case), if it is one. */
export function keywordOf(word: string): KeywordName | undefined {
  return keywordByWord.get(word.toLowerCase());
}
