// rand 0.8.5's and 0.9.2's samplers on scripted words: each rule pinned by a word that
// only that rule treats so (acceptance zones, Canon's carry, chunked shuffle indices),
// and properties of range and words consumed on the StdRng stream.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Rng } from '../ports.ts';
import { ENGINE_GENERATIONS } from '../types.ts';
import { stdRngFromSeed } from './chacha.ts';
import { mulHigh } from './draws.ts';
import { randSamplers, randVersionOf } from './index.ts';
import { rand085 } from './rand-0.8.5.ts';
import { rand092 } from './rand-0.9.2.ts';

/** Hands out the given words and counts them; running out is a test failure. */
class ScriptedWords implements Rng {
  used = 0;
  constructor(private readonly words: readonly number[]) {}
  nextU32(): number {
    const word = this.words[this.used++];
    if (word === undefined) throw new Error(`only ${this.words.length} scripted words`);
    return word;
  }
}

const counting = (seed: Uint8Array): Rng & { used: number } => {
  const inner = stdRngFromSeed(seed);
  const rng = { used: 0, nextU32: () => (rng.used++, inner.nextU32()) };
  return rng;
};
/** Chunks 0.9.2's shuffle draws for `len` items: bounds 2..len, grouped while their product stays below 2^32. */
function chunkCount(len: number): number {
  let chunks = 0;
  let product = 0n;
  for (let bound = 2n; bound <= BigInt(len); bound++) {
    if (product === 0n || product * bound > 0xffffffffn) {
      chunks++;
      product = bound;
    } else product *= bound;
  }
  return chunks;
}

const seeds = fc.uint8Array({ minLength: 32, maxLength: 32 });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bound = fc.integer({ min: 1, max: 0xffffffff });

describe('the 64-bit product of two u32s', () => {
  it('mulHigh and Math.imul give its exact high and low words', () => {
    const edges = fc.constantFrom(0, 1, 0xffff, 0x10000, 0x1fffff, 0x200000, 0x80000000, 0xffffffff);
    fc.assert(
      fc.property(fc.oneof(u32, edges), fc.oneof(u32, edges), (a, b) => {
        const product = BigInt(a) * BigInt(b);
        expect(mulHigh(a, b)).toBe(Number(product >> 32n));
        expect(Math.imul(a, b) >>> 0).toBe(Number(product & 0xffffffffn));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('rand 0.8.5', () => {
  it('gen_range accepts a low word up to (n << n.leading_zeros()) - 1 and rejects above', () => {
    // n = 2: zone 2^31 - 1; 0xc0000000 * 2 has low word 2^31, rejected.
    const rng = new ScriptedWords([0xc0000000, 0x80000000]);
    expect(rand085.index(rng, 2)).toBe(1);
    expect(rng.used).toBe(2);
    // n = 3: zone 0xbfffffff; 0x55555555 * 3 = 0xffffffff, rejected; 0 accepted.
    const three = new ScriptedWords([0x55555555, 0]);
    expect(rand085.index(three, 3)).toBe(0);
    expect(three.used).toBe(2);
    // The zone's own value is accepted: 0x95555555 * 3 = 0x1bfffffff.
    const edge = new ScriptedWords([0x95555555]);
    expect(rand085.index(edge, 3)).toBe(1);
    expect(edge.used).toBe(1);
  });

  it('shuffle runs from the end, swapping i with gen_range(0..i+1)', () => {
    // i = 2: gen_range(0..3) of word 0 is 0, swap(2, 0); i = 1: 2 * 0xffffffff has low
    // word 0xfffffffe, above n = 2's zone, rejected; 0x80000000 gives 1, swap(1, 1).
    const rng = new ScriptedWords([0, 0xffffffff, 0x80000000]);
    expect(rand085.shuffle(['a', 'b', 'c'], rng)).toEqual(['c', 'b', 'a']);
    expect(rng.used).toBe(3);
  });

  it('choose draws on a slice of one, not on an empty one', () => {
    const rng = new ScriptedWords([0x12345678]);
    expect(rand085.choose([], rng)).toBeUndefined();
    expect(rand085.choose(['only'], rng)).toBe('only');
    expect(rng.used).toBe(1);
  });

  it("choose_weighted samples [0, total) with zone u32::MAX - (2^32 - total) % total", () => {
    // total 3: (2^32 - 3) % 3 = 1, zone 0xfffffffe. Word 0 (low 0) is accepted: chosen 0.
    const rng = new ScriptedWords([0]);
    expect(rand085.chooseWeighted(['a', 'b', 'c'], () => 1, rng)).toBe('a');
    // 0x55555555 * 3 = 0xffffffff: low above the zone, rejected; then 0xaaaaaaab * 3 = 0x200000001: chosen 2.
    const twice = new ScriptedWords([0x55555555, 0xaaaaaaab]);
    expect(rand085.chooseWeighted(['a', 'b', 'c'], () => 1, twice)).toBe('c');
    expect(twice.used).toBe(2);
    // The zone's own value is accepted: 0xaaaaaaaa * 3 = 0x1fffffffe.
    const edge = new ScriptedWords([0xaaaaaaaa]);
    expect(rand085.chooseWeighted(['a', 'b', 'c'], () => 1, edge)).toBe('b');
    expect(edge.used).toBe(1);
  });
});

describe('rand 0.9.2', () => {
  it("random_range is Canon's method: a second word only above 2^32 - n, adding its carry", () => {
    // n = 3, 0xaaaaaaaa * 3 = 0x1fffffffe: low 0xfffffffe > 0xfffffffd, so a second word;
    // its high product (2 for 0xffffffff) overflows the low word: 1 + 1.
    const carry = new ScriptedWords([0xaaaaaaaa, 0xffffffff]);
    expect(rand092.index(carry, 3)).toBe(2);
    expect(carry.used).toBe(2);
    const noCarry = new ScriptedWords([0xaaaaaaaa, 0]);
    expect(rand092.index(noCarry, 3)).toBe(1);
    // A low word of exactly 2^32 - n needs no second word: 0xffffffff * 3 = 0x2fffffffd.
    const edge = new ScriptedWords([0xffffffff]);
    expect(rand092.index(edge, 3)).toBe(2);
    expect(edge.used).toBe(1);
    // n = 2 never rejects: 0xc0000000 is 1 at once (0.8.5 rejects it).
    const once = new ScriptedWords([0xc0000000]);
    expect(rand092.index(once, 2)).toBe(1);
    expect(once.used).toBe(1);
  });

  it('shuffle runs forward, one draw below 2·3·…·13 serving twelve indices', () => {
    // 2..13 multiply to 13!/1 = 6227020800 > 2^32, so the bound is 2·3·…·12 = 479001600 (11 factors).
    const items = Array.from({ length: 13 }, (_, i) => i);
    // Chunk 0 (word 0): every index 0, swap(i, 0) for i = 1..11; i = 12 draws a new chunk.
    const rng = new ScriptedWords([0, 0]);
    expect(rand092.shuffle(items, rng)).toEqual([12, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(rng.used).toBe(2);
  });

  it('shuffle decodes a chunk by % and / in increasing order', () => {
    // Three items: bound for n = 2 is 2·3·…·12; chunk 5 = 1 + 2·2: i = 1 takes 5 % 2 = 1, i = 2 takes 2 % 3 = 2.
    // random_range(..479001600) of word w is floor(w * 479001600 / 2^32): w = ceil(5 * 2^32 / 479001600).
    const word = Math.ceil((5 * 2 ** 32) / 479001600);
    const rng = new ScriptedWords([word]);
    expect(rand092.shuffle(['a', 'b', 'c'], rng)).toEqual(['a', 'b', 'c']);
    const swapFirst = new ScriptedWords([0]);
    expect(rand092.shuffle(['a', 'b', 'c'], swapFirst)).toEqual(['c', 'a', 'b']);
  });

  it("choose_weighted is Lemire's: threshold (2^32 - total) % total, rejecting below it", () => {
    // total 3: threshold 1. Word 0 (low 0) is rejected (0.8.5 accepts it), 0x55555556 * 3 = 0x100000002: chosen 1.
    const rng = new ScriptedWords([0, 0x55555556]);
    expect(rand092.chooseWeighted(['a', 'b', 'c'], () => 1, rng)).toBe('b');
    expect(rng.used).toBe(2);
    // 0x55555555 * 3 = 0xffffffff: accepted (0.8.5 rejects it), chosen 0.
    const once = new ScriptedWords([0x55555555]);
    expect(rand092.chooseWeighted(['a', 'b', 'c'], () => 1, once)).toBe('a');
    // A low word equal to the threshold is accepted: 0xaaaaaaab * 3 = 0x200000001.
    const edge = new ScriptedWords([0xaaaaaaab]);
    expect(rand092.chooseWeighted(['a', 'b', 'c'], () => 1, edge)).toBe('c');
    expect(edge.used).toBe(1);
  });
});

describe.each([rand085, rand092])('rand $version on StdRng', (draws) => {
  it('index is in [0, n) and takes 1 word, rarely more (0.9.2: at most 2)', () => {
    fc.assert(
      fc.property(seeds, bound, (seed, n) => {
        const rng = counting(seed);
        const i = draws.index(rng, n);
        expect(Number.isInteger(i) && i >= 0 && i < n).toBe(true);
        expect(rng.used).toBeGreaterThanOrEqual(1);
        if (draws.version === '0.9.2') expect(rng.used).toBeLessThanOrEqual(2);
      }),
    );
  });

  it('shuffle permutes, drawing nothing for fewer than two items', () => {
    fc.assert(
      fc.property(seeds, fc.nat(40), (seed, len) => {
        const rng = counting(seed);
        const items = Array.from({ length: len }, (_, i) => i);
        const shuffled = draws.shuffle([...items], rng);
        expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
        if (len <= 1) expect(rng.used).toBe(0);
        // 0.8.5: one gen_range per i >= 1, more on rejection; 0.9.2: one random_range
        // (1 or 2 words) per chunk of consecutive bounds whose product fits in a u32.
        else if (draws.version === '0.8.5') expect(rng.used).toBeGreaterThanOrEqual(len - 1);
        else {
          const chunks = chunkCount(len);
          expect(rng.used).toBeGreaterThanOrEqual(chunks);
          expect(rng.used).toBeLessThanOrEqual(2 * chunks);
        }
      }),
    );
  });

  it('choose picks an element and draws once a slice is not empty', () => {
    fc.assert(
      fc.property(seeds, fc.array(fc.string(), { maxLength: 20 }), (seed, items) => {
        const rng = counting(seed);
        const chosen = draws.choose(items, rng);
        if (items.length === 0) {
          expect(chosen).toBeUndefined();
          expect(rng.used).toBe(0);
        } else {
          expect(items).toContain(chosen);
          expect(rng.used).toBeGreaterThanOrEqual(1);
        }
      }),
    );
  });

  it('choose_weighted never picks a zero weight, and fails before drawing when all are zero', () => {
    fc.assert(
      fc.property(seeds, fc.array(fc.nat(3), { maxLength: 20 }), (seed, weights) => {
        const rng = counting(seed);
        const indices = weights.map((_, i) => i);
        const chosen = draws.chooseWeighted(indices, (i) => weights[i] as number, rng);
        if (weights.every((w) => w === 0)) {
          expect(chosen).toBeUndefined();
          expect(rng.used).toBe(0);
        } else {
          expect(chosen).toBeDefined();
          expect(weights[chosen as number]).toBeGreaterThan(0);
          expect(rng.used).toBeGreaterThanOrEqual(1);
        }
      }),
    );
  });
});

describe.each([rand085, rand092])('rand $version: chooseOther', (draws) => {
  it('is choose_weighted with weight 0 for the one item and 1 for the others: the same item, the same words drawn', () => {
    fc.assert(
      fc.property(seeds, fc.array(fc.nat(5), { maxLength: 40 }), fc.nat(6), (seed, items, except) => {
        const byWeights = counting(seed);
        const byOther = counting(seed);
        expect(draws.chooseOther(items, except, byOther)).toBe(draws.chooseWeighted(items, (item) => (item === except ? 0 : 1), byWeights));
        expect(byOther.used).toBe(byWeights.used);
      }),
    );
  });
});

describe('rand version of each generation', () => {
  it('is 0.8.5 up to generation, 0.9.2 for current', () => {
    expect(ENGINE_GENERATIONS.map((g) => randSamplers(randVersionOf(g)).version)).toEqual(['0.8.5', '0.8.5', '0.8.5', '0.9.2']);
  });
});
