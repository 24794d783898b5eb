// The event queue's order pinned against a plain sort of the same keys, with everything the
// kernel does to it mixed in: pushes, timeouts into the runs, cancellations, bounded pops.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue, type QueueEntry } from './event-queue.ts';
import { TimedEvent } from '../testing/timed-event.ts';

const noop = (): void => undefined;

/** The order the whole simulator rests on, written out plainly: time, then tie-break, then sequence. */
const byKey = (a: TimedEvent, b: TimedEvent): number => a.time - b.time || a.tie - b.tie || a.seq - b.seq;

type Op =
  | { readonly kind: 'message'; readonly ahead: number; readonly tie: number }
  | { readonly kind: 'nexus' | 'sled'; readonly tie: number }
  | { readonly kind: 'cancel'; readonly pick: number }
  | { readonly kind: 'popDue'; readonly ahead: number };

/**
 * What the kernel sees of `queue.popDue(until)`: the next event that is not cancelled, or
 * nothing; a cancelled event popped (the queue may hand it back or drop it) is skipped.
 */
function nextLive(queue: EventQueue, until: number): QueueEntry | undefined {
  for (;;) {
    const event = queue.popDue(until);
    if (event === undefined || !event.cancelled) return event;
  }
}

describe('EventQueue order against a sort of the keys', () => {
  it('hands out the live events in (time, tie, sequence) order, each only once due, under pushes, timeouts, cancellations and bounded pops', () => {
    // Few distinct times and ties, so that equal times and equal ties are common: an order
    // that dropped the tie-break or the sequence, or read either backwards, fails here.
    // Times start past 2^31 us (a day reaches 8.64e10), where they are no longer small integers.
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('message' as const), ahead: fc.nat(12), tie: fc.nat(2) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('nexus' as const, 'sled' as const), tie: fc.nat(2) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('popDue' as const), ahead: fc.nat(8) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 3000, size: 'max' }), fc.boolean(), (ops, tied) => {
        const queue = new EventQueue();
        /** Every event queued and not yet handed out, live or cancelled. */
        const queued: TimedEvent[] = [];
        let now = 2 ** 36;
        let seq = 0;
        const take = (until: number): void => {
          queued.sort(byKey);
          const live = queued.filter((e) => !e.cancelled);
          const expected = live[0] !== undefined && live[0].time <= until ? live[0] : undefined;
          expect(nextLive(queue, until)).toBe(expected);
          if (expected === undefined) return;
          // The queue alone keeps the times: what the kernel's clock is set from.
          expect(queue.lastTime).toBe(expected.time);
          // Everything before it (cancelled ones) is gone with it.
          queued.splice(0, queued.indexOf(expected) + 1);
          now = expected.time;
        };
        for (const o of ops) {
          if (o.kind === 'popDue') {
            take(now + o.ahead);
            continue;
          }
          if (o.kind === 'cancel') {
            queued[o.pick % Math.max(1, queued.length)]?.cancel();
            continue;
          }
          const tie = tied ? o.tie : 0;
          // Timeouts: a fixed delay of their kind, so each is later than the last of its kind
          // and joins a run; messages go to the heap.
          if (o.kind === 'message') {
            const event = new TimedEvent(now + o.ahead, tie, seq++, 'message', noop);
            queue.push(event, event.time);
            queued.push(event);
          } else {
            const event = new TimedEvent(now + (o.kind === 'nexus' ? 9 : 4), tie, seq++, o.kind, noop);
            queue.pushLate(event, event.time);
            queued.push(event);
          }
        }
        while (queued.some((e) => !e.cancelled)) take(Number.MAX_SAFE_INTEGER);
        expect(nextLive(queue, Number.MAX_SAFE_INTEGER)).toBeUndefined();
        expect(queue.size).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the order past the heap\'s first capacity, where it grows', () => {
    // The heap starts with room for 512 events: more than that, queued at once, grow it.
    fc.assert(
      fc.property(fc.array(fc.record({ ahead: fc.nat(50), tie: fc.nat(2) }), { minLength: 513, maxLength: 2000 }), (keys) => {
        const queue = new EventQueue();
        const events = keys.map((k, seq) => new TimedEvent(2 ** 36 + k.ahead, k.tie, seq, 'message', noop));
        for (const event of events) queue.push(event, event.time);
        for (const event of [...events].sort(byKey)) {
          expect(queue.pop()).toBe(event);
          expect(queue.lastTime).toBe(event.time);
        }
        expect(queue.size).toBe(0);
      }),
      { numRuns: 20 },
    );
  });
});
