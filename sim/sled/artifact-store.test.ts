// Tests of the sled agent's artifact store (ENGINE.md §2): table-driven cases of each
// operation, then a model-based property test over random operation sequences, checked
// against a reference model written independently of the store (bytes used are summed
// from files, never tracked incrementally).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WorldEventBody } from '../world-events.ts';
import { ArtifactStore, StoreError, type BeginWrite, type PendingWrite } from './artifact-store.ts';

const SLED = 'sled-0';

function storeWith(m2Count = 2, quota = 100): { store: ArtifactStore; events: WorldEventBody[] } {
  const events: WorldEventBody[] = [];
  const store = new ArtifactStore(SLED, m2Count, quota, (e) => events.push(e));
  return { store, events };
}

function begun(result: BeginWrite): PendingWrite {
  if (!result.ok) throw new Error(`expected the write to begin, got ${result.status}: ${result.reason}`);
  return result.write;
}

const stored = (m2: number, hash: string, bytes: number, via: 'put' | 'copy' | 'initial'): WorldEventBody => ({
  type: 'artifact_stored',
  sled: SLED,
  m2,
  hash,
  bytes,
  via,
});
const removed = (m2: number, hash: string, bytes: number, cause: 'delete' | 'reconciler' | 'm2_failure'): WorldEventBody => ({
  type: 'artifact_removed',
  sled: SLED,
  m2,
  hash,
  bytes,
  cause,
});

describe('ArtifactStore.list and copies', () => {
  it('counts, per hash, the working datasets holding it', () => {
    const { store } = storeWith(2, 100);
    expect(new Map(store.list())).toEqual(new Map());
    store.seed('a', 10);
    store.seed('b', 20);
    expect(new Map(store.list())).toEqual(new Map([['a', 2], ['b', 2]]));
    expect(store.copies('a')).toBe(2);
    expect(store.copies('zz')).toBe(0);
    expect(store.storedHashes()).toEqual(['a', 'b']);
    expect(store.usage()).toEqual([30, 30]);
    expect(store.workingDatasets).toBe(2);
  });

  it('ignores a failed M.2, and throws StoreError 503 once no dataset is left', () => {
    const { store } = storeWith(2, 100);
    store.seed('a', 10);
    store.failM2(0);
    expect(new Map(store.list())).toEqual(new Map([['a', 1]]));
    expect(store.copies('a')).toBe(1);
    expect(store.workingDatasets).toBe(1);
    store.failM2(1);
    expect(store.copies('a')).toBe(0);
    expect(store.sizeOf('a')).toBeUndefined();
    expect(store.storedHashes()).toEqual([]);
    let thrown: unknown;
    try {
      store.list();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(StoreError);
    expect((thrown as StoreError).status).toBe(503);
  });

  it('a store with no M.2 at all cannot list', () => {
    const { store } = storeWith(0, 100);
    expect(() => store.list()).toThrow(StoreError);
  });

  it('storedHashes is sorted and sizeOf reports the stored size', () => {
    const { store } = storeWith(1, 100);
    store.seed('c', 3);
    store.seed('a', 1);
    store.seed('b', 2);
    expect(store.storedHashes()).toEqual(['a', 'b', 'c']);
    expect(store.sizeOf('b')).toBe(2);
    expect(store.sizeOf('d')).toBeUndefined();
  });
});

describe('ArtifactStore.beginWrite', () => {
  interface Case {
    readonly name: string;
    readonly m2Count: number;
    readonly quota: number;
    readonly setup: (store: ArtifactStore) => void;
    readonly size: number;
    readonly status: number | 'ok';
    readonly usage: readonly number[];
  }
  const cases: Case[] = [
    { name: 'an empty store', m2Count: 2, quota: 100, setup: () => undefined, size: 40, status: 'ok', usage: [40, 40] },
    { name: 'exactly filling the quota', m2Count: 2, quota: 100, setup: (s) => s.seed('x', 60), size: 40, status: 'ok', usage: [100, 100] },
    { name: 'one byte over the quota', m2Count: 2, quota: 100, setup: (s) => s.seed('x', 61), size: 40, status: 507, usage: [61, 61] },
    { name: 'temporary files count against the quota', m2Count: 2, quota: 100, setup: (s) => void s.beginWrite('t', 61), size: 40, status: 507, usage: [61, 61] },
    { name: 'a write of the same hash in progress', m2Count: 2, quota: 100, setup: (s) => void s.beginWrite('a', 10), size: 10, status: 409, usage: [10, 10] },
    { name: 'conflict is checked before the quota', m2Count: 2, quota: 100, setup: (s) => void s.beginWrite('a', 95), size: 10, status: 409, usage: [95, 95] },
    { name: 'a write of another hash in progress', m2Count: 2, quota: 100, setup: (s) => void s.beginWrite('b', 10), size: 10, status: 'ok', usage: [20, 20] },
    { name: 'the hash already stored (a rewrite)', m2Count: 2, quota: 100, setup: (s) => s.seed('a', 10), size: 10, status: 'ok', usage: [20, 20] },
    { name: 'one M.2 failed', m2Count: 2, quota: 100, setup: (s) => s.failM2(0), size: 10, status: 'ok', usage: [0, 10] },
    { name: 'every M.2 failed', m2Count: 2, quota: 100, setup: (s) => {
        s.failM2(0);
        s.failM2(1);
      }, size: 10, status: 503, usage: [0, 0] },
    { name: 'no working M.2 comes before a conflict', m2Count: 1, quota: 100, setup: (s) => {
        s.beginWrite('a', 1);
        s.failM2(0);
      }, size: 1, status: 503, usage: [1] },
    { name: 'bigger than an empty dataset', m2Count: 1, quota: 100, setup: () => undefined, size: 101, status: 507, usage: [0] },
  ];

  it.each(cases)('$name → $status', ({ m2Count, quota, setup, size, status, usage }) => {
    const { store, events } = storeWith(m2Count, quota);
    setup(store);
    const before = events.length;
    const result = store.beginWrite('a', size);
    expect(result.ok ? 'ok' : result.status).toBe(status);
    expect(store.usage()).toEqual(usage);
    // Beginning a write stores nothing.
    expect(events.length).toBe(before);
  });

  it('skips a dataset without room and writes to the others (white-box: datasets are otherwise symmetric)', () => {
    const { store, events } = storeWith(2, 100);
    // Working datasets always see the same operations, so only reaching in can make their usage differ.
    const internals = store as unknown as { datasets: { used: number }[] };
    const first = internals.datasets[0];
    if (first === undefined) throw new Error('no dataset 0');
    first.used = 95;
    const write = begun(store.beginWrite('a', 10));
    expect(store.usage()).toEqual([95, 10]);
    expect(write.commit('put')).toBe(1);
    expect(events).toEqual([stored(1, 'a', 10, 'put')]);
    expect(new Map(store.list())).toEqual(new Map([['a', 1]]));
  });
});

describe('PendingWrite.commit and abort', () => {
  it('commit renames every temporary file into place, one event per dataset', () => {
    const { store, events } = storeWith(2, 100);
    const write = begun(store.beginWrite('a', 30));
    expect(write.active).toBe(true);
    expect(new Map(store.list())).toEqual(new Map());
    expect(write.commit('copy')).toBe(2);
    expect(write.active).toBe(false);
    expect(events).toEqual([stored(0, 'a', 30, 'copy'), stored(1, 'a', 30, 'copy')]);
    expect(store.usage()).toEqual([30, 30]);
    expect(new Map(store.list())).toEqual(new Map([['a', 2]]));
    // A committed write is over: committing or aborting again changes nothing.
    expect(write.commit('copy')).toBe(0);
    write.abort();
    expect(store.usage()).toEqual([30, 30]);
    expect(events).toHaveLength(2);
    // And it no longer blocks a new write of the hash.
    expect(store.beginWrite('a', 30).ok).toBe(true);
  });

  it('commit replaces an existing copy without counting it twice', () => {
    const { store, events } = storeWith(2, 100);
    store.seed('a', 30);
    const write = begun(store.beginWrite('a', 30));
    expect(store.usage()).toEqual([60, 60]);
    expect(write.commit('put')).toBe(2);
    expect(store.usage()).toEqual([30, 30]);
    expect(new Map(store.list())).toEqual(new Map([['a', 2]]));
    expect(events.slice(2)).toEqual([stored(0, 'a', 30, 'put'), stored(1, 'a', 30, 'put')]);
  });

  it('abort deletes the temporary files and emits nothing', () => {
    const { store, events } = storeWith(2, 100);
    const write = begun(store.beginWrite('a', 30));
    write.abort();
    expect(write.active).toBe(false);
    expect(store.usage()).toEqual([0, 0]);
    expect(events).toEqual([]);
    expect(write.commit('put')).toBe(0);
    expect(new Map(store.list())).toEqual(new Map());
    expect(store.beginWrite('a', 30).ok).toBe(true);
  });

  it('an M.2 that fails mid-write is skipped; the write succeeds on the other', () => {
    const { store, events } = storeWith(2, 100);
    const write = begun(store.beginWrite('a', 30));
    store.failM2(0);
    expect(write.commit('put')).toBe(1);
    expect(events).toEqual([stored(1, 'a', 30, 'put')]);
    // The failed dataset's temporary file is gone too.
    expect(store.usage()).toEqual([0, 30]);
    expect(new Map(store.list())).toEqual(new Map([['a', 1]]));
  });

  it('a write whose every dataset failed writes nothing (0)', () => {
    const { store, events } = storeWith(2, 100);
    const write = begun(store.beginWrite('a', 30));
    store.failM2(0);
    store.failM2(1);
    expect(write.commit('put')).toBe(0);
    expect(events).toEqual([]);
    expect(store.usage()).toEqual([0, 0]);
  });
});

describe('ArtifactStore.delete', () => {
  it('removes the artifact from every dataset, one event each, cause delete', () => {
    const { store, events } = storeWith(2, 100);
    store.seed('a', 10);
    store.seed('b', 20);
    events.length = 0;
    store.delete('a', 'delete');
    expect(events).toEqual([removed(0, 'a', 10, 'delete'), removed(1, 'a', 10, 'delete')]);
    expect(new Map(store.list())).toEqual(new Map([['b', 2]]));
    expect(store.usage()).toEqual([20, 20]);
  });

  it('absent is not an error and emits nothing', () => {
    const { store, events } = storeWith(2, 100);
    expect(() => store.delete('nope', 'delete')).not.toThrow();
    expect(events).toEqual([]);
  });

  it('skips a failed M.2 (its copies were already reported removed)', () => {
    const { store, events } = storeWith(2, 100);
    store.seed('a', 10);
    store.failM2(0);
    events.length = 0;
    store.delete('a', 'reconciler');
    expect(events).toEqual([removed(1, 'a', 10, 'reconciler')]);
    expect(store.usage()).toEqual([10, 0]);
  });

  it('does not stop a write in progress: the artifact is back after the commit (ENGINE.md §2)', () => {
    const { store, events } = storeWith(2, 100);
    store.seed('a', 10);
    const write = begun(store.beginWrite('a', 10));
    store.delete('a', 'delete');
    expect(store.copies('a')).toBe(0);
    expect(store.usage()).toEqual([10, 10]);
    expect(write.commit('copy')).toBe(2);
    expect(store.copies('a')).toBe(2);
    expect(events.slice(2)).toEqual([
      removed(0, 'a', 10, 'delete'),
      removed(1, 'a', 10, 'delete'),
      stored(0, 'a', 10, 'copy'),
      stored(1, 'a', 10, 'copy'),
    ]);
  });
});

describe('ArtifactStore.failM2', () => {
  it('emits one m2_failure removal per stored artifact, sorted by hash; a second failure of the M.2 is a no-op', () => {
    const { store, events } = storeWith(2, 100);
    store.seed('b', 2);
    store.seed('a', 1);
    events.length = 0;
    store.failM2(1);
    expect(events).toEqual([removed(1, 'a', 1, 'm2_failure'), removed(1, 'b', 2, 'm2_failure')]);
    store.failM2(1);
    store.failM2(7);
    expect(events).toHaveLength(2);
    expect(new Map(store.list())).toEqual(new Map([['a', 1], ['b', 1]]));
    expect(store.sizeOf('a')).toBe(1);
  });
});

describe('ArtifactStore.loseWritesInProgress (a restart)', () => {
  it('frees every temporary file, keeps stored files, and ends the writes', () => {
    const { store, events } = storeWith(2, 100);
    store.seed('a', 10);
    const w1 = begun(store.beginWrite('b', 20));
    const w2 = begun(store.beginWrite('c', 30));
    expect(store.usage()).toEqual([60, 60]);
    store.loseWritesInProgress();
    expect(store.usage()).toEqual([10, 10]);
    expect(w1.active).toBe(false);
    expect(w2.commit('put')).toBe(0);
    expect(new Map(store.list())).toEqual(new Map([['a', 2]]));
    const lost = (hash: string) => ({ type: 'write_failed', sled: 'sled-0', hash, reason: 'lost in a restart' });
    expect(events).toEqual([stored(0, 'a', 10, 'initial'), stored(1, 'a', 10, 'initial'), lost('b'), lost('c')]);
    expect(store.beginWrite('b', 20).ok).toBe(true);
  });
});

describe('ArtifactStore.seed', () => {
  it('places the artifact on every working dataset with room, skipping those already holding it', () => {
    const { store, events } = storeWith(2, 100);
    store.seed('a', 60);
    store.seed('a', 60);
    store.seed('b', 41);
    store.seed('c', 40);
    expect(events).toEqual([stored(0, 'a', 60, 'initial'), stored(1, 'a', 60, 'initial'), stored(0, 'c', 40, 'initial'), stored(1, 'c', 40, 'initial')]);
    expect(store.usage()).toEqual([100, 100]);
  });
});

// ---------------------------------------------------------------------------------------
// Model-based property test.

type Op =
  | { readonly kind: 'seed'; readonly hash: string; readonly size: number }
  | { readonly kind: 'begin'; readonly hash: string; readonly size: number }
  | { readonly kind: 'commit'; readonly write: number; readonly via: 'put' | 'copy' }
  | { readonly kind: 'abort'; readonly write: number }
  | { readonly kind: 'delete'; readonly hash: string }
  | { readonly kind: 'failM2'; readonly m2: number }
  | { readonly kind: 'restart' };

const HASHES = ['a', 'b', 'c', 'd'];
const arbHash = fc.constantFrom(...HASHES);
const arbSize = fc.integer({ min: 1, max: 6 });
const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('seed' as const), hash: arbHash, size: arbSize }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('begin' as const), hash: arbHash, size: arbSize }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('commit' as const), write: fc.nat(20), via: fc.constantFrom('put' as const, 'copy' as const) }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('abort' as const), write: fc.nat(20) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), hash: arbHash }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('failM2' as const), m2: fc.nat(3) }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'restart' as const }), weight: 1 },
);

interface ModelDataset {
  failed: boolean;
  readonly stored: Map<string, number>;
  readonly temp: Map<string, number>;
}

interface ModelWrite {
  readonly hash: string;
  readonly size: number;
  readonly targets: readonly number[];
  done: boolean;
}

/** The reference: plain maps of files; bytes used are always summed from them. */
class Model {
  readonly datasets: ModelDataset[];
  readonly writes: ModelWrite[] = [];

  constructor(
    m2Count: number,
    readonly quota: number,
  ) {
    this.datasets = Array.from({ length: m2Count }, () => ({ failed: false, stored: new Map(), temp: new Map() }));
  }

  used(d: ModelDataset): number {
    let sum = 0;
    for (const size of d.stored.values()) sum += size;
    for (const size of d.temp.values()) sum += size;
    return sum;
  }

  storedBytes(d: ModelDataset): number {
    let sum = 0;
    for (const size of d.stored.values()) sum += size;
    return sum;
  }

  working(): number[] {
    return this.datasets.flatMap((d, i) => (d.failed ? [] : [i]));
  }

  list(): Map<string, number> | 'error' {
    if (this.working().length === 0) return 'error';
    const counts = new Map<string, number>();
    for (const hash of HASHES) {
      const n = this.datasets.filter((d) => !d.failed && d.stored.has(hash)).length;
      if (n > 0) counts.set(hash, n);
    }
    return counts;
  }

  /** Applies `op`; returns the events the store must emit and, for a begin, the expected outcome. */
  apply(op: Op): { events: WorldEventBody[]; begin?: number | 'ok'; written?: number } {
    const events: WorldEventBody[] = [];
    const ds = this.datasets;
    switch (op.kind) {
      case 'seed':
        ds.forEach((d, m2) => {
          if (d.failed || d.stored.has(op.hash) || this.used(d) + op.size > this.quota) return;
          d.stored.set(op.hash, op.size);
          events.push(stored(m2, op.hash, op.size, 'initial'));
        });
        return { events };
      case 'begin': {
        const working = this.working();
        if (working.length === 0) return { events, begin: 503 };
        // ENGINE.md §2: a temporary file for the hash means a write is in progress.
        if (working.some((i) => ds[i]?.temp.has(op.hash))) return { events, begin: 409 };
        const targets = working.filter((i) => {
          const d = ds[i];
          return d !== undefined && this.used(d) + op.size <= this.quota;
        });
        if (targets.length === 0) return { events, begin: 507 };
        for (const i of targets) ds[i]?.temp.set(op.hash, op.size);
        this.writes.push({ hash: op.hash, size: op.size, targets, done: false });
        return { events, begin: 'ok' };
      }
      case 'commit': {
        const w = this.writes[op.write];
        if (w === undefined) return { events };
        if (w.done) return { events, written: 0 };
        w.done = true;
        let written = 0;
        for (const i of w.targets) {
          const d = ds[i];
          if (d === undefined || !d.temp.has(w.hash)) continue;
          d.temp.delete(w.hash);
          if (d.failed) continue;
          d.stored.set(w.hash, w.size);
          written++;
          events.push(stored(i, w.hash, w.size, op.via));
        }
        return { events, written };
      }
      case 'abort': {
        const w = this.writes[op.write];
        if (w === undefined || w.done) return { events };
        w.done = true;
        for (const i of w.targets) ds[i]?.temp.delete(w.hash);
        return { events };
      }
      case 'delete':
        ds.forEach((d, m2) => {
          const size = d.stored.get(op.hash);
          if (d.failed || size === undefined) return;
          d.stored.delete(op.hash);
          events.push(removed(m2, op.hash, size, 'delete'));
        });
        return { events };
      case 'failM2': {
        const d = ds[op.m2];
        if (d === undefined || d.failed) return { events };
        d.failed = true;
        for (const hash of [...d.stored.keys()].sort()) events.push(removed(op.m2, hash, d.stored.get(hash) ?? 0, 'm2_failure'));
        return { events };
      }
      case 'restart':
        for (const w of this.writes) {
          if (w.done) continue;
          w.done = true;
          for (const i of w.targets) ds[i]?.temp.delete(w.hash);
          events.push({ type: 'write_failed', sled: 'sled-0', hash: w.hash, reason: 'lost in a restart' });
        }
        return { events };
    }
  }
}

describe('ArtifactStore against a reference model (fast-check)', () => {
  it('agrees with the model on every result, event, listing and byte count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 4, max: 14 }),
        fc.array(arbOp, { minLength: 1, maxLength: 60 }),
        (m2Count, quota, ops) => {
          const { store, events } = storeWith(m2Count, quota);
          const model = new Model(m2Count, quota);
          const writes: PendingWrite[] = [];
          /** Replay of the emitted events: "m2/hash" → bytes. */
          const replay = new Map<string, number>();
          const listings: { snapshot: ReadonlyMap<string, number>; expected: ReadonlyMap<string, number> }[] = [];

          for (const op of ops) {
            const before = events.length;
            const expected = model.apply(op);
            switch (op.kind) {
              case 'seed':
                store.seed(op.hash, op.size);
                break;
              case 'begin': {
                // Whether a live write holds a temp file of this hash on a working dataset.
                const inProgress = writes.some((w) => w.active && w.hash === op.hash) && model.working().some((i) => model.datasets[i]?.temp.has(op.hash));
                const result = store.beginWrite(op.hash, op.size);
                expect(result.ok ? 'ok' : result.status).toBe(expected.begin);
                if (inProgress) expect(result.ok ? 'ok' : result.status).toBe(409);
                if (result.ok) writes.push(result.write);
                break;
              }
              case 'commit': {
                const w = writes[op.write];
                if (w !== undefined) expect(w.commit(op.via)).toBe(expected.written);
                break;
              }
              case 'abort':
                writes[op.write]?.abort();
                break;
              case 'delete':
                store.delete(op.hash, 'delete');
                break;
              case 'failM2':
                store.failM2(op.m2);
                break;
              case 'restart':
                store.loseWritesInProgress();
                break;
            }
            const emitted = events.slice(before);
            expect(emitted).toEqual(expected.events);

            for (const e of emitted) {
              if (e.type === 'artifact_stored') {
                replay.set(`${e.m2}/${e.hash}`, e.bytes);
              } else if (e.type === 'artifact_removed') {
                // A removal must remove a copy that the events said was there.
                expect(replay.get(`${e.m2}/${e.hash}`)).toBe(e.bytes);
                replay.delete(`${e.m2}/${e.hash}`);
              } else if (e.type !== 'write_failed') {
                throw new Error(`unexpected event ${e.type}`);
              }
            }

            // Invariants, after every operation.
            const usage = store.usage();
            expect(usage).toEqual(model.datasets.map((d) => model.used(d)));
            for (const used of usage) expect(used).toBeLessThanOrEqual(quota);
            const listing = model.list();
            if (listing === 'error') expect(() => store.list()).toThrow(StoreError);
            else {
              const snapshot = store.list();
              expect(new Map(snapshot)).toEqual(listing);
              expect([...listing].every(([hash, n]) => snapshot.get(hash) === n)).toBe(true);
              listings.push({ snapshot, expected: listing });
            }
            // A listing is a snapshot: what the store does afterwards never shows in it.
            for (const { snapshot, expected } of listings) expect(new Map(snapshot)).toEqual(expected);
            expect(store.workingDatasets).toBe(model.working().length);
            for (const hash of HASHES) {
              expect(store.copies(hash)).toBeLessThanOrEqual(store.workingDatasets);
              expect(store.copies(hash)).toBe(listing === 'error' ? 0 : (listing.get(hash) ?? 0));
            }
            expect(store.storedHashes()).toEqual(listing === 'error' ? [] : [...listing.keys()].sort());
            // The events, replayed, give exactly what is stored on the working datasets.
            const truth = new Map<string, number>();
            model.datasets.forEach((d, m2) => {
              if (!d.failed) for (const [hash, size] of d.stored) truth.set(`${m2}/${hash}`, size);
            });
            expect(replay).toEqual(truth);
            if (op.kind === 'restart') {
              // No temporary bytes survive a restart.
              expect(usage).toEqual(model.datasets.map((d) => model.storedBytes(d)));
              for (const w of writes) expect(w.active).toBe(false);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a write in progress always blocks a second write of the same hash until it ends', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), arbHash, arbSize, fc.constantFrom('commit', 'abort', 'restart'), (m2Count, hash, size, end) => {
        const { store } = storeWith(m2Count, 20);
        const write = begun(store.beginWrite(hash, size));
        const second = store.beginWrite(hash, size);
        expect(second.ok ? 'ok' : second.status).toBe(409);
        if (end === 'commit') write.commit('put');
        else if (end === 'abort') write.abort();
        else store.loseWritesInProgress();
        expect(store.beginWrite(hash, size).ok).toBe(true);
      }),
    );
  });
});
