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

/**
 * The spellings by length and first letter (lower case): a word is compared with the few that
 * share both, character by character in any case. A Map of lowered words cost a lowered copy and
 * a hash of each word the fast parser reads (~10% of a compile).
 */
let spellingsByStart: { spelling: string; name: KeywordName }[][] | undefined;

/** Where spellings of `length` characters starting with the letter `code` (either case) are. */
const startSlot = (length: number, code: number) => (length << 5) | (code & 31);

/**
 * The table, made when a word is first looked up: the recovering parser's bundle, which holds
 * this module for keywordSpellings, looks up none (making it cost its start ~0.1 ms).
 */
function spellingTable(): { spelling: string; name: KeywordName }[][] {
  if (spellingsByStart) return spellingsByStart;
  const table: { spelling: string; name: KeywordName }[][] = [];
  for (const [name, words] of Object.entries(keywordSpellings) as [KeywordName, readonly string[]][])
    for (const spelling of words)
      (table[startSlot(spelling.length, spelling.charCodeAt(0))] ??= []).push({ spelling, name });
  return (spellingsByStart = table);
}

/** The keyword the characters [start, end) of `text` spell (in any case), if they spell one. */
export function keywordAt(text: string, start: number, end: number): KeywordName | undefined {
  const candidates = spellingTable()[startSlot(end - start, text.charCodeAt(start))];
  if (candidates === undefined) return undefined;
  next: for (const { spelling, name } of candidates) {
    // Spellings are lower-case letters; `| 0x20` lowers A-Z and leaves digits and `_` unequal to them.
    for (let i = 0; i < spelling.length; i++)
      if ((text.charCodeAt(start + i) | 0x20) !== spelling.charCodeAt(i)) continue next;
    return name;
  }
  return undefined;
}

/** The keyword a whole word is (in any case), if it is one. */
export function keywordOf(word: string): KeywordName | undefined {
  return word.length === 0 ? undefined : keywordAt(word, 0, word.length);
}
