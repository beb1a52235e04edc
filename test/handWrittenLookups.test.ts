import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keywordOf, keywordSpellings, type KeywordName } from "../src/language/keywords.js";
import { printFieldName, printString } from "../src/parser/printer.js";

/*
 * Lookups written by hand because they run in every compile (issue 21): each is held to what
 * it replaced, the plain spelling of the same rule.
 */

const runs = Number(process.env["OQ_PROPERTY_RUNS"] ?? 300);

/** What keywordOf was: a map of the spellings, looked up with the word lowered. */
const loweredSpellings = new Map<string, KeywordName>(
  (Object.entries(keywordSpellings) as [KeywordName, readonly string[]][]).flatMap(([name, words]) =>
    words.map((word) => [word, name] as const),
  ),
);

describe("keywordOf", () => {
  it("finds every spelling in any case", () => {
    for (const [spelling, name] of loweredSpellings) {
      expect(keywordOf(spelling)).toBe(name);
      expect(keywordOf(spelling.toUpperCase())).toBe(name);
      expect(keywordOf(spelling[0]!.toUpperCase() + spelling.slice(1))).toBe(name);
    }
  });

  it("reads any text as the lowered lookup does", () => {
    // Near-misses of the spellings: a character replaced, added or dropped, the case mixed;
    // among them characters one bit from a letter (`@`, `[`, `` ` ``, `{`, `$`, digits), which a
    // case-blind comparison of character codes must not take for letters.
    const spellings = [...loweredSpellings.keys()];
    const nearMiss = fc
      .tuple(
        fc.constantFrom(...spellings),
        fc.nat(),
        fc.constantFrom("", "_", "s", "@", "[", "`", "{", "0", "$", "D", "é"),
        fc.nat(2),
        fc.boolean(),
      )
      .map(([word, at, put, kept, upper]) => {
        const i = at % (word.length + 1);
        // kept: 0 replaces the character at i, 1 inserts before it, 2 drops it.
        const changed = word.slice(0, i) + (kept === 2 ? "" : put) + word.slice(i + (kept === 1 ? 0 : 1));
        return upper ? changed.toUpperCase() : changed;
      });
    fc.assert(
      fc.property(fc.oneof(nearMiss, fc.string({ maxLength: 12 })), (text) => {
        expect(keywordOf(text)).toBe(loweredSpellings.get(text.toLowerCase()));
      }),
      { numRuns: runs * 10 },
    );
  });
});

describe("printString", () => {
  it("writes what JSON.stringify writes", () => {
    const awkward = [
      "",
      '"',
      "\\",
      "\n",
      "\u0000",
      "\u001f",
      " ",
      "\u007f",
      "\ud83d",
      "\ude00",
      "😀",
      "\u2028",
    ];
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...awkward), fc.string({ unit: "binary", maxLength: 8 }))),
        (parts) => {
          const text = parts.join("");
          expect(printString(text)).toBe(JSON.stringify(text));
        },
      ),
      { numRuns: runs * 10 },
    );
  });
});

describe("printFieldName", () => {
  it("quotes what the identifier pattern and the keywords say to quote", () => {
    const awkward = ["", "_", "a", "Z", "0", "\u007f", "\u0010", "@", "`", "[", "{", " ", "é", "-"];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(fc.constantFrom(...awkward), { maxLength: 4 }).map((parts) => parts.join("")),
          fc.constantFrom(...loweredSpellings.keys()),
          fc.string({ maxLength: 6 }),
        ),
        (name) => {
          const bare = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && keywordOf(name) === undefined;
          expect(printFieldName(name)).toBe(bare ? name : `\`${name}\``);
        },
      ),
      { numRuns: runs * 10 },
    );
  });
});
