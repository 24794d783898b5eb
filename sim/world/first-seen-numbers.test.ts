import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FirstSeenNumbers } from './first-seen-numbers.ts';

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
