/**
 * Whether `id` can be a report's segment in a request's path. The id goes in encoded
 * (encodeURIComponent), which leaves dots alone, and URL parsing resolves the dot segments:
 * "." would name the whole collection and ".." the API's root, so a DELETE of such a report
 * would be sent somewhere else; "" names the collection too. Every other id, encoded, is one
 * segment. (Ongage's ids are numbers; oq asks no more than that the id stays in its place.)
 */
export function isReportId(id: string): boolean {
  return id !== "" && id !== "." && id !== "..";
}
