// The store's list of open writers against an array: after any sequence of adds and
// removals (of any member, first, last or between), the items are those added and not
// removed, in the order they were added.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InsertionList, type ListLinks } from './insertion-list.ts';

class Item implements ListLinks<Item> {
  earlier: Item | undefined = undefined;
  later: Item | undefined = undefined;
  constructor(readonly id: number) {}
}

describe('InsertionList', () => {
  it('keeps the order of adding through any removals', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(-1), fc.nat({ max: 20 })), { maxLength: 60 }), (ops) => {
        const list = new InsertionList<Item>();
        const model: Item[] = [];
        let next = 0;
        for (const op of ops) {
          if (op < 0 || model.length === 0) {
            const item = new Item(next++);
            list.push(item);
            model.push(item);
          } else {
            const [item] = model.splice(op % model.length, 1);
            list.remove(item as Item);
          }
          expect(list.toArray().map((i) => i.id)).toEqual(model.map((i) => i.id));
        }
      }),
    );
  });

  it('takes a removed item back at the end, with fresh links', () => {
    const list = new InsertionList<Item>();
    const [a, b, c] = [new Item(0), new Item(1), new Item(2)];
    list.push(a);
    list.push(b);
    list.push(c);
    list.remove(a);
    list.push(a);
    expect(list.toArray().map((i) => i.id)).toEqual([1, 2, 0]);
    expect([a.earlier?.id, a.later]).toEqual([2, undefined]);
  });
});
