import type { CustomFields } from "../check/fieldCatalog.js";
import { complete, fieldTypes } from "./completion.js";

/*
 * Completion at a cursor anywhere in a text, for editors: the REPL's completion (completion.ts)
 * of the text before the cursor, with the range its candidates replace.
 */

interface CompletionItems {
  /** The candidates, each a field name (as written, backquoted if need be) or a word of the language. */
  items: { label: string; isField: boolean }[];
  /** What a candidate replaces: the word being typed, as UTF-16 offsets. */
  start: number;
  end: number;
}

export function completionsAt(
  text: string,
  offset: number,
  custom: CustomFields | undefined,
): CompletionItems {
  const { candidates, word } = complete(text.slice(0, offset), custom);
  const fields = fieldTypes(custom);
  return {
    items: candidates.map((label) => ({
      label,
      isField: fields.has(label.startsWith("`") ? label.slice(1, -1) : label),
    })),
    start: offset - word.length,
    end: offset,
  };
}
