/**
 * Whether `listId` is a list id: Ongage's are numbers, and the id goes into the request's path,
 * where anything else (".", "..", "a/b", "%2f", "") would change what the request means.
 */
export function isListId(listId: string): boolean {
  return /^[0-9]{1,20}$/.test(listId);
}
