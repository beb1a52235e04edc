/** A query's text with the name it is reported under, and fast offset -> line/column lookup. */
export interface Position {
  /** 0-based offset into the source text (UTF-16 code units). */
  offset: number;
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in characters. */
  column: number;
}

/** A half-open range [start, end) of source text. */
export interface Span {
  start: Position;
  end: Position;
}

export class SourceText {
  readonly lineStarts: number[];

  constructor(
    readonly text: string,
    readonly name: string = "<query>",
  ) {
    this.lineStarts = [0];
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
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
    return { offset: clamped, line: low + 1, column: clamped - this.lineStarts[low]! + 1 };
  }

  spanOf(startOffset: number, endOffset: number): Span {
    return { start: this.positionAt(startOffset), end: this.positionAt(Math.max(startOffset, endOffset)) };
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return "";
    const next = this.lineStarts[line];
    const end = next === undefined ? this.text.length : next - 1;
    return this.text.slice(start, end).replace(/\r$/, "");
  }
}

/** The smallest span covering both. (After error recovery, pieces can arrive out of order.) */
export function joinSpans(first: Span, last: Span): Span {
  return {
    start: first.start.offset <= last.start.offset ? first.start : last.start,
    end: first.end.offset >= last.end.offset ? first.end : last.end,
  };
}
