import seedrandom from 'seedrandom';
import type { Rng } from './ports.ts';

/** A reproducible `Rng` from a string seed (Alea: fast, and the same on every platform). */
export function seededRng(seed: string): Rng {
  const prng = seedrandom.alea(seed);
  return {
    nextInt(bound: number): number {
      return Math.floor(prng.double() * bound);
    },
  };
}

/** Fisher–Yates from the end, as Rust's `SliceRandom::shuffle`; shuffles in place. */
export function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const a = items[i] as T;
    items[i] = items[j] as T;
    items[j] = a;
  }
  return items;
}

/** A uniformly chosen element, or `undefined` for an empty list (draws nothing then). */
export function choose<T>(items: readonly T[], rng: Rng): T | undefined {
  return items.length === 0 ? undefined : items[rng.nextInt(items.length)];
}
