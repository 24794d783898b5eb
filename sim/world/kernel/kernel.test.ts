// The kernel's contract: the queue's total order, the executor's settling rule, the
// errors it raises, the scopes that abandon a crashed node's waits, and seeded streams.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { delayOf, exponentialGap } from './distributions.ts';
import { EventQueue, type QueueEntry } from './event-queue.ts';
import { Kernel, SimulationError, StallError, WaitScope, type Settleable, type Settler } from './kernel.ts';
import { RandomStreams } from './random-streams.ts';
import { TimedEvent } from '../testing/timed-event.ts';

const noop = (): void => undefined;

/** Every way the kernel can settle: after touched events or all, by draining or by a tick. */
const SETTLINGS = [{}, { alwaysSettle: true }, { settleByTick: true }, { alwaysSettle: true, settleByTick: true }] as const;

/** The queue's whole ordering rule, written out plainly: (time, tie-break, sequence). */
const byKey = (a: TimedEvent, b: TimedEvent): number => a.time - b.time || a.tie - b.tie || a.seq - b.seq;

/**
 * One `popDue(now + ahead)` of `queue`, checked against `reference` (the same events in a
 * plain array): the earliest event due by then, or nothing. Returns the new now.
 */
function popDueAsReference(queue: EventQueue, reference: TimedEvent[], now: number, ahead: number): number {
  const first = reference.sort(byKey)[0];
  const until = now + ahead;
  if (first === undefined || first.time > until) {
    expect(queue.popDue(until)).toBeUndefined();
    return now;
  }
  expect(queue.popDue(until)).toBe(reference.shift());
  return first.time;
}

/** Empties `queue`, checking that it gives `reference`'s events in key order and then nothing. */
function drainsAsReference(queue: EventQueue, reference: TimedEvent[]): void {
  expect(queue.size).toBe(reference.length);
  for (const expected of reference.sort(byKey)) expect(queue.pop()).toBe(expected);
  expect(queue.pop()).toBeUndefined();
  expect(queue.size).toBe(0);
}

/**
 * Plays `ops` on a queue and a sorted reference, then drains both: a `popDue` op takes
 * what is due within `ahead` of now from each; any other op is the event `made` builds at
 * now with the next sequence number, pushed as late or not as it says.
 */
function playsAsReference<O extends { readonly kind: string; readonly ahead: number }>(
  ops: readonly O[],
  made: (o: Exclude<O, { readonly kind: 'popDue' }>, now: number, seq: number) => { readonly event: TimedEvent; readonly late: boolean },
): void {
  const queue = new EventQueue();
  const reference: TimedEvent[] = [];
  let now = 0;
  let seq = 0;
  for (const o of ops) {
    if (o.kind === 'popDue') {
      now = popDueAsReference(queue, reference, now, o.ahead);
      continue;
    }
    const { event, late } = made(o as Exclude<O, { readonly kind: 'popDue' }>, now, seq++);
    if (late) queue.pushLate(event, event.time);
    else queue.push(event, event.time);
    reference.push(event);
    expect(queue.size).toBe(reference.length);
  }
  drainsAsReference(queue, reference);
}

describe('EventQueue', () => {
  it('pops in (time, tie, sequence) order under any interleaving of pushes and pops', () => {
    const op = fc.oneof(
      fc.record({ push: fc.constant(true), time: fc.nat(20), tie: fc.nat(3) }),
      fc.record({ push: fc.constant(false) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const queue = new EventQueue();
        const reference: TimedEvent[] = [];
        let seq = 0;
        for (const o of ops) {
          if ('time' in o) {
            const event = new TimedEvent(o.time, o.tie, seq++, 'e', noop);
            queue.push(event, event.time);
            reference.push(event);
            continue;
          }
          reference.sort((a, b) => a.time - b.time || a.tie - b.tie || a.seq - b.seq);
          expect(queue.pop()).toBe(reference.shift());
        }
        expect(queue.size).toBe(reference.length);
      }),
    );
  });

  it('keeps that order with runs of ever-later events among the others, float times past 2^31 us, thousands taken', () => {
    // Timeouts are each later than the last (pushed as late, they join the queue's run);
    // messages and other timers are not. A day's times are floats past 35 minutes, and ties stay common.
    const op = fc.oneof(
      fc.record({ kind: fc.constant('later' as const), step: fc.nat(2), tie: fc.nat(2) }),
      fc.record({ kind: fc.constant('any' as const), ahead: fc.nat(6), tie: fc.nat(2) }),
      fc.record({ kind: fc.constant('pop' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 2000, maxLength: 5000 }), (ops) => {
        const queue = new EventQueue();
        const pending = new Set<TimedEvent>();
        const earliest = (): TimedEvent | undefined => [...pending].reduce<TimedEvent | undefined>((m, e) => (m === undefined || byKey(e, m) < 0 ? e : m), undefined);
        let now = 2 ** 31 - 3;
        let latest = now;
        let seq = 0;
        const take = (): void => {
          const expected = earliest();
          expect(queue.pop()).toBe(expected);
          if (expected === undefined) return;
          pending.delete(expected);
          now = expected.time;
        };
        for (const o of ops) {
          if (o.kind === 'pop') {
            take();
            continue;
          }
          if (o.kind === 'later') latest = Math.max(latest, now) + o.step;
          const event = new TimedEvent(o.kind === 'later' ? latest : now + o.ahead, o.tie, seq++, 'e', noop);
          // Now and then an event pushed as late is not (it goes to the heap then).
          if (o.kind === 'later' || o.tie === 2) queue.pushLate(event, event.time);
          else queue.push(event, event.time);
          pending.add(event);
          expect(queue.size).toBe(pending.size);
        }
        while (pending.size > 0) take();
        expect(queue.pop()).toBeUndefined();
      }),
      { numRuns: 20 },
    );
  });
});

describe('EventQueue against a sorted reference', () => {
  it('gives each popDue the earliest event due by its bound, and nothing when none is, for any mix of push, pushLate and popDue', () => {
    // Late events are mostly each later than the last (a timeout's), now and then not
    // (those go to the heap).
    const op = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('push' as const), ahead: fc.nat(50), tie: fc.nat(3) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('late' as const), ahead: fc.nat(3), tie: fc.nat(3) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('popDue' as const), ahead: fc.nat(30) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 500, maxLength: 6000 }), fc.boolean(), (ops, tied) => {
        let latest = 0;
        playsAsReference(ops, (o, now, seq) => {
          const late = o.kind === 'late';
          if (late) latest = Math.max(latest, now) + o.ahead;
          return { event: new TimedEvent(late ? latest : now + o.ahead, tied ? o.tie : 0, seq, 'e', noop), late };
        });
      }),
      { numRuns: 30 },
    );
  });

  it('keeps the order with timeouts of two lengths (a run each) and odd ones (the heap) among the messages', () => {
    // A Nexus's requests time out after one delay, a sled's depot requests after another,
    // and each length is ever later than the last of its own kind; anything else pushed as
    // late lands in the heap.
    const op = fc.oneof(
      fc.record({ kind: fc.constantFrom('nexus' as const, 'sled' as const, 'odd' as const, 'message' as const), ahead: fc.nat(80), tie: fc.nat(2) }),
      fc.record({ kind: fc.constant('popDue' as const), ahead: fc.nat(20), tie: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 200, maxLength: 3000 }), (ops) => {
        playsAsReference(ops, (o, now, seq) => {
          const delay = o.kind === 'nexus' ? 60 : o.kind === 'sled' ? 15 : o.ahead;
          return { event: new TimedEvent(now + delay, o.tie, seq, o.kind, noop), late: o.kind !== 'message' };
        });
      }),
      { numRuns: 40 },
    );
  });

  it('keeps the order while a run that never empties wraps around its ring and grows', () => {
    // A timeout always pending: the run takes thousands from its front without emptying,
    // so its ring of slots wraps around again and again, and grows while it holds more.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.tuple(fc.nat(4), fc.nat(60), fc.nat(1)), { minLength: 3000, maxLength: 4000 }), (pending, steps) => {
        const queue = new EventQueue();
        const reference: TimedEvent[] = [];
        let seq = 0;
        let latest = 0;
        const late = (step: number): void => {
          latest += step;
          const event = new TimedEvent(latest, 0, seq++, 'timeout', noop);
          queue.pushLate(event, event.time);
          reference.push(event);
        };
        for (let i = 0; i < pending; i++) late(1);
        for (const [step, ahead, other] of steps) {
          late(step);
          const first = reference.sort(byKey)[0] as TimedEvent;
          if (other === 1) {
            const event = new TimedEvent(first.time + ahead, 0, seq++, 'message', noop);
            queue.push(event, event.time);
            reference.push(event);
          }
          expect(queue.pop()).toBe(reference.shift());
        }
        expect(queue.size).toBe(reference.length);
        for (const expected of reference.sort(byKey)) expect(queue.pop()).toBe(expected);
      }),
      { numRuns: 10 },
    );
  });
});

/** An object that is its own queue entry, as a message or a request's timeout is; cancelled by dropping its callback. */
class OwnEntry implements QueueEntry {
  tie = 0;
  seq = 0;

  constructor(
    readonly label: string,
    private fn: (() => void) | undefined,
  ) {}

  get cancelled(): boolean {
    return this.fn === undefined;
  }

  fire(): void {
    this.fn?.();
  }

  cancel(): void {
    this.fn = undefined;
  }
}

describe('Kernel order', () => {
  it('fires every uncancelled event, callback, occurrence, entry or timer, in (time, scheduling) order at its time, whatever is cancelled and wherever a run stops', async () => {
    type Op =
      | { readonly kind: 'at' | 'occurrence' | 'entry'; readonly ahead: number }
      | { readonly kind: 'timer'; readonly step: number }
      | { readonly kind: 'cancel'; readonly pick: number }
      | { readonly kind: 'run'; readonly ahead: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constantFrom('at' as const, 'occurrence' as const, 'entry' as const), ahead: fc.nat(40) }),
      fc.record({ kind: fc.constant('timer' as const), step: fc.nat(3) }),
      fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('run' as const), ahead: fc.nat(30) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 400 }), async (ops) => {
        const kernel = new Kernel();
        /** What is still queued, with its scheduling order and whether it should fire. */
        let scheduled: { time: number; order: number; event: { cancel(): void }; live: boolean }[] = [];
        const byOrder = (a: { time: number; order: number }, b: { time: number; order: number }): number => a.time - b.time || a.order - b.order;
        const fired: string[] = [];
        const expected: string[] = [];
        let latestTimer = 0;
        let next = 0;
        for (const o of ops) {
          if (o.kind === 'run') {
            const until = kernel.now + o.ahead;
            for (const e of scheduled.filter((e) => e.time <= until).sort(byOrder)) if (e.live) expected.push(`${e.order}@${e.time}`);
            scheduled = scheduled.filter((e) => e.time > until);
            await kernel.run(until);
            expect(fired).toEqual(expected);
            expect(kernel.now).toBe(until);
            continue;
          }
          if (o.kind === 'cancel') {
            const e = scheduled[o.pick % Math.max(1, scheduled.length)];
            if (e === undefined) continue;
            e.event.cancel();
            e.live = false;
            continue;
          }
          const order = next++;
          const fire = (): void => void fired.push(`${order}@${kernel.now}`);
          const time = o.kind === 'timer' ? (latestTimer = Math.max(latestTimer, kernel.now) + o.step) : kernel.now + o.ahead;
          let event: { cancel(): void };
          if (o.kind === 'at') event = kernel.at(time, `at ${order}`, fire);
          else if (o.kind === 'occurrence') event = kernel.schedule({ label: `occurrence ${order}`, fire }, time);
          else {
            const entry = new OwnEntry(`${o.kind} ${order}`, fire);
            if (o.kind === 'timer') kernel.scheduleTimer(entry, time);
            else kernel.scheduleEntry(entry, time);
            event = entry;
          }
          scheduled.push({ time, order, event, live: true });
        }
        for (const e of scheduled.sort(byOrder)) if (e.live) expected.push(`${e.order}@${e.time}`);
        const before = kernel.eventsRun;
        await kernel.run();
        expect(fired).toEqual(expected);
        expect(kernel.eventsRun - before).toBe(scheduled.filter((e) => e.live).length);
        expect(kernel.queued).toBe(0);
      }),
      { numRuns: 60 },
    );
  });
});

describe('Kernel', () => {
  it('runs events in time order, same-time events in scheduling order, and advances the clock to each', async () => {
    const kernel = new Kernel();
    const seen: string[] = [];
    const record = (name: string) => () => seen.push(`${name}@${kernel.now}`);
    kernel.at(30, 'c', record('c'));
    kernel.at(10, 'a', record('a'));
    kernel.at(30, 'd', record('d'));
    kernel.at(10, 'b', () => {
      record('b')();
      kernel.after(0, 'b+0', record('b+0'));
      kernel.after(5, 'b+5', record('b+5'));
    });
    await kernel.run();
    expect(seen).toEqual(['a@10', 'b@10', 'b+0@10', 'b+5@15', 'c@30', 'd@30']);
    expect(kernel.eventsRun).toBe(6);
  });

  it('skips cancelled events and does not count them', async () => {
    const kernel = new Kernel();
    const seen: number[] = [];
    kernel.at(1, 'one', () => seen.push(1));
    kernel.at(2, 'two', () => seen.push(2)).cancel();
    await kernel.run();
    expect(seen).toEqual([1]);
    expect(kernel.eventsRun).toBe(1);
  });

  it('refuses times in the past and fractional microseconds', async () => {
    const kernel = new Kernel();
    kernel.at(100, 'late', noop);
    await kernel.run();
    expect(() => kernel.at(99, 'past', noop)).toThrow(/cannot schedule past at t=99us: now is 100us/);
    expect(() => kernel.after(0.5, 'half', noop)).toThrow(RangeError);
  });

  it('stops at `until` with the clock there, and goes on from it', async () => {
    const kernel = new Kernel();
    const seen: number[] = [];
    for (const t of [5, 10, 20]) kernel.at(t, `e${t}`, () => seen.push(kernel.now));
    await kernel.run(12);
    expect(seen).toEqual([5, 10]);
    expect(kernel.now).toBe(12);
    expect(kernel.queued).toBe(1);
    await kernel.run();
    expect(seen).toEqual([5, 10, 20]);
  });

  it('breaks same-time ties by its seeded stream: a permutation, the same for the same seed', async () => {
    const order = async (seed: number | undefined): Promise<number[]> => {
      const kernel = new Kernel({ tieBreak: seed === undefined ? undefined : new RandomStreams(seed).stream('tie') });
      const seen: number[] = [];
      for (let i = 0; i < 20; i++) kernel.at(7, `e${i}`, () => seen.push(i));
      kernel.at(3, 'first', () => seen.push(-1));
      await kernel.run();
      return seen;
    };
    const inOrder = [-1, ...Array.from({ length: 20 }, (_, i) => i)];
    expect(await order(undefined)).toEqual(inOrder);
    const shuffled = await order(1);
    expect(shuffled).not.toEqual(inOrder);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(inOrder);
    expect(shuffled[0]).toBe(-1);
    expect(await order(1)).toEqual(shuffled);
    expect(await order(2)).not.toEqual(shuffled);
  });

  it('lets every continuation of an event settle before the next event, however deep the await chain', async () => {
    for (const depth of [0, 1, 7, 50]) {
      for (const settling of SETTLINGS) {
        const kernel = new Kernel(settling);
        const seen: string[] = [];
        kernel.spawn('task', async () => {
          await kernel.sleep(10, 'nap');
          for (let i = 0; i < depth; i++) await Promise.resolve();
          seen.push(`task@${kernel.now}`);
          await kernel.sleep(0, 'zero');
          seen.push(`task again@${kernel.now}`);
        });
        kernel.at(10, 'other', () => seen.push(`other@${kernel.now}`));
        await kernel.run();
        // The sleep's event was queued first, so the task's continuation precedes `other`;
        // its zero sleep is queued after `other`, so it follows it.
        expect(seen, `depth ${depth}, ${JSON.stringify(settling)}`).toEqual(['task@10', 'other@10', 'task again@10']);
      }
    }
  });

  it('lets continuations that go through queueMicrotask and thenables settle before the next event', async () => {
    // Not only promise reactions: every microtask an event's continuations queue, and the
    // ones those queue, runs before the next event (the tick that resumes the loop waits
    // for the whole microtask queue). A count of promise reactions missed these.
    for (const settling of SETTLINGS) {
      const kernel = new Kernel(settling);
      const seen: string[] = [];
      kernel.spawn('task', async () => {
        await kernel.sleep(10, 'nap');
        await new Promise<void>((resolve) => queueMicrotask(() => queueMicrotask(resolve)));
        seen.push(`microtasks@${kernel.now}`);
        await { then: (resolve: () => void) => queueMicrotask(resolve) };
        seen.push(`thenable@${kernel.now}`);
      });
      kernel.at(10, 'other', () => seen.push(`other@${kernel.now}`));
      await kernel.run();
      expect(seen, JSON.stringify(settling)).toEqual(['microtasks@10', 'thenable@10', 'other@10']);
    }
  });

  it('runs two kernels at once in one thread, each as it runs alone (their settling does not wait on the other)', async () => {
    // Two runs in one process (a library user's Promise.all of two worlds): each kernel's
    // settling marker must not take the other's for pending work, or neither goes on.
    const story = (kernel: Kernel, seen: string[]): void => {
      kernel.spawn('task', async () => {
        for (let step = 0; step < 20; step++) {
          await kernel.sleep(1 + (step % 3), 'nap');
          for (let i = 0; i < step % 4; i++) await Promise.resolve();
          seen.push(`${step}@${kernel.now}`);
        }
      });
      for (let t = 0; t < 40; t += 5) kernel.at(t, 'other', () => seen.push(`other@${kernel.now}`));
    };
    const alone: string[] = [];
    const aloneKernel = new Kernel();
    story(aloneKernel, alone);
    await aloneKernel.run();
    // Draining, one kernel's loop runs the other's whole run inside its drain (the other's
    // tick is Node's next); by tick, the two take turns. Either way each sees its own story.
    for (const [first, second] of [[{}, {}], [{ settleByTick: true }, { settleByTick: true }], [{}, { settleByTick: true }], [{ settleByTick: true }, {}]]) {
      const [a, b] = [new Kernel(first), new Kernel(second)];
      const seenA: string[] = [];
      const seenB: string[] = [];
      story(a, seenA);
      story(b, seenB);
      await Promise.all([a.run(), b.run()]);
      expect(seenA, JSON.stringify(first)).toEqual(alone);
      expect(seenB, JSON.stringify(second)).toEqual(alone);
    }
  });

  it('runs tick jobs where the awaits they stand for would resume, promises settled in between or not', async () => {
    // Chains of steps started by one event: a `tick` step is a callback continuation, an
    // `await` step resumes after the await of a promise the world settles. The order in
    // which steps run must be the one every step being an await gives (the microtask
    // queue's), whichever steps are callbacks (a function, or an object that `resume`s)
    // and whichever settle promises.
    type Step = 'tick' | 'resume' | 'await';
    const chains = fc.array(fc.array(fc.constantFrom<Step>('tick', 'resume', 'await'), { maxLength: 6 }), { minLength: 1, maxLength: 5 });
    const order = async (program: Step[][], allAwaits: boolean): Promise<string[]> => {
      const kernel = new Kernel();
      const seen: string[] = [];
      const step = (chain: number, at: number): void => {
        const steps = program[chain] as Step[];
        seen.push(`${chain}.${at}@${kernel.now}`);
        if (at === steps.length) return;
        const next = (): void => step(chain, at + 1);
        if (!allAwaits && steps[at] === 'tick') return kernel.tick(next);
        if (!allAwaits && steps[at] === 'resume') return kernel.tick({ resume: next });
        const settled = kernel.deferred<void>('step');
        void settled.promise.then(next);
        settled.resolve();
      };
      for (const time of [5, 5, 9]) kernel.at(time, 'start', () => program.forEach((_, chain) => step(chain, 0)));
      await kernel.run();
      return seen;
    };
    await fc.assert(
      fc.asyncProperty(chains, async (program) => {
        expect(await order(program, false)).toEqual(await order(program, true));
      }),
      { numRuns: 200 },
    );
  });

  it('runs tick jobs before the next event, and fails the run with the event of one that throws', async () => {
    const kernel = new Kernel();
    const seen: string[] = [];
    kernel.at(1, 'first', () => kernel.tick(() => kernel.tick(() => seen.push(`tick@${kernel.now}`))));
    kernel.at(1, 'second', () => seen.push(`second@${kernel.now}`));
    kernel.at(2, 'bad', () => kernel.tick(() => {
      throw new Error('boom');
    }));
    kernel.at(3, 'never', () => seen.push('never'));
    const error = await kernel.run().catch((e: unknown) => e);
    expect(seen).toEqual(['tick@1', 'second@1']);
    expect(error).toBeInstanceOf(SimulationError);
    expect([(error as SimulationError).time, (error as SimulationError).label]).toEqual([2, 'bad']);
  });

  it('hands a wait\'s outcome to a Settler\'s method as to a function, once, and to neither once its scope closed', async () => {
    const kernel = new Kernel();
    const alive = new WaitScope(kernel, 'sled-1');
    const crashed = new WaitScope(kernel, 'sled-2');
    const seen: string[] = [];
    const hear = (who: string): Settler<number> => ({
      settle: (ok, value, error) => seen.push(`${who} ${ok ? `ok ${value}` : `failed ${String(error)}`}@${kernel.now}`),
    });
    const waits = [
      alive.waitFor('a', hear('object')),
      alive.waitFor<number>('b', (ok, value) => seen.push(`function ${ok ? `ok ${value}` : 'failed'}@${kernel.now}`)),
      alive.waitFor('c', hear('refused')),
      crashed.waitFor('d', hear('the dead')),
    ];
    kernel.at(3, 'crash', () => crashed.close());
    kernel.at(5, 'settle', () => {
      const [a, b, c, d] = waits as [Settleable<number>, Settleable<number>, Settleable<number>, Settleable<number>];
      a.resolve(1);
      a.resolve(2);
      b.resolve(3);
      c.reject('nope');
      d.resolve(4);
    });
    await kernel.run();
    expect(seen).toEqual(['object ok 1@5', 'function ok 3@5', 'refused failed nope@5']);
  });

  it('ends a callback sleep at its event and then stops counting it as a wait, and never ends one whose scope closed', async () => {
    const kernel = new Kernel();
    const alive = new WaitScope(kernel, 'sled-1');
    const crashed = new WaitScope(kernel, 'sled-2');
    const seen: string[] = [];
    kernel.sleepThen(10, 'nap', alive, () => seen.push(`woke@${kernel.now}`));
    kernel.sleepThen(10, 'nap', crashed, () => seen.push('the dead woke'));
    kernel.at(5, 'crash', () => crashed.close());
    kernel.at(10, 'after', () => seen.push(`after@${kernel.now}`));
    await kernel.run();
    expect(seen).toEqual(['woke@10', 'after@10']);
    const stalled = new Kernel();
    stalled.sleepThen(5, 'nap', new WaitScope(stalled, 'sled-3'), () => void stalled.deferred<void>('reply from nowhere'));
    const error = await stalled.run().catch((e: unknown) => e);
    expect((error as StallError).waiting).toEqual(['reply from nowhere']);
  });

  it('reports a stall with the time and what is waiting, and counts more than eight as such', async () => {
    const kernel = new Kernel();
    kernel.spawn('sleeper', async () => {
      await kernel.sleep(5, 'nap');
      for (let i = 0; i < 9; i++) void kernel.deferred(`reply ${i}`).promise;
      await kernel.deferred<void>('answer from sled-3').promise;
    });
    const error = await kernel.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StallError);
    const stall = error as StallError;
    expect(stall.time).toBe(5);
    expect(stall.waiting).toHaveLength(10);
    expect(stall.message).toMatch(/^simulation stalled at t=5us: no event is queued but 10 waits are pending: reply 0; .*; and 2 more$/);
  });

  it('lists exactly the waits still pending, oldest first, after settling, abandoning and closing scopes', async () => {
    const kernel = new Kernel();
    const [a, b, c] = ['sled-a', 'sled-b', 'sled-c'].map((name) => new WaitScope(kernel, name)) as [WaitScope, WaitScope, WaitScope];
    kernel.spawn('maker', async () => {
      void kernel.deferred('first').promise;
      void a.deferred('one').promise;
      const middle = kernel.deferred<void>('middle');
      const two = b.deferred<void>('two');
      const next = kernel.deferred<void>('next');
      void a.deferred('three').promise;
      const four = b.deferred('four');
      void b.deferred('five').promise;
      void c.deferred('seven').promise;
      const last = kernel.deferred<void>('last');
      // Neighbours go one after the other, in both lists: each removal must leave the links whole.
      middle.resolve();
      next.resolve();
      two.resolve();
      four.abandon();
      a.close();
      b.close();
      b.close();
      four.abandon();
      await last.promise;
    });
    const stall = (await kernel.run().catch((e: unknown) => e)) as StallError;
    expect(stall).toBeInstanceOf(StallError);
    expect(stall.waiting).toEqual(['first', 'sled-c: seven', 'last']);
  });

  it('fails the run with the label and time of an event that throws or a task that rejects', async () => {
    const throwing = new Kernel();
    throwing.at(42, 'bad event', () => {
      throw new Error('boom');
    });
    const a = (await throwing.run().catch((e: unknown) => e)) as SimulationError;
    expect(a).toBeInstanceOf(SimulationError);
    expect([a.time, a.label]).toEqual([42, 'bad event']);
    expect(a.message).toMatch(/^at t=42us in bad event: Error: boom/);

    const rejecting = new Kernel();
    rejecting.spawn('bad task', async () => {
      await rejecting.sleep(3, 'nap');
      throw new Error('no');
    });
    rejecting.at(100, 'later', noop);
    const b = (await rejecting.run().catch((e: unknown) => e)) as SimulationError;
    expect([b.time, b.label]).toEqual([3, 'bad task']);
  });

  it('abandons a closed scope: its waits stop counting, and its code never resumes', async () => {
    const kernel = new Kernel();
    const scope = new WaitScope(kernel, 'sled-1');
    const seen: string[] = [];
    const reply = scope.deferred<string>('reply');
    kernel.spawn('handler', async () => {
      seen.push(await reply.promise);
    });
    kernel.spawn('napper', async () => {
      await kernel.sleep(10, 'nap', scope);
      seen.push('woke');
    });
    kernel.at(5, 'crash', () => scope.close());
    kernel.at(6, 'late reply', () => reply.resolve('too late'));
    await kernel.run();
    expect(seen).toEqual([]);
    expect(reply.settled).toBe(false);
    expect(scope.deferred('after the crash').settled).toBe(false);
    expect(kernel.now).toBe(10);
  });

  it('refuses a second concurrent run', async () => {
    const kernel = new Kernel();
    kernel.at(1, 'e', noop);
    const first = kernel.run();
    await expect(kernel.run()).rejects.toThrow(/already running/);
    await first;
  });
});

describe('RandomStreams', () => {
  const draws = (streams: RandomStreams, label: string, n = 5): number[] => {
    const s = streams.stream(label);
    return Array.from({ length: n }, () => s.nextFloat());
  };

  it('derives each stream from (seed, label) alone', () => {
    const alone = draws(new RandomStreams(7), 'network');
    const crowded = new RandomStreams(7);
    draws(crowded, 'faults', 100);
    draws(crowded, 'sled-12', 3);
    expect(draws(crowded, 'network')).toEqual(alone);
    expect(draws(new RandomStreams(8), 'network')).not.toEqual(alone);
    expect(draws(new RandomStreams(7), 'faults')).not.toEqual(alone);
  });

  it('draws integers in [0, bound)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.nat(), (bound, seed) => {
        const s = new RandomStreams(seed).stream('ints');
        for (let i = 0; i < 20; i++) {
          const n = s.nextInt(bound);
          expect(Number.isInteger(n) && n >= 0 && n < bound).toBe(true);
        }
      }),
    );
  });
});

describe('delay distributions', () => {
  const quantile = (values: number[], q: number): number => [...values].sort((a, b) => a - b)[Math.floor(q * values.length)] as number;

  it('fits a lognormal to the median and the 99th percentile, in whole microseconds', () => {
    const rng = new RandomStreams(3).stream('latency');
    const delay = delayOf({ median: 500, p99: 5_000 });
    const values = Array.from({ length: 40_000 }, () => delay.draw(rng));
    expect(values.every(Number.isInteger)).toBe(true);
    expect(quantile(values, 0.5)).toBeGreaterThanOrEqual(480);
    expect(quantile(values, 0.5)).toBeLessThanOrEqual(520);
    expect(quantile(values, 0.99)).toBeGreaterThanOrEqual(4_500);
    expect(quantile(values, 0.99)).toBeLessThanOrEqual(5_500);
  });

  it('is constant when fixed, or when the 99th percentile is not above the median', () => {
    const rng = new RandomStreams(3).stream('latency');
    expect(delayOf({ fixed: 250 }).draw(rng)).toBe(250);
    expect(delayOf({ median: 300, p99: 300 }).draw(rng)).toBe(300);
    expect(delayOf({ median: 0, p99: 100 }).draw(rng)).toBe(0);
  });

  it('draws exponential gaps of the given mean, never zero', () => {
    const rng = new RandomStreams(4).stream('gaps');
    const gaps = Array.from({ length: 40_000 }, () => exponentialGap(rng, 1_000));
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThan(970);
    expect(mean).toBeLessThan(1_030);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1);
  });
});
