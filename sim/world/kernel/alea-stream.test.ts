// The world's streams step Alea themselves: every draw must be seedrandom's, bit for bit,
// or every report of every run would change.
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { AleaStream } from './alea-stream.ts';

describe('AleaStream', () => {
  it("draws exactly seedrandom's alea doubles and their integers, in any mix", () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 300 }), (seed, bounds) => {
        const library = seedrandom.alea(seed);
        const ours = new AleaStream(seed);
        for (const bound of bounds) {
          // Bound 0 stands for a float draw: the two kinds interleave as the world's do.
          if (bound === 0) expect(Object.is(ours.nextFloat(), library.double())).toBe(true);
          else expect(ours.nextInt(bound)).toBe(Math.floor(library.double() * bound));
        }
      }),
    );
  });

  it('keeps to the library over a long run of one stream', () => {
    const library = seedrandom.alea('depotsim/1/net');
    const ours = new AleaStream('depotsim/1/net');
    for (let i = 0; i < 100_000; i++) {
      const expected = library.double();
      const got = ours.nextFloat();
      if (got !== expected) expect({ draw: i, got }).toEqual({ draw: i, got: expected });
    }
  });
});
