import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FirstSeenNumbers, NumberedMemo } from './first-seen-numbers.ts';

describe('FirstSeenNumbers', () => {
  it('numbers strings in first-seen order', () => {
    // Names alike in length and last characters, short strings, the empty one.
    const name = fc.oneof(
      fc.constantFrom('', 'a', 'b', 'ok', 'no', 'sled-100', 'sled-200', 'xled-100', 'r3-017', 'r5-017'),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(name, { maxLength: 60 }), (names) => {
        const numbers = new FirstSeenNumbers();
        const firstSeen = [...new Set(names)];
        for (const text of names) expect(numbers.numberOf(text)).toBe(firstSeen.indexOf(text));
        expect(numbers.size).toBe(firstSeen.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('NumberedMemo', () => {
  it('keeps a number by world number, as a map would, whatever room it starts with', () => {
    const step = fc.record({ n: fc.integer({ min: -3, max: 300 }), value: fc.nat(1000), set: fc.boolean() });
    fc.assert(
      fc.property(fc.nat(200), fc.array(step, { maxLength: 200 }), (capacity, steps) => {
        const memo = new NumberedMemo(capacity);
        const kept = new Map<number, number>();
        for (const { n, value, set } of steps) {
          if (set) {
            memo.set(n, value);
            if (n >= 0) kept.set(n, value);
          } else expect(memo.get(n)).toBe(kept.get(n) ?? -1);
        }
      }),
      { numRuns: 300 },
    );
  });
});
