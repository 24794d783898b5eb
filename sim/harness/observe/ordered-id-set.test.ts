import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderedIdSet } from './ordered-id-set.ts';

describe('OrderedIdSet', () => {
  it('holds and orders its ids as a Set does: first added first, a re-added id last', () => {
    const op = fc.record({ add: fc.boolean(), id: fc.integer({ min: 0, max: 60 }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), (ops) => {
        const set = new OrderedIdSet();
        const model = new Set<number>();
        for (const o of ops) {
          if (o.add) {
            set.add(o.id);
            model.add(o.id);
          } else {
            expect(set.delete(o.id)).toBe(model.delete(o.id));
          }
          expect(set.has(o.id)).toBe(model.has(o.id));
        }
        const order: number[] = [];
        for (let id = set.first(); id !== -1; id = set.after(id)) order.push(id);
        expect(order).toEqual([...model]);
      }),
      { numRuns: 300 },
    );
  });
});
