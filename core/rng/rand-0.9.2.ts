// rand 0.9.2's samplers, as omicron's planner reaches them from 8516b405 (omicron#8828).
// Sources at rand tag 0.9.2: src/seq/slice.rs (choose 52-61, choose_weighted 162-176,
// shuffle and partial_shuffle 373-413), src/seq/increasing_uniform.rs (next_index,
// calculate_bound_u32), src/distr/uniform_int.rs (UniformInt 68-230, UniformUsize's
// u32 path 540-584), src/distr/weighted/weighted_index.rs (new 99-137, sample 358-368).
import type { Rng } from '../ports.ts';
import { mulHigh, samplersFrom, swap, type RandSamplers, type Reorderable } from './draws.ts';

/**
 * `random_range(..n)` on u32 (`sample_single_inclusive`, without the `unbiased`
 * feature): Canon's method. One word's widening product; only when its low word exceeds
 * `2^32 - n` a second word's high product is added to it, and the carry, if any, to the
 * result.
 */
function index(rng: Rng, n: number): number {
  const word = rng.nextU32();
  const low = Math.imul(word, n) >>> 0;
  if (low > 0x1_0000_0000 - n && low + mulHigh(rng.nextU32(), n) > 0xffff_ffff) return mulHigh(word, n) + 1;
  return mulHigh(word, n);
}

/** `UniformInt::<i32>::new(0, total).sample`: Lemire's method, threshold `(2^32 - total) % total`. */
function uniformBelow(rng: Rng, total: number): number {
  const threshold = (0x1_0000_0000 - total) % total;
  for (;;) {
    const word = rng.nextU32();
    if (Math.imul(word, total) >>> 0 >= threshold) return mulHigh(word, total);
  }
}

/**
 * A forward Fisher–Yates over `IncreasingUniform`: element i swaps with an index in
 * [0, i], and one `random_range` draw serves several consecutive i, decoded by `%` and
 * `/`. The first index (always 0) draws nothing; nor does a slice of 0 or 1.
 */
function shuffle<L extends Reorderable<unknown>>(items: L, rng: Rng): L {
  const len = items.length;
  if (len <= 1) return items;
  let chunk = 0;
  let remaining = 0;
  for (let i = 1; i < len; i++) {
    const n = i + 1;
    if (remaining === 0) {
      // `calculate_bound_u32(n)`: n·(n+1)·… as long as it fits in a u32, and how many
      // factors it has. A double product above 2^32 − 1 can only round to >= 2^32, so
      // the test is exact.
      let bound = n;
      let next = n + 1;
      while (bound * next <= 0xffff_ffff) bound *= next++;
      chunk = index(rng, bound);
      remaining = next - n;
    }
    remaining--;
    let j: number;
    if (remaining === 0) j = chunk;
    else {
      j = chunk % n;
      chunk = Math.floor(chunk / n);
    }
    swap(items, i, j);
  }
  return items;
}

export const rand092: RandSamplers = samplersFrom({ version: '0.9.2', index, uniformBelow, shuffle });
