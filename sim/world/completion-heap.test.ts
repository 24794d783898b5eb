import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompletionHeap } from './completion-heap.ts';

interface Item {
  eta: number;
  readonly seq: number;
  heapIndex: number;
}

type Op =
  | { readonly op: 'add'; readonly eta: number }
  | { readonly op: 'change'; readonly pick: number; readonly eta: number }
  | { readonly op: 'remove'; readonly pick: number }
  | { readonly op: 'due'; readonly now: number };

const eta = fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constant(Infinity));
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('add' as const), eta }),
  fc.record({ op: fc.constant('change' as const), pick: fc.nat(), eta }),
  fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('due' as const), now: fc.integer({ min: 0, max: 50 }) }),
);

describe('CompletionHeap', () => {
  it('agrees with a plain list: earliest finish, every item and the items due, in start order', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const heap = new CompletionHeap<Item>();
        const model: Item[] = [];
        let seq = 0;
        for (const o of ops) {
          if (o.op === 'add') {
            const item = { eta: o.eta, seq: seq++, heapIndex: -1 };
            model.push(item);
            heap.add(item);
          } else if (o.op === 'change' && model.length > 0) {
            const item = model[o.pick % model.length] as Item;
            const grew = o.eta > item.eta;
            const shrank = o.eta < item.eta;
            item.eta = o.eta;
            if (grew) heap.later(item);
            if (shrank) heap.sooner(item);
          } else if (o.op === 'remove' && model.length > 0) {
            const [item] = model.splice(o.pick % model.length, 1) as [Item];
            heap.remove(item);
            expect(item.heapIndex).toBe(-1);
          } else if (o.op === 'due') {
            const due = model.filter((i) => i.eta <= o.now).sort((a, b) => a.seq - b.seq);
            expect(heap.due(o.now)).toEqual(due);
          }
          expect(heap.earliest).toBe(Math.min(Infinity, ...model.map((i) => i.eta)));
          expect(heap.inStartOrder()).toEqual([...model].sort((a, b) => a.seq - b.seq));
        }
      }),
      { numRuns: 500 },
    );
  });
});
