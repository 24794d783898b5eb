import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OpenRequests } from './open-requests.ts';

interface Request {
  readonly kind: number;
  readonly nexus: number;
  readonly target: number;
  readonly hash: number;
  readonly bytes: number;
}

describe('OpenRequests', () => {
  // The model is the tables it replaced: one map by id that request_done empties, and the
  // metrics' own map, which a crashed Nexus's requests also leave.
  it('keeps each open request as a map by id would, and the metrics view apart, whatever room it starts with', () => {
    const request = fc.record({
      kind: fc.integer({ min: 0, max: 4 }),
      nexus: fc.integer({ min: 0, max: 2 }),
      target: fc.integer({ min: 0, max: 9 }),
      hash: fc.integer({ min: -1, max: 30 }),
      bytes: fc.integer({ min: 0, max: 2 ** 40 }),
    });
    const op = fc.oneof(
      fc.record({ op: fc.constant('open' as const), id: fc.integer({ min: 1, max: 3000 }), request }),
      fc.record({ op: fc.constant('close' as const), id: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ op: fc.constant('crash' as const), nexus: fc.integer({ min: 0, max: 2 }) }),
      fc.record({ op: fc.constant('tally' as const), id: fc.integer({ min: 1, max: 3000 }), tally: fc.integer({ min: 0, max: 99 }) }),
    );
    fc.assert(
      // Small rooms make ids meet in a slot: the columns double, or a crashed Nexus's request is parked.
      fc.property(fc.constantFrom(1, 2, 8, 1024), fc.array(op, { maxLength: 80 }), (room, ops) => {
        const table = new OpenRequests(room);
        const open = new Map<number, Request>();
        const forMetrics = new Map<number, Request>();
        const ids = new Set<number>();
        const tallies = new Map<number, number>();
        for (const o of ops) {
          if (o.op === 'open') {
            const r = o.request;
            table.open(o.id, r.kind, r.nexus, r.target, r.hash, r.bytes);
            open.set(o.id, r);
            forMetrics.set(o.id, r);
            tallies.set(o.id, -1);
            ids.add(o.id);
          } else if (o.op === 'tally') {
            // As the checkers do: on an open request, found by isOpen.
            if (!table.isOpen(o.id)) continue;
            table.setTally(o.id, o.tally);
            tallies.set(o.id, o.tally);
          } else if (o.op === 'close') {
            if (table.isOpen(o.id)) table.close(o.id);
            open.delete(o.id);
            forMetrics.delete(o.id);
            ids.add(o.id);
          } else {
            table.closeForMetricsSentBy(o.nexus);
            for (const [id, r] of forMetrics) if (r.nexus === o.nexus) forMetrics.delete(id);
          }
          expect(table.metricsSize).toBe(forMetrics.size);
        }
        for (const id of ids) {
          expect(table.isOpen(id)).toBe(open.has(id));
          expect(table.isOpenForMetrics(id)).toBe(forMetrics.has(id));
          const r = open.get(id);
          if (r === undefined) continue;
          const { kind, nexus, target, hash, bytes } = r;
          expect([table.kind(id), table.nexus(id), table.target(id), table.hash(id), table.bytes(id), table.tally(id)]).toEqual([kind, nexus, target, hash, bytes, tallies.get(id)]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
