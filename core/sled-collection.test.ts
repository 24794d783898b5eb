import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAILED, SledCollection, type Collected } from './sled-collection.ts';
import type { ArtifactListing } from './types.ts';

/** How one sled's future goes: listed outright, or (`generation`) configured first, maybe failing there. */
interface SledPlan {
  readonly configured: boolean;
  readonly configFails: boolean;
}

/** What happens, in order: a gate opens (its waiters resume a microtask later), a chain of `hops` reactions starts, or the microtasks drain. */
type Step = { readonly open: number } | { readonly hops: number } | { readonly drain: true };

interface Gates {
  readonly promises: Promise<void>[];
  readonly open: ((() => void) | undefined)[];
}

/** Gate `2i` is sled i's configuration, `2i + 1` its listing. */
function gates(sleds: number): Gates {
  const open: (() => void)[] = [];
  const promises = Array.from({ length: 2 * sleds }, () => new Promise<void>((resolve) => open.push(resolve)));
  return { promises, open };
}

/** Lets every queued microtask run, and the ones they queue (a macrotask turn: test-only). */
function drain(): Promise<void> {
  // eslint-disable-next-line no-restricted-globals
  return new Promise((resolve) => setImmediate(resolve));
}

const listingOf = (i: number): ArtifactListing => ({ generation: i, artifacts: new Map() });

/**
 * The engine's collection as it was, with `Promise.all` over futures that return their
 * result (a listing after a configuration returned the listing's promise), or as it is;
 * logs every future's end, every hop of the other chains and the activation resuming.
 */
async function trace(how: 'promise-all' | 'collection', sleds: readonly SledPlan[], steps: readonly Step[]): Promise<string[]> {
  const log: string[] = [];
  const g = gates(sleds.length);
  const listed = async (i: number): Promise<Collected> => {
    await g.promises[2 * i + 1];
    log.push(`listed ${i}`);
    return listingOf(i);
  };
  const configureAndListed = async (i: number, plan: SledPlan): Promise<Collected> => {
    await g.promises[2 * i];
    log.push(`configured ${i}`);
    if (plan.configFails) return FAILED;
    return listed(i);
  };
  const list = async (i: number, collection: SledCollection, late: boolean): Promise<void> => {
    await g.promises[2 * i + 1];
    log.push(`listed ${i}`);
    collection.settle(i, listingOf(i), late);
  };
  const configureAndList = async (i: number, plan: SledPlan, collection: SledCollection): Promise<void> => {
    await g.promises[2 * i];
    log.push(`configured ${i}`);
    if (plan.configFails) return collection.settle(i, FAILED);
    void list(i, collection, true);
  };

  let results: readonly Collected[];
  const activation = (async () => {
    if (how === 'promise-all') {
      results = await Promise.all(sleds.map((plan, i) => (plan.configured ? configureAndListed(i, plan) : listed(i))));
    } else {
      const collection = new SledCollection(sleds.length);
      sleds.forEach((plan, i) => void (plan.configured ? configureAndList(i, plan, collection) : list(i, collection, false)));
      await collection.complete;
      results = collection.results;
    }
    log.push(`resumed: ${results.map((r) => (r === FAILED ? 'failed' : String((r as ArtifactListing).generation))).join(',')}`);
  })();

  let chain = 0;
  for (const step of steps) {
    if ('open' in step) {
      g.open[step.open % g.open.length]?.();
    } else if ('hops' in step) {
      const id = chain++;
      let p = Promise.resolve();
      for (let h = 0; h < step.hops; h++) p = p.then(() => void log.push(`chain ${id} hop ${h}`));
    } else {
      await drain();
    }
  }
  for (const open of g.open) open?.();
  await activation;
  await drain();
  return log;
}

describe('SledCollection', () => {
  it('resumes the activation at the very microtask Promise.all did, among any other reactions', async () => {
    const sled = fc.record({ configured: fc.boolean(), configFails: fc.boolean() });
    const step = fc.oneof(
      fc.record({ open: fc.nat(40) }),
      fc.record({ hops: fc.integer({ min: 1, max: 5 }) }),
      fc.constant({ drain: true as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(sled, { maxLength: 5 }), fc.array(step, { maxLength: 30 }), async (sleds, steps) => {
        const expected = await trace('promise-all', sleds, steps);
        expect(await trace('collection', sleds, steps)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps results in sled order, whatever order they end in', async () => {
    const collection = new SledCollection(3);
    collection.settle(2, FAILED);
    collection.settle(0, listingOf(7));
    collection.settle(1, listingOf(8), true);
    await collection.complete;
    expect(collection.results).toEqual([listingOf(7), listingOf(8), FAILED]);
  });

  it('is complete at once for no sleds, as Promise.all([]) is', async () => {
    const order: string[] = [];
    void Promise.resolve().then(() => order.push('other'));
    void new SledCollection(0).complete.then(() => order.push('collection'));
    await Promise.all([]).then(() => order.push('all'));
    expect(order).toEqual(['other', 'collection', 'all']);
  });
});
