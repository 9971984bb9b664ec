/**
 * A seeded PRNG (xorshift32), so property tests are reproducible: same seed, same
 * cases. No Math.* calls: Jest's sandboxed Math makes them slow enough to dominate.
 */
export function prng(seed: number): { next(): number; int(n: number): number; pick<T>(items: readonly T[]): T } {
  let state = (seed ^ 0x9e3779b9) >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
  const int = (n: number): number => (next() * n) | 0;
  return { next, int, pick: (items) => items[int(items.length)]! };
}
