// The store's slot table against a Map: after any sequence of sets and deletes on any
// datasets, lookups and each dataset's ascending list of numbers agree with the map's,
// whatever room for numbers the table was made with.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FilesByNumber } from './files-by-number.ts';

const DATASETS = 3;
const op = fc.record({ set: fc.boolean(), n: fc.nat({ max: 40 }), dataset: fc.nat({ max: DATASETS - 1 }), file: fc.string({ maxLength: 3 }) });

describe('FilesByNumber', () => {
  it('answers as a Map keyed by (number, dataset) would, numbers ascending per dataset', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.nat({ max: 50 }), (ops, room) => {
        const files = new FilesByNumber<string>(DATASETS, room);
        const model = new Map<string, string>();
        for (const { set, n, dataset, file } of ops) {
          if (set) {
            files.set(n, dataset, file);
            model.set(`${n}/${dataset}`, file);
          } else {
            files.delete(n, dataset);
            model.delete(`${n}/${dataset}`);
          }
        }
        for (let dataset = 0; dataset < DATASETS; dataset++) {
          const numbers = [...model.keys()].filter((key) => key.endsWith(`/${dataset}`)).map((key) => Number(key.split('/')[0]));
          expect(files.numbersOn(dataset)).toEqual(numbers.sort((a, b) => a - b));
          for (let n = 0; n <= 45; n++) {
            expect(files.get(n, dataset)).toBe(model.get(`${n}/${dataset}`));
            expect(files.has(n, dataset)).toBe(model.has(`${n}/${dataset}`));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
