import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Interner } from './interner.ts';

describe('Interner', () => {
  it('numbers names in first-seen order, however they repeat', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('sled-0', 'sled-1', 'sled-2', 'a', 'b', ''), { maxLength: 40 }), (names) => {
        const interner = new Interner();
        const firstSeen = [...new Set(names)];
        for (const name of names) expect(interner.id(name)).toBe(firstSeen.indexOf(name));
        expect(interner.size).toBe(firstSeen.length);
        firstSeen.forEach((name, id) => expect(interner.name(id)).toBe(name));
        expect(interner.idsOf(names)).toEqual(names.map((name) => firstSeen.indexOf(name)));
      }),
      { numRuns: 200 },
    );
  });
});
