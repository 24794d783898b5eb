import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PairCounter, PairMap } from './pair-map.ts';

// Keys that would collide if the pair were joined with a separator.
const key = fc.constantFrom('a', 'a/b', 'b', '', 'b/', '/b');

describe('PairMap and PairCounter', () => {
  it('keep each pair apart, as a map keyed by the pair would', () => {
    const op = fc.record({ op: fc.constantFrom('set', 'delete', 'add', 'sub'), a: key, b: key, value: fc.integer() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 100 }), (ops) => {
        const map = new PairMap<number>();
        const counter = new PairCounter();
        const model = new Map<string, number>();
        const counts = new Map<string, number>();
        for (const o of ops) {
          const id = JSON.stringify([o.a, o.b]);
          if (o.op === 'set') {
            map.set(o.a, o.b, o.value);
            model.set(id, o.value);
          } else if (o.op === 'delete') {
            expect(map.delete(o.a, o.b)).toBe(model.delete(id));
          } else {
            const before = counts.get(id) ?? 0;
            expect(counter.add(o.a, o.b, o.op === 'add' ? 1 : -1)).toBe(before);
            counts.set(id, Math.max(0, before + (o.op === 'add' ? 1 : -1)));
          }
          expect(map.get(o.a, o.b)).toBe(model.get(id));
          expect(map.has(o.a, o.b)).toBe(model.has(id));
          expect(counter.get(o.a, o.b)).toBe(counts.get(id) ?? 0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
