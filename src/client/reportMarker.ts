import type { ServerText } from "./serverText.js";

/**
 * A run's marker, `[oq 1a2b3c4d]`: random, put at the START of the report's title, so that a
 * create whose answer was lost can be found again by it, and Ongage cutting a long title
 * short (it may keep only the first 255 characters) never cuts the marker off.
 */
export type ReportMarker = string;

const markerPattern = /^\[oq [0-9a-f]{8}\]/;

export function newMarker(): ReportMarker {
  // The global Web Crypto, not node:crypto: importing that loads Node's crypto at every start of
  // a command that only exports or lists reports (~7 ms); this loads it when a create needs it.
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return `[oq ${Buffer.from(bytes).toString("hex")}]`;
}

/** `[oq 1a2b3c4d] Active gmail contacts` */
export function markTitle(marker: ReportMarker, title: string): string {
  return `${marker} ${title}`;
}

/** The marker a title starts with, if it has one. */
export function markerOf(title: string): ReportMarker | undefined {
  return markerPattern.exec(title)?.[0];
}

/** Whether a report's title (as Ongage lists it, perhaps shortened) carries this marker. */
export function carriesMarker(title: ServerText | undefined, marker: ReportMarker): boolean {
  return title !== undefined && title.startsWith(marker);
}
