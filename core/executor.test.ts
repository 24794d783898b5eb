import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { executePlan, type RequestEnds } from './executor.ts';
import type { Plan } from './planner/index.ts';
import type { CopyRequest, DeleteRequest, PutRequest, Request } from './types.ts';

const put = (target: string, hash: string): PutRequest => ({ kind: 'put', target, artifact: { hash, size: 1 } });
const copy = (target: string, source: string, hash: string): CopyRequest => ({ kind: 'copy', target, source, hash });
const del = (target: string, hash: string): DeleteRequest => ({ kind: 'delete', target, hash });

function plan(parts: Partial<Pick<Plan, 'put' | 'copyAfterPut' | 'other' | 'recopy'>>): Plan {
  return { put: [], copyAfterPut: [], other: [], recopy: [], deferredCount: 0, deferred: [], release: [], ...parts };
}

/** Lets every queued promise continuation run (the executor reacts within a few microtasks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/**
 * Runs `executePlan` with a `send` whose promises the test resolves by hand, recording
 * which requests have started, which are in flight and the peak in flight.
 */
function harness(p: Plan, limit: number) {
  const started: Request[] = [];
  const ended = new Set<Request>();
  const resolvers = new Map<Request, () => void>();
  let peak = 0;
  let done = false;
  const inFlight = (): Request[] => started.filter((r) => !ended.has(r));
  const finished = executePlan(p, limit, (request, ends) => {
    started.push(request);
    peak = Math.max(peak, inFlight().length);
    resolvers.set(request, () => ends.ended(request));
  }).then(() => {
    done = true;
  });
  return {
    started,
    inFlight,
    get peak() {
      return peak;
    },
    get done() {
      return done;
    },
    finished,
    /** Answers `request` and lets the executor react. */
    async end(request: Request): Promise<void> {
      const resolve = resolvers.get(request);
      if (resolve === undefined || ended.has(request)) throw new Error('request not in flight');
      ended.add(request);
      resolve();
      await settle();
    },
    /** Answers everything in flight, oldest first, until nothing is left in flight. */
    async drain(): Promise<void> {
      for (let r = inFlight()[0]; r !== undefined; r = inFlight()[0]) await this.end(r);
    },
  };
}

describe('executePlan', () => {
  it('resolves at once for an empty plan, sending nothing', async () => {
    const h = harness(plan({}), 8);
    await settle();
    expect(h.done).toBe(true);
    expect(h.started).toEqual([]);
    await h.finished;
  });

  it('starts every PUT before anything else, even when only one slot exists', async () => {
    const p1 = put('s1', 'a');
    const p2 = put('s2', 'b');
    const o1 = copy('s3', 's0', 'c');
    const r1 = copy('s0', 's3', 'c');
    const h = harness(plan({ put: [p1, p2], other: [o1], recopy: [r1] }), 1);
    expect(h.started).toEqual([p1]);
    await h.end(p1);
    expect(h.started).toEqual([p1, p2]);
    await h.end(p2);
    expect(h.started).toEqual([p1, p2, o1]);
    await h.end(o1);
    expect(h.started).toEqual([p1, p2, o1, r1]);
    expect(h.done).toBe(false);
    await h.end(r1);
    expect(h.done).toBe(true);
  });

  it('holds copy-after-put until every PUT has ended, though slots are free', async () => {
    const p1 = put('s1', 'a');
    const p2 = put('s2', 'a');
    const a1 = copy('s3', 's1', 'a');
    const o1 = del('s0', 'z');
    const r1 = copy('s0', 's4', 'y');
    const h = harness(plan({ put: [p1, p2], copyAfterPut: [a1], other: [o1], recopy: [r1] }), 10);
    // PUTs first, then the requests that do not depend on them; a1 waits.
    expect(h.started).toEqual([p1, p2, o1, r1]);
    await h.end(o1);
    await h.end(r1);
    await h.end(p1);
    expect(h.started).not.toContain(a1);
    expect(h.inFlight()).toEqual([p2]);
    await h.end(p2);
    expect(h.started).toEqual([p1, p2, o1, r1, a1]);
    expect(h.done).toBe(false);
    await h.end(a1);
    expect(h.done).toBe(true);
  });

  it('runs copy-after-put at once when the plan has no PUT', async () => {
    const a1 = copy('s3', 's1', 'a');
    const h = harness(plan({ copyAfterPut: [a1] }), 4);
    expect(h.started).toEqual([a1]);
    await h.drain();
    expect(h.done).toBe(true);
  });

  it('alternates copy-after-put with the other requests once the PUTs are done', async () => {
    const p1 = put('s1', 'a');
    const a1 = copy('s2', 's1', 'a');
    const a2 = copy('s3', 's1', 'a');
    const o1 = copy('s4', 's0', 'b');
    const o2 = del('s5', 'z');
    const h = harness(plan({ put: [p1], copyAfterPut: [a1, a2], other: [o1, o2] }), 1);
    await h.drain();
    expect(h.started).toEqual([p1, a1, o1, a2, o2]);
    expect(h.done).toBe(true);
  });

  it('never has more than `limit` requests in flight and keeps the slots full', async () => {
    const puts = Array.from({ length: 5 }, (_, i) => put(`s${i}`, 'a'));
    const after = Array.from({ length: 4 }, (_, i) => copy(`t${i}`, 's0', 'a'));
    const other = Array.from({ length: 6 }, (_, i) => del(`u${i}`, 'z'));
    const recopy = Array.from({ length: 3 }, (_, i) => copy(`v${i}`, 's1', 'y'));
    const h = harness(plan({ put: puts, copyAfterPut: after, other, recopy }), 3);
    expect(h.started).toEqual(puts.slice(0, 3));
    let steps = 0;
    while (h.inFlight().length > 0) {
      // While work remains, every slot is used.
      const remaining = 18 - h.started.length;
      expect(h.inFlight().length).toBe(Math.min(3, h.inFlight().length + remaining));
      await h.end(h.inFlight()[0] as Request);
      steps++;
    }
    expect(steps).toBe(18);
    expect(h.peak).toBe(3);
    expect(h.started).toHaveLength(18);
    expect(new Set(h.started).size).toBe(18);
    expect(h.done).toBe(true);
  });

  it('starts everything that does not wait for PUTs at once with an Infinity limit', async () => {
    const puts = Array.from({ length: 12 }, (_, i) => put(`s${i}`, 'a'));
    const after = Array.from({ length: 7 }, (_, i) => copy(`t${i}`, 's0', 'a'));
    const other = Array.from({ length: 20 }, (_, i) => del(`u${i}`, 'z'));
    const recopy = Array.from({ length: 5 }, (_, i) => copy(`v${i}`, 's1', 'y'));
    const h = harness(plan({ put: puts, copyAfterPut: after, other, recopy }), Infinity);
    expect(h.started).toEqual([...puts, ...other, ...recopy]);
    for (const p of puts) await h.end(p);
    expect(h.started).toHaveLength(12 + 20 + 5 + 7);
    expect(h.started.slice(-7)).toEqual(after);
    expect(h.peak).toBe(12 + 20 + 5);
    await h.drain();
    expect(h.done).toBe(true);
  });

  it('resolves only after the last request has ended', async () => {
    const requests = [put('s1', 'a'), put('s2', 'a')];
    const other = [copy('s3', 's0', 'b'), del('s4', 'z')];
    const h = harness(plan({ put: requests, other }), 8);
    const order = [other[1], requests[0], other[0], requests[1]] as Request[];
    for (const [i, r] of order.entries()) {
      expect(h.done).toBe(false);
      await h.end(r);
      expect(h.done).toBe(i === order.length - 1);
    }
    await h.finished;
  });

  it('ends a request one microtask after its sender is done with it, as a `.then` on its promise did', async () => {
    const requests: Request[] = [copy('s1', 's0', 'a'), del('s2', 'b')];
    const log: string[] = [];
    const finished = executePlan(plan({ other: requests as (CopyRequest | DeleteRequest)[] }), 1, (request, ends) => {
      const i = requests.indexOf(request);
      log.push(`send ${i}`);
      void (async () => {
        await Promise.resolve();
        void Promise.resolve().then(() => log.push(`queued before end ${i}`));
        ends.ended(request);
        void Promise.resolve().then(() => log.push(`queued after end ${i}`));
      })();
    });
    await finished;
    expect(log.slice(0, 4)).toEqual(['send 0', 'queued before end 0', 'send 1', 'queued after end 0']);
  });

  it('keeps every send and the end of the plan at the microtask where the executor chaining a `.then` on each send put it, with or without a limit', async () => {
    // The reference runs every end a microtask after its sender is done; the executor does
    // at once the ends that can do nothing, which must move nothing else.
    const requests = fc.record({
      puts: fc.nat(3),
      afterPut: fc.nat(3),
      other: fc.nat(4),
      recopy: fc.nat(2),
    });
    const limit = fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constant(Infinity));
    const step = fc.oneof(
      fc.record({ open: fc.nat(40) }),
      fc.record({ hops: fc.integer({ min: 1, max: 4 }) }),
      fc.constant({ drain: true as const }),
    );
    await fc.assert(
      fc.asyncProperty(requests, limit, fc.array(step, { maxLength: 40 }), async (counts, n, steps) => {
        const expected = await executionTrace(counts, n, steps, 'reference');
        expect(await executionTrace(counts, n, steps, 'executePlan')).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});

/** A promise and what resolves it. */
function gate(): { readonly promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve: () => resolve() };
}

type Step = { readonly open: number } | { readonly hops: number } | { readonly drain: true };

/** Lets every queued microtask run, and the ones they queue (a macrotask turn: test-only). */
function drainMicrotasks(): Promise<void> {
  // eslint-disable-next-line no-restricted-globals
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The executor as it was before senders told it of their ends, written afresh as the
 * oracle: `send` returns a promise that settles when the sender is done, and each
 * request's end is a `.then` on it, so every end runs one microtask after its sender is
 * done, whether or not it can do anything there.
 */
function referenceExecution(p: Plan, limit: number, send: (request: Request) => Promise<void>): Promise<void> {
  const queues = { put: [...p.put], afterPut: [...p.copyAfterPut], rest: [...p.other, ...p.recopy] };
  let running = 0;
  let putsRunning = 0;
  let afterPutTurn = true;
  return new Promise((resolve) => {
    const take = (): Request | undefined => {
      if (queues.put.length > 0) return queues.put.shift();
      const afterPut = putsRunning === 0 ? queues.afterPut : [];
      const turn = afterPutTurn;
      afterPutTurn = !afterPutTurn;
      const first = turn && afterPut.length > 0 ? afterPut : queues.rest.length > 0 ? queues.rest : afterPut;
      return first.shift();
    };
    const fill = (): void => {
      for (let request = running < limit ? take() : undefined; request !== undefined; request = running < limit ? take() : undefined) {
        const isPut = request.kind === 'put';
        running++;
        if (isPut) putsRunning++;
        void send(request).then(() => {
          running--;
          if (isPut) putsRunning--;
          fill();
        });
      }
      if (running === 0 && queues.put.length + queues.afterPut.length + queues.rest.length === 0) resolve();
    };
    fill();
  });
}

/**
 * Every send, every end of a sender and every hop of other reaction chains, in the order
 * they ran, as a plan executes under `limit` (by `executePlan` or the reference) while
 * `steps` answer requests (a request answered before it is sent ends a tick after it is
 * sent) and start chains.
 */
async function executionTrace(
  counts: { readonly puts: number; readonly afterPut: number; readonly other: number; readonly recopy: number },
  limit: number,
  steps: readonly Step[],
  executor: 'executePlan' | 'reference',
): Promise<string[]> {
  const make = <R,>(n: number, request: (i: number) => R): R[] => Array.from({ length: n }, (_, i) => request(i));
  const p = plan({
    put: make(counts.puts, (i) => put(`p${i}`, 'a')),
    copyAfterPut: make(counts.afterPut, (i) => copy(`c${i}`, 'p0', 'a')),
    other: make(counts.other, (i) => del(`d${i}`, 'z')),
    recopy: make(counts.recopy, (i) => copy(`r${i}`, 's0', 'y')),
  });
  const all = [...p.put, ...p.copyAfterPut, ...p.other, ...p.recopy];
  const answers = all.map(gate);
  const log: string[] = [];
  /** The sender: done (its promise settled, or `ends` told) once the request's answer came. */
  const sender = async (request: Request, ends?: RequestEnds): Promise<void> => {
    log.push(`send ${request.target}`);
    await answers[all.indexOf(request)]?.promise;
    log.push(`ended ${request.target}`);
    ends?.ended(request);
  };
  const execution =
    executor === 'reference'
      ? referenceExecution(p, limit, (request) => sender(request))
      : executePlan(p, limit, (request, ends) => void sender(request, ends));
  const finished = execution.then(() => log.push('plan done'));
  let chains = 0;
  for (const step of steps) {
    if ('open' in step) answers[step.open % Math.max(1, answers.length)]?.resolve();
    else if ('hops' in step) {
      const id = chains++;
      let chain = Promise.resolve();
      for (let h = 0; h < step.hops; h++) chain = chain.then(() => void log.push(`chain ${id} hop ${h}`));
    } else await drainMicrotasks();
  }
  for (const answer of answers) answer.resolve();
  await finished;
  await drainMicrotasks();
  return log;
}
