/** A query's text with the name it is reported under, and fast offset -> line/column lookup. */
export interface Position {
  /** 0-based offset into the source text (UTF-16 code units, as JavaScript strings index). */
  offset: number;
  /** 1-based line. */
  line: number;
  /**
   * 1-based column, counted in characters as a reader sees them: Unicode code points, so that
   * an emoji is one column, and a byte order mark at the start of the file is not counted.
   */
  column: number;
}

/** A half-open range [start, end) of source text. */
export interface Span {
  start: Position;
  end: Position;
}

const byteOrderMark = 0xfeff;

/**
 * What ends a line: \n, \r\n, or a lone \r (old Mac files), as editors show it. As the inside of
 * a regular-expression character class, for the lexers: a comment, a text or a quoted field name
 * stops at any of them, where SourceText starts a new line.
 */
export const lineBreakClass = String.raw`\r\n`;

export class SourceText {
  /** Where each line's text starts; line 1 starts after a byte order mark. */
  readonly lineStarts: number[];
  /** The offsets of the first halves of surrogate pairs (characters beyond U+FFFF), in order. */
  private readonly pairStarts: number[] = [];

  constructor(
    readonly text: string,
    readonly name: string = "<query>",
  ) {
    this.lineStarts = [text.charCodeAt(0) === byteOrderMark ? 1 : 0];
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      // A line ends at \n, \r\n, or a lone \r (old Mac files), as editors show it.
      if (code === 10 || (code === 13 && text.charCodeAt(i + 1) !== 10)) this.lineStarts.push(i + 1);
      else if (code >= 0xd800 && code <= 0xdbff) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) this.pairStarts.push(i++);
      }
    }
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= clamped) low = mid;
      else high = mid - 1;
    }
    const lineStart = this.lineStarts[low]!;
    const units = clamped - lineStart;
    const column = units - this.pairsBetween(lineStart, clamped) + 1;
    return { offset: clamped, line: low + 1, column: Math.max(1, column) };
  }

  spanOf(startOffset: number, endOffset: number): Span {
    return { start: this.positionAt(startOffset), end: this.positionAt(Math.max(startOffset, endOffset)) };
  }

  /** The text of a 1-based line, without its line break (nor, on line 1, a byte order mark). */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return "";
    const next = this.lineStarts[line];
    const end = next === undefined ? this.text.length : next - 1;
    return this.text.slice(start, end).replace(/\r$/, "");
  }

  /** How many surrogate pairs lie wholly in [from, to): each is two code units but one column. */
  private pairsBetween(from: number, to: number): number {
    if (this.pairStarts.length === 0) return 0;
    return this.countPairsBefore(to - 1) - this.countPairsBefore(from);
  }

  /** The number of pairs starting before `offset`. */
  private countPairsBefore(offset: number): number {
    let low = 0;
    let high = this.pairStarts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.pairStarts[mid]! < offset) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** The smallest span covering both. (After error recovery, pieces can arrive out of order.) */
export function joinSpans(first: Span, last: Span): Span {
  return {
    start: first.start.offset <= last.start.offset ? first.start : last.start,
    end: first.end.offset >= last.end.offset ? first.end : last.end,
  };
}
