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

/** The spellings by length: most words are no keyword, and a length with none is answered at once. */
const spellingsByLength: string[][] = [];
for (const word of keywordByWord.keys()) (spellingsByLength[word.length] ??= []).push(word);

/** The keyword a whole word is (in any case), if it is one. */
export function keywordOf(word: string): KeywordName | undefined {
  // Lowering every word and looking it up in the map was 6% of a compile: a word in lower case
  // (most are) is compared with the few spellings of its length instead.
  if (!lowerCaseAscii(word)) return keywordByWord.get(word.toLowerCase());
  for (const spelling of spellingsByLength[word.length] ?? [])
    if (spelling === word) return keywordByWord.get(word);
  return undefined;
}

/** Whether every character of `word` is a-z, 0-9 or _: then lowering it changes nothing. */
function lowerCaseAscii(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const code = word.charCodeAt(i);
    if (!((code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 95)) return false;
  }
  return true;
}
