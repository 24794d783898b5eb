// The store's slot table against a Map: after any sequence of sets and deletes, lookups
// and the ascending list of numbers agree with the map's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FilesByNumber } from './files-by-number.ts';

const op = fc.record({ set: fc.boolean(), n: fc.nat({ max: 40 }), file: fc.string({ maxLength: 3 }) });

describe('FilesByNumber', () => {
  it('answers as a Map keyed by number would, numbers ascending', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const files = new FilesByNumber<string>();
        const model = new Map<number, string>();
        for (const { set, n, file } of ops) {
          if (set) {
            files.set(n, file);
            model.set(n, file);
          } else {
            files.delete(n);
            model.delete(n);
          }
        }
        expect(files.numbers()).toEqual([...model.keys()].sort((a, b) => a - b));
        for (let n = 0; n <= 45; n++) {
          expect(files.get(n)).toBe(model.get(n));
          expect(files.has(n)).toBe(model.has(n));
        }
      }),
      { numRuns: 300 },
    );
  });
});
