// rand 0.8.5's samplers, as omicron's planner reaches them up to c31dc2f3. Sources:
// src/seq/mod.rs (gen_index 659-665, choose 495-502, choose_weighted 526-542, shuffle
// 586-592), src/distributions/uniform.rs (UniformInt 429-557),
// src/distributions/weighted_index.rs (new, sample 223-240), all at rand tag 0.8.5.
import type { Rng } from '../ports.ts';
import { mulHigh, samplersFrom, type RandSamplers, type Reorderable } from './draws.ts';

/**
 * `gen_range(0..n)` on u32 (`sample_single_inclusive`): a widening multiply, accepted
 * when the low word is within the "conservative" zone `(n << n.leading_zeros()) - 1`,
 * so a power of two rejects half the words it is offered.
 */
function index(rng: Rng, n: number): number {
  const zone = ((n << Math.clz32(n)) - 1) >>> 0;
  for (;;) {
    const word = rng.nextU32();
    if (Math.imul(word, n) >>> 0 <= zone) return mulHigh(word, n);
  }
}

/** `UniformInt::<i32>::new(0, total).sample`: the exact zone `u32::MAX - (2^32 - total) % total`. */
function uniformBelow(rng: Rng, total: number): number {
  const zone = 0xffff_ffff - ((0x1_0000_0000 - total) % total);
  for (;;) {
    const word = rng.nextU32();
    if (Math.imul(word, total) >>> 0 <= zone) return mulHigh(word, total);
  }
}

/** `shuffle`: from the end, `swap(i, gen_range(0..i + 1))` for i = len − 1 down to 1. */
function shuffle<L extends Reorderable<unknown>>(items: L, rng: Rng): L {
  // The swap written out (not draws.ts's `swap`, shared with 0.9.2's shuffle): one
  // function identity check fewer for each of the items, where review shuffles ≈ 320 an
  // activation.
  for (let i = items.length - 1; i > 0; i--) {
    const j = index(rng, i + 1);
    const item = items[i];
    items[i] = items[j];
    items[j] = item;
  }
  return items;
}

export const rand085: RandSamplers = samplersFrom({ version: '0.8.5', index, uniformBelow, shuffle });
