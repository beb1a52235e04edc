/**
 * `text` cut to at most `maxLength` UTF-16 units (as titles are measured), then `...`, on a
 * character boundary: never inside a surrogate pair (which would put half a character in the
 * request) and, where Intl knows them, never inside a grapheme (an emoji with its modifiers, a
 * letter with its accents).
 */
export function shortenText(text: string, maxLength: number, ellipsis = "..."): string {
  if (text.length <= maxLength) return text;
  const room = maxLength - ellipsis.length;
  // Between two characters below U+0300 (no combining marks, no surrogates) and not CR LF, every
  // place is a grapheme boundary: the common case needs no Intl.Segmenter, which is costly to make.
  const before = text.charCodeAt(room - 1);
  const after = text.charCodeAt(room);
  if (before < 0x300 && after < 0x300 && !(before === 13 && after === 10))
    return `${text.slice(0, room)}${ellipsis}`;
  // Boundaries depend only on nearby characters, so a window a little past the cut suffices.
  const window = text.slice(0, room + 32);
  let end = 0;
  for (const { segment, index } of new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(
    window,
  )) {
    if (index + segment.length > room) break;
    end = index + segment.length;
  }
  return `${text.slice(0, end)}${ellipsis}`;
}
