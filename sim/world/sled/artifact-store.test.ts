// Tests of the sled agent's artifact store (ENGINE.md §2, behaviour-by-commit.md §7–§8):
// table-driven cases of each operation with bodies the test streams by hand, then a
// property test over random interleavings of writers, checked against what the store
// reported through its events (files and bytes are summed from events, never from the
// store's own tallies).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NOW, type WorldEvent } from '../world-events.ts';
import { runJob, type Settler } from '../kernel/kernel.ts';
import { ArtifactStore, StoreError, type ArtifactWriter, type BodyStream, type ServedFile, type Ticker, type WritePath } from './artifact-store.ts';

const SLED = 'sled-0';

/** What a depot GET answered, as its two fields (a finished file answers as itself). */
function contents(served: ServedFile | undefined): ServedFile | undefined {
  return served && { content: served.content, bytes: served.bytes };
}

/** Continuations as the microtask queue runs them, which `settle` lets run. */
const MICROTASKS: Ticker = { tick: (job) => void Promise.resolve().then(() => runJob(job)) };

function storeWith(m2Count = 2, quota = 100, path: WritePath = 'shared_name'): { store: ArtifactStore; events: WorldEvent[] } {
  const events: WorldEvent[] = [];
  const store = new ArtifactStore(SLED, m2Count, quota, (e) => events.push(e), path);
  return { store, events };
}

/** A body the test moves chunk by chunk: each `read` waits for `land` or `cut`. */
class HandBody implements BodyStream {
  private pending: { bytes: number; resolve: () => void; reject: (err: unknown) => void } | undefined;

  constructor(
    readonly content: string,
    readonly length: number,
  ) {}

  get waiting(): number | undefined {
    return this.pending?.bytes;
  }

  read(bytes: number, then: Settler<void>): void {
    this.pending = { bytes, resolve: () => then.settle(true, undefined, undefined), reject: (err) => then.settle(false, undefined, err) };
  }

  land(): void {
    const p = this.pending;
    this.pending = undefined;
    p?.resolve();
  }

  /** The stream breaks after `moved` bytes of the chunk in flight. */
  cut(moved: number): void {
    const p = this.pending;
    this.pending = undefined;
    p?.reject(Object.assign(new Error('body broke off'), { moved }));
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

interface Running {
  readonly writer: ArtifactWriter;
  readonly body: HandBody;
  outcome: { ok: true; written: number } | { ok: false; status: number } | undefined;
}

/** Opens a writer and starts streaming `length` bytes (default: the whole artifact). */
function start(store: ArtifactStore, hash: string, size: number, length = size): Running | number {
  const opened = store.openWriter(hash, size);
  if (!opened.ok) return opened.status;
  const body = new HandBody(hash, length);
  const running: Running = { writer: opened.writer, body, outcome: undefined };
  opened.writer.write(body, 'put', MICROTASKS, {
    settle: (ok, r, err) => {
      running.outcome = ok && r !== undefined ? { ok: true, written: r.successfulWrites } : { ok: false, status: err instanceof StoreError ? err.status : -1 };
    },
  });
  return running;
}

function started(r: Running | number): Running {
  if (typeof r === 'number') throw new Error(`expected the writer to open, got ${r}`);
  return r;
}

/** Lands every chunk until the write ends. */
async function finish(r: Running): Promise<void> {
  await settle();
  while (r.body.waiting !== undefined) {
    r.body.land();
    await settle();
  }
}

const stored = (m2: number, hash: string, bytes: number, via: 'put' | 'copy' | 'initial'): WorldEvent => ({
  t: NOW,
  type: 'artifact_stored',
  sled: SLED,
  m2,
  hash,
  bytes,
  via,
});
const truncated = (m2: number, hash: string, bytes: number, size: number): WorldEvent => ({
  t: NOW,
  type: 'artifact_truncated',
  sled: SLED,
  m2,
  hash,
  bytes,
  size,
});

describe('ArtifactStore: listing, serving, seeding', () => {
  it('counts, per hash, the working datasets with a final file; copies counts complete ones', () => {
    const { store } = storeWith(2, 100);
    expect(new Map(store.list())).toEqual(new Map());
    store.seed('a', 10);
    store.seed('b', 20);
    expect(new Map(store.list())).toEqual(new Map([['a', 2], ['b', 2]]));
    expect(store.copies('a')).toBe(2);
    expect(store.copies('zz')).toBe(0);
    expect(store.storedHashes()).toEqual(['a', 'b']);
    expect(store.storedOn(1)).toEqual(['a', 'b']);
    expect(store.usage()).toEqual([30, 30]);
    expect(contents(store.serve('b'))).toEqual({ content: 'b', bytes: 20 });
    expect(store.serve('zz')).toBeUndefined();
  });

  it('ignores a failed M.2, and throws StoreError 503 once no dataset is left', () => {
    const { store } = storeWith(2, 100);
    store.seed('a', 10);
    store.failM2(0);
    expect(new Map(store.list())).toEqual(new Map([['a', 1]]));
    expect(store.storedOn(0)).toEqual([]);
    store.failM2(1);
    expect(store.serve('a')).toBeUndefined();
    expect(() => store.list()).toThrow(StoreError);
    expect(store.openWriter('b', 1)).toEqual({ ok: false, status: 503, reason: 'No update datasets present' });
  });

  it('refuses with an Error that carries the status and no stack trace', () => {
    const refusal: unknown = new StoreError(500, 'write ended');
    expect(refusal).toBeInstanceOf(Error);
    expect(refusal).toBeInstanceOf(StoreError);
    expect([String(refusal), (refusal as StoreError).status]).toEqual(['StoreError: write ended', 500]);
    expect((refusal as StoreError).stack).not.toMatch(/\n\s+at /);
  });
});

describe('ArtifactStore, shared temporary names (74a6c136, c31dc2f3)', () => {
  it('a refused writer (409) unlinks the live writer’s name on the first dataset: that dataset is never written', async () => {
    const { store, events } = storeWith(2, 100);
    const a = started(start(store, 'h', 10));
    expect(start(store, 'h', 10)).toBe(409);
    await finish(a);
    expect(a.outcome).toEqual({ ok: true, written: 1 });
    expect(events).toEqual([stored(1, 'h', 10, 'put')]);
    // A's orphaned file on M.2 0 was freed when A closed it.
    expect(store.usage()).toEqual([0, 10]);
  });

  it('the #7796 sequence: A, B 409, C 409, D; A renames D’s partial files; D breaks off: short files stay, listed', async () => {
    const { store, events } = storeWith(2, 100);
    const a = started(start(store, 'h', 10));
    expect(start(store, 'h', 10)).toBe(409);
    expect(start(store, 'h', 10)).toBe(409);
    const d = started(start(store, 'h', 10));
    await finish(a);
    expect(a.outcome).toEqual({ ok: true, written: 2 });
    expect(events).toEqual([stored(0, 'h', 10, 'put'), stored(1, 'h', 10, 'put')]);
    expect(new Map(store.list())).toEqual(new Map([['h', 2]]));
    expect(store.copies('h')).toBe(0);
    d.body.cut(4);
    await settle();
    expect(d.outcome).toEqual({ ok: false, status: -1 });
    expect(events.slice(2)).toEqual([truncated(0, 'h', 4, 10), truncated(1, 'h', 4, 10)]);
    expect(contents(store.serve('h'))).toEqual({ content: 'h', bytes: 4 });
    expect(store.usage()).toEqual([4, 4]);
  });

  it('a writer fills the files another renamed into place: the depot serves the bytes as they land', async () => {
    const { store } = storeWith(2, 100);
    const a = started(start(store, 'h', 10));
    expect(start(store, 'h', 10)).toBe(409);
    expect(start(store, 'h', 10)).toBe(409);
    const d = started(start(store, 'h', 10));
    await finish(a);
    expect(contents(store.serve('h'))).toEqual({ content: 'h', bytes: 0 });
    d.body.land();
    await settle();
    // Its names were renamed by A: nothing left to rename (`as:552-575@74a6c136`).
    expect(d.outcome).toEqual({ ok: false, status: 500 });
    expect(contents(store.serve('h'))).toEqual({ content: 'h', bytes: 10 });
    expect(store.copies('h')).toBe(2);
  });

  it('with one M.2 it takes three writers: A, B 409, D', async () => {
    const { store, events } = storeWith(1, 100);
    const a = started(start(store, 'h', 10));
    expect(start(store, 'h', 10)).toBe(409);
    const d = started(start(store, 'h', 10));
    await finish(a);
    d.body.cut(7);
    await settle();
    expect(events).toEqual([stored(0, 'h', 10, 'put'), truncated(0, 'h', 7, 10)]);
  });

  it('goes on one tick after a chunk lands (where the await of the read resumed), not at once', async () => {
    const { store } = storeWith();
    const r = started(start(store, 'a', 10));
    r.body.land();
    expect(r.outcome).toBeUndefined();
    await Promise.resolve();
    expect(r.outcome).toEqual({ ok: true, written: 2 });
  });

  it('a body shorter than the artifact (a short source) fails the hash check: 400, its files unlinked', async () => {
    const { store, events } = storeWith(2, 100);
    const short = started(start(store, 'h', 10, 6));
    await finish(short);
    expect(short.outcome).toEqual({ ok: false, status: 400 });
    expect(events).toEqual([]);
    expect(store.usage()).toEqual([0, 0]);
    expect(started(start(store, 'h', 10)).writer.active).toBe(true);
  });

  it('a restart leaves the dead writer’s names until start-up removes tmp/', () => {
    const { store, events } = storeWith(2, 100);
    started(start(store, 'h', 10));
    store.loseWritesInProgress();
    expect(events).toEqual([{ t: NOW, type: 'write_failed', sled: SLED, hash: 'h', reason: 'lost in a restart' }]);
    expect(start(store, 'h', 10)).toBe(409);
    store.removeTemporaryFiles();
    expect(typeof start(store, 'h', 10)).toBe('object');
  });

  it('a restart reports the writes it loses in the order they opened, whichever ended between', async () => {
    const { store, events } = storeWith(2, 100);
    started(start(store, 'a', 10));
    const b = started(start(store, 'b', 10));
    started(start(store, 'c', 10));
    started(start(store, 'd', 10));
    await finish(b);
    started(start(store, 'e', 10));
    events.length = 0;
    store.loseWritesInProgress();
    expect(events.map((e) => (e.type === 'write_failed' ? e.hash : e.type))).toEqual(['a', 'c', 'd', 'e']);
  });
});

describe('ArtifactStore, private temporary files (HEAD)', () => {
  it('never refuses a writer; each renames its own file only after its own hash matched', async () => {
    const { store, events } = storeWith(2, 100, 'private_dir');
    const a = started(start(store, 'h', 10));
    const b = started(start(store, 'h', 10));
    const d = started(start(store, 'h', 10));
    await finish(a);
    b.body.cut(3);
    await settle();
    expect(b.outcome).toEqual({ ok: false, status: -1 });
    await finish(d);
    expect(events).toEqual([stored(0, 'h', 10, 'put'), stored(1, 'h', 10, 'put'), stored(0, 'h', 10, 'put'), stored(1, 'h', 10, 'put')]);
    expect(store.copies('h')).toBe(2);
    expect(store.usage()).toEqual([10, 10]);
  });
});

describe('ArtifactStore: quota, no admission check', () => {
  it('a dataset without room fails there mid-write, after the bytes up to its quota; the other takes the whole artifact', async () => {
    const { store, events } = storeWith(2, 20);
    store.seed('x', 15);
    store.deleteOn(1, 'x', 'delete');
    events.length = 0;
    const w = started(start(store, 'h', 10));
    await settle();
    expect(w.body.waiting).toBe(5);
    expect(store.usage()).toEqual([20, 5]);
    await finish(w);
    expect(w.outcome).toEqual({ ok: true, written: 1 });
    expect(events).toEqual([stored(1, 'h', 10, 'put')]);
    expect(store.usage()).toEqual([15, 10]);
  });

  it('every dataset full: 500 once the bytes up to the quota moved; nothing left behind', async () => {
    const { store, events } = storeWith(2, 8);
    const w = started(start(store, 'h', 10));
    await finish(w);
    expect(w.outcome).toEqual({ ok: false, status: 500 });
    expect(events).toEqual([]);
    expect(store.usage()).toEqual([0, 0]);
  });
});

// ---------------------------------------------------------------------------------------
// Property test: random interleavings of writers of a few hashes.

type Op =
  | { readonly kind: 'open'; readonly hash: string; readonly short: boolean }
  | { readonly kind: 'land'; readonly writer: number }
  | { readonly kind: 'cut'; readonly writer: number }
  | { readonly kind: 'delete'; readonly hash: string }
  | { readonly kind: 'restart' };

const SIZES: Record<string, number> = { a: 6, b: 9, c: 4 };
const arbHash = fc.constantFrom('a', 'b', 'c');
const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('open' as const), hash: arbHash, short: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('land' as const), writer: fc.nat(15) }), weight: 8 },
  { arbitrary: fc.record({ kind: fc.constant('cut' as const), writer: fc.nat(15) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), hash: arbHash }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'restart' as const }), weight: 1 },
);

/** (m2, hash) → what the events say the final file holds: its bytes, and whether it is short. */
function filesFromEvents(events: readonly WorldEvent[]): Map<string, { bytes: number; short: boolean }> {
  const files = new Map<string, { bytes: number; short: boolean }>();
  for (const e of events) {
    if (e.type === 'artifact_stored') files.set(`${e.m2}/${e.hash}`, { bytes: e.bytes, short: false });
    if (e.type === 'artifact_truncated') files.set(`${e.m2}/${e.hash}`, { bytes: e.bytes, short: true });
    if (e.type === 'artifact_removed') files.delete(`${e.m2}/${e.hash}`);
  }
  return files;
}

async function play(path: WritePath, ops: readonly Op[], quota: number): Promise<{ store: ArtifactStore; events: WorldEvent[] }> {
  const { store, events } = storeWith(2, quota, path);
  const writers: Running[] = [];
  // Every depot answer given, with what it said then: the copy reads it a network latency later.
  const answers: { readonly served: ServedFile; readonly then: ServedFile }[] = [];
  for (const op of ops) {
    if (op.kind === 'open') {
      const size = SIZES[op.hash] ?? 1;
      const r = start(store, op.hash, size, op.short ? size - 1 : size);
      if (typeof r !== 'number') writers.push(r);
    } else if (op.kind === 'land') writers[op.writer]?.body.land();
    else if (op.kind === 'cut') writers[op.writer]?.body.cut(1);
    else if (op.kind === 'delete') store.delete(op.hash, 'delete');
    else {
      // A restart reports the writes it loses in the order they opened, whichever ended between.
      const open = writers.filter((w) => w.writer.active).map((w) => w.writer.hash);
      const before = events.length;
      store.loseWritesInProgress();
      expect(events.slice(before).flatMap((e) => (e.type === 'write_failed' ? [e.hash] : []))).toEqual(open);
      store.removeTemporaryFiles();
    }
    await settle();
    for (const used of store.usage()) expect(used).toBeLessThanOrEqual(quota);
    for (const hash of Object.keys(SIZES)) {
      const served = store.serve(hash);
      if (served !== undefined) answers.push({ served, then: { content: served.content, bytes: served.bytes } });
    }
  }
  for (const w of writers) if (w.writer.active) await finish(w);
  // An answer never changes once given, whatever the writers, deletes and restarts did since.
  for (const { served, then } of answers) expect(contents(served)).toEqual(then);
  return { store, events };
}

describe('ArtifactStore against its own events (fast-check)', () => {
  const opsArb = fc.array(arbOp, { maxLength: 40 });

  it('every path: the quota holds; once writers end, listings, copies and bytes agree with the events', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<WritePath>('shared_name', 'private_dir'), opsArb, fc.integer({ min: 6, max: 30 }), async (path, ops, quota) => {
        const { store, events } = await play(path, ops, quota);
        const files = filesFromEvents(events);
        for (const hash of Object.keys(SIZES)) {
          const listed = store.list().get(hash) ?? 0;
          const shortFiles = [0, 1].filter((m2) => files.get(`${m2}/${hash}`)?.short === true).length;
          const allFiles = [0, 1].filter((m2) => files.has(`${m2}/${hash}`)).length;
          expect(listed).toBe(allFiles);
          expect(store.copies(hash)).toBe(allFiles - shortFiles);
        }
        // Nothing leaks: with no writer left and tmp/ removed, a dataset holds its final files.
        store.removeTemporaryFiles();
        for (const m2 of [0, 1]) {
          let bytes = 0;
          for (const [key, file] of files) if (key.startsWith(`${m2}/`)) bytes += file.bytes;
          expect(store.usage()[m2]).toBe(bytes);
          // The directory listing (the reconciler's walk): those files' names, sorted.
          const names = [...files.keys()].filter((key) => key.startsWith(`${m2}/`)).map((key) => key.slice(2));
          expect(store.storedOn(m2)).toEqual(names.sort());
          expect(store.storedNumbersOn(m2).map((n) => store.catalog.hashes[n])).toEqual(store.storedOn(m2));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('private temporary files (HEAD) never leave a short file', async () => {
    await fc.assert(
      fc.asyncProperty(opsArb, fc.integer({ min: 6, max: 30 }), async (ops, quota) => {
        const { events } = await play('private_dir', ops, quota);
        expect(events.filter((e) => e.type === 'artifact_truncated')).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('shared temporary names (74a6c136) can leave one, from open, land and cut alone', async () => {
    // Existence, not frequency: the minimal #7796 interleaving is among the sequences.
    const ops: Op[] = [
      { kind: 'open', hash: 'a', short: false },
      { kind: 'open', hash: 'a', short: false },
      { kind: 'open', hash: 'a', short: false },
      { kind: 'open', hash: 'a', short: false },
      { kind: 'land', writer: 0 },
      { kind: 'cut', writer: 1 },
    ];
    const { events } = await play('shared_name', ops, 30);
    expect(events.filter((e) => e.type === 'artifact_truncated')).toHaveLength(2);
  });
});
