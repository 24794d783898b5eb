// The keystream against the test vectors published with rand_chacha
// (rand_chacha/src/chacha.rs, tests, at rand tag rand_chacha-0.3.1: ChaCha20, the IETF
// draft's vectors 1–4) and StdRng's ChaCha12 against its first words for the zero seed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChaChaRng, stdRngFromSeed } from './chacha.ts';

const chacha20 = (seed: readonly number[]): ChaChaRng => new ChaChaRng(Uint8Array.from(seed), 10);
const words = (rng: ChaChaRng, n: number): number[] => Array.from({ length: n }, () => rng.nextU32());
const zeros = (n: number): number[] => new Array<number>(n).fill(0);

describe('ChaCha20 (rand_chacha test vectors)', () => {
  it('true values a: zero seed, blocks 0 and 1', () => {
    const rng = chacha20(zeros(32));
    expect(words(rng, 16)).toEqual([
      0xade0b876, 0x903df1a0, 0xe56a5d40, 0x28bd8653, 0xb819d2bd, 0x1aed8da0, 0xccef36a8, 0xc70d778b,
      0x7c5941da, 0x8d485751, 0x3fe02477, 0x374ad8b8, 0xf4b8436a, 0x1ca11815, 0x69b687c3, 0x8665eeb2,
    ]);
    expect(words(rng, 16)).toEqual([
      0xbee7079f, 0x7a385155, 0x7c97ba98, 0x0d082d73, 0xa0290fcb, 0x6965e348, 0x3e53c612, 0xed7aee32,
      0x7621b729, 0x434ee69c, 0xb03371d5, 0xd539d874, 0x281fed31, 0x45fb0a51, 0x1f0ae1ac, 0x6f4d794b,
    ]);
  });

  it('true values b: the key last byte 1, block 1', () => {
    const rng = chacha20([...zeros(31), 1]);
    rng.skip(16);
    expect(words(rng, 16)).toEqual([
      0x2452eb3a, 0x9249f8ec, 0x8d829d9b, 0xddd4ceb1, 0xe8252083, 0x60818b01, 0xf38422b8, 0x5aaa49c9,
      0xbb00ca8e, 0xda3ba7b4, 0xc4b592d1, 0xfdf2732f, 0x4436274e, 0x2561b3c8, 0xebdd4aa6, 0xa0136c00,
    ]);
  });

  it('true values c: block 2, reached by drawing or by skipping', () => {
    const expected = [
      0xfb4dd572, 0x4bc42ef1, 0xdf922636, 0x327f1394, 0xa78dea8f, 0x5e269039, 0xa1bebbc1, 0xcaf09aae,
      0xa25ab213, 0x48a6b46c, 0x1b9d9bcb, 0x092c5be6, 0x546ca624, 0x1bec45d5, 0x87f47473, 0x96f0992e,
    ];
    const seed = [0, 0xff, ...zeros(30)];
    const drawn = chacha20(seed);
    words(drawn, 32);
    expect(words(drawn, 16)).toEqual(expected);
    expect(drawn.wordPosition).toBe(48);
    const skipped = chacha20(seed);
    skipped.skip(32);
    expect(words(skipped, 16)).toEqual(expected);
    expect(skipped.wordPosition).toBe(48);
  });

  it('multiple blocks: the i-th word of the i-th block', () => {
    const rng = chacha20([0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0]);
    const diagonal = Array.from({ length: 16 }, () => {
      const word = rng.nextU32();
      words(rng, 16);
      return word;
    });
    expect(diagonal).toEqual([
      0xf225c81a, 0x6ab1be57, 0x04d42951, 0x70858036, 0x49884684, 0x64efec72, 0x4be2d186, 0x3615b384,
      0x11cfa18e, 0xd3c50049, 0x75c775f6, 0x434c6530, 0x2c5bad8f, 0x898881dc, 0x5f1c86d9, 0xc1f8e7f4,
    ]);
  });

  it('construction: the first word of a little-endian key', () => {
    expect(chacha20([0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]).nextU32()).toBe(137206642);
  });
});

describe('StdRng (ChaCha12)', () => {
  it('draws 6a9af49b 53f95507 12ce1f81 d583265f first for the zero seed', () => {
    expect(words(stdRngFromSeed(new Uint8Array(32)), 4)).toEqual([0x6a9af49b, 0x53f95507, 0x12ce1f81, 0xd583265f]);
  });

  it('refuses a seed that is not 32 bytes', () => {
    expect(() => stdRngFromSeed(new Uint8Array(16))).toThrow(RangeError);
  });

  it('skipping n words then drawing equals drawing n + k words', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(200), fc.nat(40), fc.nat(40), (seed, first, gap, k) => {
        const drawn = stdRngFromSeed(seed);
        const all = words(drawn, first + gap + k);
        const skipped = stdRngFromSeed(seed);
        const head = words(skipped, first);
        skipped.skip(gap);
        expect(skipped.wordPosition).toBe(first + gap);
        expect([...head, ...words(skipped, k)]).toEqual([...all.slice(0, first), ...all.slice(first + gap)]);
      }),
    );
  });

  it('every word is a u32 and the position counts them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(100), (seed, n) => {
        const rng = stdRngFromSeed(seed);
        for (const w of words(rng, n)) expect(Number.isInteger(w) && w >= 0 && w <= 0xffffffff).toBe(true);
        expect(rng.wordPosition).toBe(n);
      }),
    );
  });
});

/**
 * The ChaCha block function written out plainly (RFC 8439 §2.1-2.3, rand_chacha's state
 * layout: constants, key, a 64-bit counter in words 12-13, stream 0 in words 14-15), for
 * blocks far along the stream: the counter's words are computed apart from the generator's.
 */
function referenceBlock(seed: Uint8Array, doubleRounds: number, counter: bigint): number[] {
  const key = Array.from({ length: 8 }, (_, i) => new DataView(seed.buffer, seed.byteOffset).getUint32(4 * i, true));
  const state = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574, ...key, Number(counter & 0xffffffffn), Number(counter >> 32n), 0, 0];
  const x = [...state];
  const rotl = (v: number, n: number): number => ((v << n) | (v >>> (32 - n))) >>> 0;
  const quarter = (a: number, b: number, c: number, d: number): void => {
    x[a] = (x[a]! + x[b]!) >>> 0; x[d] = rotl(x[d]! ^ x[a]!, 16);
    x[c] = (x[c]! + x[d]!) >>> 0; x[b] = rotl(x[b]! ^ x[c]!, 12);
    x[a] = (x[a]! + x[b]!) >>> 0; x[d] = rotl(x[d]! ^ x[a]!, 8);
    x[c] = (x[c]! + x[d]!) >>> 0; x[b] = rotl(x[b]! ^ x[c]!, 7);
  };
  for (let r = 0; r < doubleRounds; r++) {
    quarter(0, 4, 8, 12); quarter(1, 5, 9, 13); quarter(2, 6, 10, 14); quarter(3, 7, 11, 15);
    quarter(0, 5, 10, 15); quarter(1, 6, 11, 12); quarter(2, 7, 8, 13); quarter(3, 4, 9, 14);
  }
  return x.map((v, i) => (v + state[i]!) >>> 0);
}

describe('ChaCha block counter', () => {
  it('the reference block function gives the rand_chacha vector (true values a, block 0)', () => {
    expect(referenceBlock(new Uint8Array(32), 10, 0n).slice(0, 4)).toEqual([0xade0b876, 0x903df1a0, 0xe56a5d40, 0x28bd8653]);
  });

  it('blocks around and past 2^32 (the counter high word) and far along: the same words as the reference', () => {
    const counters = fc.oneof(
      fc.constantFrom(0xffff_ffff, 0x1_0000_0000, 0x1_0000_0001, 0x7fff_ffff, 0x8000_0000),
      fc.integer({ min: 0, max: 2 ** 48 }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), counters, fc.constantFrom(6, 10), (seed, block, rounds) => {
        const rng = new ChaChaRng(seed, rounds);
        rng.skip(block * 16);
        const drawn = words(rng, 32);
        expect(drawn).toEqual([...referenceBlock(seed, rounds, BigInt(block)), ...referenceBlock(seed, rounds, BigInt(block) + 1n)]);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses fewer than one double round', () => {
    expect(() => new ChaChaRng(new Uint8Array(32), 0)).toThrow(RangeError);
  });
});
