/**
 * `text` cut to at most `maxLength` UTF-16 units (as titles are measured), then `...`, on a
 * character boundary: never inside a surrogate pair (which would put half a character in the
 * request) and, where Intl knows them, never inside a grapheme (an emoji with its modifiers, a
 * letter with its accents).
 */
export function shortenText(text: string, maxLength: number, ellipsis = "..."): string {
  if (text.length <= maxLength) return text;
  const room = maxLength - ellipsis.length;
  // Boundaries depend only on nearby characters, so a window a little past the cut suffices.
  const window = text.slice(0, room + 32);
  let end = 0;
  for (const { segment, index } of new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(window)) {
    if (index + segment.length > room) break;
    end = index + segment.length;
  }
  return `${text.slice(0, end)}${ellipsis}`;
}
