import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActivationLedger, RequestRing } from './request-log.ts';
import { OPERATIONS, TaskPanic, type Counters, type Operation, type RequestRecord } from './status.ts';
import type { Request } from './types.ts';

/** `record` as the engine records it: the request (or list, or config put) it is about. */
function recordInto(ledger: ActivationLedger, record: RequestRecord): void {
  const { target, operation: op, error } = record;
  if (op.kind === 'list') ledger.recordList(target, error);
  else if (op.kind === 'config') ledger.recordConfig(target, op.generation, error);
  else {
    const request: Request =
      op.kind === 'put'
        ? { kind: 'put', target, artifact: { hash: op.hash, size: 1 } }
        : op.kind === 'copy'
          ? { kind: 'copy', target, hash: op.hash, source: op.source }
          : { kind: 'delete', target, hash: op.hash };
    ledger.recordRequest(request, error);
  }
}

/**
 * The plain model of omicron's order of a batch: the derived `Ord` of
 * `TufArtifactReplicationRequest` spelt as a key, the variants in their c31dc2f3 order.
 */
function omicronOrder(a: RequestRecord, b: RequestRecord): number {
  const variants = ['config', 'list', 'put', 'copy', 'delete'];
  const key = (r: RequestRecord): (number | string)[] => {
    const op = r.operation;
    return [
      r.time,
      r.target,
      variants.indexOf(op.kind),
      op.kind === 'config' ? op.generation : 0,
      'hash' in op ? op.hash : '',
      op.kind === 'copy' ? op.source : '',
      r.error === null ? 0 : 1,
      r.error ?? '',
    ];
  };
  const x = key(a);
  const y = key(b);
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) return (x[i] as number | string) < (y[i] as number | string) ? -1 : 1;
  }
  return 0;
}

const text = (...values: string[]) => fc.constantFrom(...values);
const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.constant<Operation>({ kind: 'list' }),
  fc.record({ kind: fc.constant('put' as const), hash: text('aa', 'ab', 'b') }),
  fc.record({ kind: fc.constant('copy' as const), hash: text('aa', 'ab', 'b'), source: text('sled-1', 'sled-2') }),
  fc.record({ kind: fc.constant('delete' as const), hash: text('aa', 'ab', 'b') }),
  fc.record({ kind: fc.constant('config' as const), generation: fc.integer({ min: 1, max: 3 }) }),
);
// Few distinct values, so that records often tie on their first fields; times past the
// small-integer range as well, as a rack-day's microseconds are.
const record: fc.Arbitrary<RequestRecord> = fc.record({
  time: fc.constantFrom(0, 86_400_000_000, 86_400_000_001),
  target: text('sled-1', 'sled-10'),
  operation,
  error: fc.constantFrom(null, null, 'timed out', 'refused'),
});

const zero = (): Counters => Object.fromEntries(OPERATIONS.map((op) => [op, { ok: 0, error: 0 }])) as Counters;

describe('RequestRing', () => {
  it('holds what a plain ring of record objects holds, batch by batch, snapshots included, and panics on the same batches, whatever its chunk size; a batch counts only once ended', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 5 }),
        fc.array(
          fc.record({ records: fc.array(record, { maxLength: 12 }), sorted: fc.boolean(), readEarly: fc.boolean(), abandoned: fc.boolean() }),
          { maxLength: 30 },
        ),
        (capacity, panics, chunkSize, batches) => {
          const ring = new RequestRing(capacity, panics, chunkSize);
          let now = 0;
          const clock = { now: () => now };
          let kept: RequestRecord[] = [];
          const snapshots: { read: () => readonly RequestRecord[]; expected: RequestRecord[] }[] = [];
          for (const batch of batches) {
            const ledger = new ActivationLedger(clock, ring);
            const counted = zero();
            for (const [i, r] of batch.records.entries()) {
              now = r.time;
              recordInto(ledger, r);
              counted[r.operation.kind][r.error === null ? 'ok' : 'error']++;
              // Recorded but not ended: nothing reads it yet.
              if (i === 0 && batch.readEarly) snapshots.push({ read: ring.snapshot(), expected: kept });
            }
            expect(ledger.counters).toEqual(counted);
            expect(ring.toArray()).toEqual(kept);
            expect(ring.length).toBe(kept.length);
            // An activation that failed before its batch ended: the next one drops its records.
            if (batch.abandoned) continue;
            const entering = batch.sorted ? [...batch.records].sort(omicronOrder) : batch.records;
            if (panics && entering.length > capacity) {
              expect(() => ledger.endBatch(batch.sorted)).toThrow(
                new TaskPanic(
                  `range end index ${kept.length + entering.length - capacity} out of range for slice of length ${kept.length}` +
                    ` (request ring buffer: a batch of ${entering.length} entries, capacity ${capacity})`,
                ),
              );
            } else {
              ledger.endBatch(batch.sorted);
              kept = [...kept, ...entering].slice(-capacity);
            }
            expect(ring.toArray()).toEqual(kept);
            expect(ring.length).toBe(kept.length);
            const read = ring.snapshot();
            // Some are read at once (the copy is then kept), the rest only at the end.
            if (batch.readEarly) expect(read()).toEqual(kept);
            snapshots.push({ read, expected: kept });
          }
          for (const { read, expected } of snapshots) expect(read()).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
