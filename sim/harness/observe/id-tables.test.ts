import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdColumn, PairTable } from './id-tables.ts';

// Ids past the first allocation on both axes, so that the tables grow while holding values.
const id = fc.integer({ min: 0, max: 40 });

// The interners a table may be told of, as their sizes grow between operations (or none).
const interners = fc.option(fc.record({ rows: fc.integer({ min: 0, max: 60 }), cols: fc.integer({ min: 0, max: 60 }) }), { nil: undefined });

describe('PairTable', () => {
  it('behaves as a map keyed by the pair, reading 0 for a pair never set, however it grows', () => {
    const op = fc.record({ op: fc.constantFrom('set', 'add', 'clear'), a: id, b: id, value: fc.integer({ min: -1000, max: 1000 }), more: fc.nat(8) });
    fc.assert(
      fc.property(interners, fc.array(op, { maxLength: 120 }), (sizes, ops) => {
        const rowIds = { size: sizes?.rows ?? 0 };
        const colIds = { size: sizes?.cols ?? 0 };
        const table = sizes === undefined ? new PairTable() : new PairTable(rowIds, colIds);
        const model = new Map<string, number>();
        for (const o of ops) {
          rowIds.size += o.more;
          colIds.size += o.more >> 1;
          const key = `${o.a},${o.b}`;
          if (o.op === 'set') {
            table.set(o.a, o.b, o.value);
            model.set(key, o.value);
          } else if (o.op === 'add') {
            expect(table.add(o.a, o.b, o.value)).toBe(model.get(key) ?? 0);
            model.set(key, (model.get(key) ?? 0) + o.value);
          } else {
            table.clear();
            model.clear();
          }
          expect(table.get(o.a, o.b)).toBe(model.get(key) ?? 0);
        }
        const rows = (read: (a: number, b: number) => number): [number, number][][] =>
          Array.from({ length: 41 }, (_, a) => Array.from({ length: 41 }, (_, b): [number, number] => [b, read(a, b)]).filter(([, v]) => v !== 0));
        const listed = Array.from({ length: 41 }, (_, a) => {
          const seen: [number, number][] = [];
          table.forEachIn(a, (b, value) => seen.push([b, value]));
          return seen;
        });
        expect(listed).toEqual(rows((a, b) => model.get(`${a},${b}`) ?? 0));
        expect(rows((a, b) => table.get(a, b))).toEqual(listed);
      }),
      { numRuns: 100 },
    );
  });
});

describe('IdColumn', () => {
  it('behaves as a map from id to integer, reading 0 for an id never set', () => {
    const op = fc.record({ op: fc.constantFrom('set', 'add'), id: fc.integer({ min: 0, max: 100 }), value: fc.integer({ min: -1000, max: 1000 }) });
    fc.assert(
      fc.property(fc.option(fc.nat(150), { nil: undefined }), fc.array(op, { maxLength: 100 }), (size, ops) => {
        const ids = { size: size ?? 0 };
        const column = size === undefined ? new IdColumn() : new IdColumn(ids);
        const model = new Map<number, number>();
        for (const o of ops) {
          ids.size += 3;
          if (o.op === 'set') {
            column.set(o.id, o.value);
            model.set(o.id, o.value);
          } else {
            const after = (model.get(o.id) ?? 0) + o.value;
            expect(column.add(o.id, o.value)).toBe(after);
            model.set(o.id, after);
          }
        }
        for (let i = 0; i <= 100; i++) expect(column.get(i)).toBe(model.get(i) ?? 0);
      }),
      { numRuns: 200 },
    );
  });
});
