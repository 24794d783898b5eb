import type { Rng } from '../ports.ts';

/** The `rand` releases omicron has built the task with (Cargo.lock at each commit). */
export const RAND_VERSIONS = ['0.8.5', '0.9.2'] as const;
export type RandVersion = (typeof RAND_VERSIONS)[number];

/**
 * The draws the planner makes, as one `rand` release performs them on a word stream.
 * Slices longer than u32::MAX cannot exist in JavaScript, so only the u32 paths of
 * `rand`'s usize sampling are modelled.
 */
export interface RandSamplers {
  readonly version: RandVersion;
  /** `gen_range(0..n)` / `random_range(..n)` on a usize below 2^32; `n` >= 1. */
  index(rng: Rng, n: number): number;
  /**
   * `SliceRandom::shuffle`, in place (backward in 0.8.5, forward in 0.9.2). Its draws
   * depend on the length only, so shuffling `0..n` gives the permutation that shuffling
   * any `n` items would apply.
   */
  shuffle<L extends Reorderable<unknown>>(items: L, rng: Rng): L;
  /** `choose` on a slice: `undefined` (and no draw) when it is empty. */
  choose<T>(items: readonly T[], rng: Rng): T | undefined;
  /**
   * `choose_weighted` with i32 weights (non-negative integers, total below 2^31):
   * `undefined` (and no draw) when `items` is empty or every weight is 0, Rust's `Err`.
   */
  chooseWeighted<T>(items: readonly T[], weight: (item: T) => number, rng: Rng): T | undefined;
  /**
   * `chooseWeighted` with weight 0 for `except` and 1 for every other item: the same draw
   * and the same item, without a weight function called twice for each item (merged's
   * recopy source, core/planner/merged.ts).
   */
  chooseOther<T>(items: readonly T[], except: T, rng: Rng): T | undefined;
}

/** What `shuffle` reorders in place: an array, or a typed array of item numbers. */
export interface Reorderable<T> {
  readonly length: number;
  [index: number]: T;
}

/**
 * The high word of the 64-bit product of two u32s (`wmul` in rand's uniform sampling;
 * the low word is `Math.imul(a, b) >>> 0`). Exact: each partial product stays below 2^53.
 * 2^32 is written out, not a module constant: bundled, a constant is a module variable,
 * read (and checked to be a number) at every draw.
 */
export function mulHigh(a: number, b: number): number {
  if (b < 0x20_0000) return Math.floor((a * b) / 0x1_0000_0000);
  const upper = a * (b >>> 16);
  const upperQuot = Math.floor(upper / 0x1_0000);
  const middle = (upper - upperQuot * 0x1_0000) * 0x1_0000 + a * (b & 0xffff);
  return upperQuot + Math.floor(middle / 0x1_0000_0000);
}

/** `rng.gen::<[u8; N]>()` (0.8.5) / `rng.random::<[u8; N]>()` (0.9.2): one word per byte, its low byte. */
export function randomBytes(rng: Rng, n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = rng.nextU32() & 0xff;
  return bytes;
}

/** What the two releases do differently; `choose` and `choose_weighted` build on it alike. */
export interface RandRules {
  readonly version: RandVersion;
  index(rng: Rng, n: number): number;
  /** `UniformInt::<i32>::new(0, total).sample(rng)`, `WeightedIndex`'s draw. */
  uniformBelow(rng: Rng, total: number): number;
  shuffle<L extends Reorderable<unknown>>(items: L, rng: Rng): L;
}

/**
 * The samplers of one release: `choose` is `slice[index(len)]` and `choose_weighted`
 * is `WeightedIndex::new(weights)?.sample(rng)` in both.
 */
export function samplersFrom(rules: RandRules): RandSamplers {
  const { version, index, uniformBelow, shuffle } = rules;
  return {
    version,
    index,
    shuffle,
    choose<T>(items: readonly T[], rng: Rng): T | undefined {
      return items.length === 0 ? undefined : items[index(rng, items.length)];
    },
    chooseWeighted<T>(items: readonly T[], weight: (item: T) => number, rng: Rng): T | undefined {
      if (items.length === 0) return undefined;
      const total = totalWeight(items, weight);
      if (total === 0) return undefined;
      return weightedPick(items, weight, uniformBelow(rng, total));
    },
    chooseOther<T>(items: readonly T[], except: T, rng: Rng): T | undefined {
      let total = 0;
      for (let i = 0; i < items.length; i++) if (items[i] !== except) total++;
      if (total === 0) return undefined;
      // The chosen-th item of weight 1: the first whose cumulative weight exceeds it.
      let chosen = uniformBelow(rng, total);
      for (let i = 0; i < items.length; i++) {
        const item = items[i] as T;
        if (item === except) continue;
        if (chosen === 0) return item;
        chosen--;
      }
      throw new RangeError('a weighted draw beyond the total weight');
    },
  };
}

export function swap<T>(items: Reorderable<T>, i: number, j: number): void {
  const a = items[i] as T;
  items[i] = items[j] as T;
  items[j] = a;
}

/** The index `WeightedIndex::sample` returns for `chosen` in [0, total): the first item whose cumulative weight exceeds it. */
function weightedPick<T>(items: readonly T[], weight: (item: T) => number, chosen: number): T {
  let cumulative = 0;
  for (const item of items) {
    cumulative += weight(item);
    if (chosen < cumulative) return item;
  }
  throw new RangeError('a weighted draw beyond the total weight');
}

/** The total of i32 weights, checked as `WeightedIndex::new` checks them. */
function totalWeight<T>(items: readonly T[], weight: (item: T) => number): number {
  let total = 0;
  for (const item of items) {
    const w = weight(item);
    if (!Number.isInteger(w) || w < 0) throw new RangeError(`expected a weight >= 0, got ${w}`);
    total += w;
  }
  if (total > 0x7fff_ffff) throw new RangeError(`total weight ${total} overflows i32`);
  return total;
}
