/** A small deterministic PRNG (mulberry32), so a chaos run can be replayed from its seed. */
export interface SeededRandom {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (probability) => next() < probability,
  };
}

/**
 * The seed of a chaos test: RELIABILITY_SEED when set (to replay a failing run), else a fresh
 * one. It is printed either way, so every run can be reproduced.
 */
export function chaosSeed(test: string): SeededRandom {
  const fromEnv = Number(process.env.RELIABILITY_SEED);
  const seed =
    Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.floor(Math.random() * 2 ** 31) + 1;
  process.stdout.write(
    `[reliability] ${test}: seed ${seed} (replay with RELIABILITY_SEED=${seed})\n`,
  );
  return seededRandom(seed);
}
