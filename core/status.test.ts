import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingBuffer } from './status.ts';

describe('RingBuffer', () => {
  it('holds the last `capacity` records pushed, and each snapshot keeps what it held when taken, whatever is pushed after', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.array(fc.nat(99), { maxLength: 12 }), { maxLength: 30 }),
        fc.array(fc.boolean(), { maxLength: 30 }),
        (capacity, batches, readEarly) => {
          const ring = new RingBuffer<number>(capacity);
          const everything: number[] = [];
          const snapshots: { read: () => readonly number[]; expected: number[] }[] = [];
          batches.forEach((batch, i) => {
            ring.pushAll(batch);
            everything.push(...batch);
            const expected = everything.slice(Math.max(0, everything.length - capacity));
            expect(ring.toArray()).toEqual(expected);
            expect(ring.length).toBe(expected.length);
            const read = ring.snapshot();
            // Some are read at once (the copy is then kept), the rest only at the end.
            if (readEarly[i] === true) expect(read()).toEqual(expected);
            snapshots.push({ read, expected });
          });
          for (const { read, expected } of snapshots) expect(read()).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
