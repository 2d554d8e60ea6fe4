/** A seeded PRNG (mulberry32): every choice the simulation makes comes from one of these. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      const item = items[int(items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
  };
}

/** One of `options`, chosen with probability proportional to its weight (weights ≤ 0 never). */
export function weighted<T>(rng: Rng, options: readonly (readonly [T, number])[]): T | undefined {
  const total = options.reduce((sum, [, w]) => sum + Math.max(0, w), 0);
  if (total <= 0) return undefined;
  let roll = rng.next() * total;
  for (const [value, w] of options) {
    if (w <= 0) continue;
    roll -= w;
    if (roll < 0) return value;
  }
  return options.findLast(([, w]) => w > 0)?.[0];
}
