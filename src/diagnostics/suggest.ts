/**
 * Names longer than this get no "did you mean": field names are short, and comparing a
 * 100 KB word with every field of a large schema would cost seconds.
 */
const maxComparedLength = 128;

/**
 * Edit distance with transpositions (optimal string alignment), for "did you mean" hints; or
 * `max + 1` as soon as it is certain to exceed `max`. Only the diagonal band of width
 * 2 * max + 1 is computed, so the cost is O(length * max), not O(length^2).
 */
export function editDistance(a: string, b: string, max = Math.max(a.length, b.length)): number {
  const over = max + 1;
  if (Math.abs(a.length - b.length) > max) return over;
  if (max === 0) return a === b ? 0 : over;
  const cols = b.length + 1;
  // Three rows: the one before the previous is for transpositions. Outside the band a cell
  // counts as `over`, a lower bound of its true value that is already too much.
  let beforePrevious = new Int32Array(cols).fill(over);
  let previous = new Int32Array(cols).fill(over);
  let current = new Int32Array(cols).fill(over);
  for (let j = 0; j <= Math.min(b.length, max); j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - max);
    const to = Math.min(b.length, i + max);
    current[from - 1] = from === 1 && i <= max ? i : over;
    let rowBest = current[from - 1]!;
    for (let j = from; j <= to; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, beforePrevious[j - 2]! + 1);
      current[j] = Math.min(best, over);
      if (current[j]! < rowBest) rowBest = current[j]!;
    }
    // The next row reads one cell past this row's band.
    if (to < b.length) current[to + 1] = over;
    if (rowBest > max) return over;
    [beforePrevious, previous, current] = [previous, current, beforePrevious];
  }
  return Math.min(previous[b.length]!, over);
}

/**
 * The candidate closest to `word`, if it is close enough to be a likely typo: a third of the
 * word's length, at least one edit. Case differences count as nothing, so `Email` finds `email`.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length > maxComparedLength) return undefined;
  const lowered = word.toLowerCase();
  const allowed = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    // Only a closer candidate can replace the best so far (the first of equals wins).
    const bound = Math.min(allowed, bestDistance - 1);
    const loweredCandidate = candidate.toLowerCase();
    if (bound < 0 || Math.abs(loweredCandidate.length - lowered.length) > bound) continue;
    const distance = editDistance(lowered, loweredCandidate, bound);
    if (distance <= bound) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** The parts of a name, as people write them: `last_open_date`, `lastOpenDate`, `last-open-date`. */
function nameParts(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((part) => part.length > 0)
    .map(stem);
}

/**
 * A word without the endings that change its form but not what it names: `opened` is `open`,
 * `clicks` is `click`; short words and `-us`/`-ss` words (`status`, `address`) are kept whole.
 */
function stem(word: string): string {
  if (word.length > 5 && word.endsWith("ing")) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith("ed")) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith("s") && !/(?:ss|us)$/.test(word)) return word.slice(0, -1);
  return word;
}

/**
 * The candidates that share the most parts of their name with `word` (`last_opened` ->
 * `last_open_date`; `status` -> `ocx_status`; `date` -> every `..._date`), for
 * when no candidate is a near spelling (closestMatch). A name shares a part when a part of it
 * equals a part of the word, after their endings are set aside (`opened`, `opens` -> `open`).
 */
export function namesSharingParts(word: string, candidates: Iterable<string>): string[] {
  if (word.length > maxComparedLength) return [];
  const wanted = new Set(nameParts(word));
  if (wanted.size === 0) return [];
  let best = 0;
  let found: string[] = [];
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const shared = new Set(nameParts(candidate).filter((part) => wanted.has(part))).size;
    if (shared === 0 || shared < best) continue;
    if (shared > best) {
      best = shared;
      found = [];
    }
    found.push(candidate);
  }
  return found;
}
