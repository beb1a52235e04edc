/**
 * A stateless, seeded random source: the same (seed, keys) always give the same number, so any
 * contact of a million can be generated on its own, in any order, without storing the list.
 */
function hash32(seed: number, a: number, b = 0, c = 0): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const k of [a, b, c]) {
    h = Math.imul(h ^ (k >>> 0), 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A number in [0, 1) for (seed, keys). */
export function random01(seed: number, a: number, b = 0, c = 0): number {
  return hash32(seed, a, b, c) / 0x1_0000_0000;
}

export function pick<T>(items: readonly T[], r: number): T {
  return items[Math.floor(r * items.length)]!;
}
