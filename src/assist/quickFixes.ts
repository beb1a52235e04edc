import type { Diagnostic } from "../diagnostics/diagnostic.js";

/** One edit of the text: replace [start, end) (UTF-16 offsets) with `newText`. */
interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export interface QuickFix {
  title: string;
  edit: TextEdit;
  /** The diagnostic's only suggestion: an editor may apply it with one key. */
  isPreferred: boolean;
}

/** A diagnostic's suggestions as fixes, one each, in the diagnostic's order. */
export function quickFixes(diagnostic: Diagnostic): QuickFix[] {
  return diagnostic.suggestions.map((suggestion) => ({
    title: suggestion.message,
    edit: {
      start: suggestion.span.start.offset,
      end: suggestion.span.end.offset,
      newText: suggestion.replacement,
    },
    isPreferred: diagnostic.suggestions.length === 1,
  }));
}
