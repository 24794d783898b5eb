import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestTable } from './request-table.ts';

type Op = { readonly op: 'set' | 'take' | 'closeOdd'; readonly id: number; readonly value: number };

describe('RequestTable', () => {
  it('behaves as a Map from id to value under any mix of sets, takes and bulk closes', () => {
    const op = fc.record({ op: fc.constantFrom('set' as const, 'set' as const, 'take' as const, 'closeOdd' as const), id: fc.integer({ min: 1, max: 300 }), value: fc.integer() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), (ops: Op[]) => {
        const table = new RequestTable<{ value: number }>();
        const model = new Map<number, { value: number }>();
        for (const o of ops) {
          if (o.op === 'set') {
            const item = { value: o.value };
            table.set(o.id, item);
            model.set(o.id, item);
          } else if (o.op === 'take') {
            expect(table.take(o.id)).toBe(model.get(o.id));
            model.delete(o.id);
          } else {
            const odd = (item: { value: number }): boolean => item.value % 2 !== 0;
            table.closeWhere(odd);
            for (const [id, item] of model) if (odd(item)) model.delete(id);
          }
          expect(table.size).toBe(model.size);
          expect(table.get(o.id)).toBe(model.get(o.id));
        }
        for (let id = 0; id <= 300; id++) expect(table.get(id)).toBe(model.get(id));
      }),
      { numRuns: 300 },
    );
  });
});
