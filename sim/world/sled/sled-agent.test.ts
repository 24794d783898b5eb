// Tests of the sled agent's artifact API and of what happens to a sled (ENGINE.md §2):
// handlers are called directly, the kernel runs the network and the background work, and
// every answer and world event is checked with its virtual time in µs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONFIG_GENERATION, ENGINE_GENERATIONS, SledAgentError, type ArtifactHash, type ArtifactListing, type SledId } from '../../../core/index.ts';
import { Kernel, WaitScope } from '../kernel/kernel.ts';
import { RandomStreams } from '../kernel/random-streams.ts';
import { Network } from '../network.ts';
import { sledAgentClients } from '../nexus/sled-clients.ts';
import type { WorldEvent, WorldEventBody } from '../world-events.ts';
import { worldConfig as compiledConfig } from '../../harness/scenario/compile.ts';
import { loadScenario } from '../../harness/scenario/load.ts';
import { ArtifactCatalog } from '../artifact-catalog.ts';
import { SledAgent, sledAgentCommit, type SledOptions } from './sled-agent.ts';
import type { ServedFile } from './artifact-store.ts';

/** What a depot GET answered, as its two fields (a finished file answers as itself). */
function contents(served: ServedFile | undefined): ServedFile | undefined {
  return served && { content: served.content, bytes: served.bytes };
}

const MB = 1_000_000;

/** A listing with its counts as a plain `Map`, for `toEqual`. */
function plain(listing: ArtifactListing): { generation: number | null; artifacts: Map<ArtifactHash, number> } {
  return { generation: listing.generation, artifacts: new Map(listing.artifacts) };
}
/** One-way message latency. */
const LATENCY = 1_000;
/** Bytes per second of every link: 1 MB takes 1 s. */
const BANDWIDTH = MB;
const TIMEOUT = 10_000_000;
const RECONCILE = 5_000;
const NEXUS = 'nexus-0';
/** The sled's depot client timeouts (connect, and per-read before HEAD). */
const DEPOT_TIMEOUT = 15_000_000;
/** When a copy-from-depot answers: request to the source and its answer, one latency each. */
const DEPOT_ROUND_TRIP = 2 * LATENCY;

class Rig {
  // Settling after every event: a handler refusing at once rejects a plain promise, which
  // the kernel's fast path would only see settle at its next own wait.
  readonly kernel = new Kernel({ alwaysSettle: true });
  readonly network = new Network(this.kernel, new RandomStreams(1).stream('net'), {
    latency: { fixed: LATENCY },
    bandwidth: BANDWIDTH,
    timeout: TIMEOUT,
    loss: 0,
  });
  readonly events: WorldEvent[] = [];
  readonly sleds = new Map<SledId, SledAgent>();
  /** The world's numbering of artifacts (the world numbers its repos' first; the rig, none). */
  readonly catalog = new ArtifactCatalog();
  /** The world's catalog of artifact sizes. */
  readonly sizes = new Map<ArtifactHash, number>([
    ['a', MB],
    ['b', 2 * MB],
    ['c', MB],
  ]);

  sled(id: SledId, options: Partial<SledOptions> = {}): SledAgent {
    const agent = new SledAgent(
      id,
      {
        kernel: this.kernel,
        network: this.network,
        emit: (e) => this.events.push({ ...e, t: this.kernel.now }),
        sled: (s) => this.sleds.get(s),
        sizeOf: (h) => this.sizes.get(h) ?? 0,
      },
      { m2Count: 2, quota: 20 * MB, commit: 'c31dc2f3', reconcileDelay: RECONCILE, catalog: this.catalog, ...options },
    );
    this.sleds.set(id, agent);
    return agent;
  }

  size(hash: ArtifactHash): number {
    return this.sizes.get(hash) ?? 0;
  }

  /** PUT from the Nexus: the body streams over the network to the sled. */
  put(agent: SledAgent, hash: ArtifactHash, generation?: number): Watched {
    return this.watch(
      new Promise((resolve, reject) =>
        agent.put(
          hash,
          this.size(hash),
          generation,
          {
            content: hash,
            length: this.size(hash),
            read: (bytes, then) => {
              const scope = agent.scope();
              if (scope !== undefined) this.network.transfer(NEXUS, agent.node, bytes, scope, `put ${hash}`, then);
            },
          },
          (ok, value, err) => (ok ? resolve(value) : reject(err)),
        ),
      ),
    );
  }

  copy(target: SledAgent, hash: ArtifactHash, source: SledId, generation?: number): Watched {
    return this.watch(new Promise((resolve, reject) => target.copyFromDepot(hash, source, generation, (ok, value, err) => (ok ? resolve(value) : reject(err)))));
  }

  /** Records when and how a handler answered. */
  watch(promise: Promise<unknown>): Watched {
    const watched: Watched = { answer: undefined };
    promise.then(
      () => {
        watched.answer = { t: this.kernel.now, status: 'ok', code: null };
      },
      (err: unknown) => {
        const e = err instanceof SledAgentError ? err : new SledAgentError(`not a SledAgentError: ${String(err)}`, -1);
        watched.answer = { t: this.kernel.now, status: e.status, code: e.errorCode, message: e.message };
      },
    );
    return watched;
  }

  of<T extends WorldEvent['type']>(type: T): Extract<WorldEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<WorldEvent, { type: T }> => e.type === type);
  }
}

interface Answer {
  readonly t: number;
  readonly status: number | null | 'ok';
  readonly code: string | null;
  readonly message?: string;
}
interface Watched {
  answer: Answer | undefined;
}

const ok = (t: number): Answer => ({ t, status: 'ok', code: null });
/** An answer with `status` at `t` (the message is not compared). */
function refused(watched: Watched): Omit<Answer, 'message'> | undefined {
  if (watched.answer === undefined) return undefined;
  const { t, status, code } = watched.answer;
  return { t, status, code };
}
const refusal = (t: number, status: number | null, code: string | null = null) => ({ t, status, code });

const at = (t: number, body: WorldEventBody): WorldEvent => ({ t, ...body }) as WorldEvent;
const storedOn = (t: number, sled: SledId, hash: ArtifactHash, bytes: number, via: 'put' | 'copy' | 'initial', m2s = [0, 1]) =>
  m2s.map((m2) => at(t, { type: 'artifact_stored', sled, m2, hash, bytes, via }));
const removedFrom = (t: number, sled: SledId, hash: ArtifactHash, bytes: number, cause: 'delete' | 'reconciler' | 'm2_failure', m2s = [0, 1]) =>
  m2s.map((m2) => at(t, { type: 'artifact_removed', sled, m2, hash, bytes, cause }));

function thrown(fn: () => unknown): SledAgentError | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof SledAgentError) return err;
    throw new Error(`not a SledAgentError: ${String(err)}`);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------

describe('list', () => {
  it('without configurations: generation null and every stored artifact, with its copy count', () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0', { commit: '74a6c136' });
    sled.store.seed('a', MB);
    sled.store.seed('b', 2 * MB);
    sled.failM2(1);
    expect(plain(sled.list())).toEqual({ generation: null, artifacts: new Map([['a', 1], ['b', 1]]) });
  });

  it('with configurations but none stored yet: generation null and nothing listed', () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    sled.store.seed('a', MB);
    expect(plain(sled.list())).toEqual({ generation: null, artifacts: new Map() });
  });

  it('with a configuration: its generation and only the artifacts in it', () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    sled.store.seed('a', MB);
    sled.store.seed('b', 2 * MB);
    sled.putConfig({ generation: 3, artifacts: ['a', 'c'] });
    expect(plain(sled.list())).toEqual({ generation: 3, artifacts: new Map([['a', 2]]) });
  });

  it("numbered in the world's catalog, the configuration's artifacts only, even one the catalog first met in the configuration", () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    sled.store.seed('a', MB);
    sled.putConfig({ generation: 3, artifacts: ['c', 'a'] });
    sled.store.seed('d', MB);
    sled.store.seed('c', MB);
    const { artifacts } = sled.list();
    expect(new Map(artifacts)).toEqual(new Map([['a', 2], ['c', 2]]));
    const numbered = artifacts.numbered;
    expect(numbered?.hashes).toBe(rig.catalog.hashes);
    expect(numbered?.entries.map((entry) => [numbered.hashes[entry >>> 8], entry & 0xff])).toEqual([['a', 2], ['c', 2]]);
  });

  it('answers with one listing object while neither the files nor the configuration change', () => {
    const rig = new Rig();
    for (const commit of ['74a6c136', 'c31dc2f3'] as const) {
      const sled = rig.sled(`sled-${commit}`, { commit });
      sled.store.seed('a', MB);
      if (commit === 'c31dc2f3') sled.putConfig({ generation: 1, artifacts: ['a', 'b'] });
      const first = sled.list();
      expect(sled.list()).toBe(first);
      sled.store.seed('b', 2 * MB);
      const second = sled.list();
      expect(second).not.toBe(first);
      expect([plain(first).artifacts, plain(second).artifacts]).toEqual([new Map([['a', 2]]), new Map([['a', 2], ['b', 2]])]);
      if (commit === 'c31dc2f3') {
        sled.putConfig({ generation: 2, artifacts: ['b'] });
        expect(plain(sled.list())).toEqual({ generation: 2, artifacts: new Map([['b', 2]]) });
      }
    }
  });

  it('a listing reused while nothing changed is the one a fresh list would build, whatever the store and the configuration did (fast-check)', () => {
    type Op =
      | { readonly op: 'seed' | 'delete'; readonly hash: string }
      | { readonly op: 'deleteOn'; readonly m2: number; readonly hash: string }
      | { readonly op: 'config'; readonly artifacts: readonly string[] }
      | { readonly op: 'fail' }
      | { readonly op: 'list' };
    const hash = fc.constantFrom('a', 'b', 'c', 'd');
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constantFrom('seed' as const, 'delete' as const), hash }),
      fc.record({ op: fc.constant('deleteOn' as const), m2: fc.nat(1), hash }),
      fc.record({ op: fc.constant('config' as const), artifacts: fc.uniqueArray(hash, { maxLength: 4 }) }),
      fc.constant({ op: 'fail' as const }),
      fc.constant({ op: 'list' as const }),
      fc.constant({ op: 'list' as const }),
    );
    fc.assert(
      fc.property(fc.constantFrom('74a6c136' as const, 'c31dc2f3' as const), fc.array(op, { maxLength: 40 }), (commit, ops) => {
        const sled = new Rig().sled('sled-0', { commit });
        let config: { generation: number; artifacts: ReadonlySet<string> } | null = null;
        let last: ArtifactListing | undefined;
        for (const o of ops) {
          if (o.op === 'seed') sled.store.seed(o.hash, MB);
          else if (o.op === 'delete') sled.store.delete(o.hash, 'delete');
          else if (o.op === 'deleteOn') sled.store.deleteOn(o.m2, o.hash, 'delete');
          else if (o.op === 'fail') sled.failM2(1);
          else if (o.op === 'config') {
            if (commit === '74a6c136') continue;
            const generation: number = (config?.generation ?? 0) + 1;
            sled.putConfig({ generation, artifacts: [...o.artifacts] });
            config = { generation, artifacts: new Set(o.artifacts) };
          }
          if (o.op !== 'list') {
            last = undefined;
            continue;
          }
          const listing = sled.list();
          // Fresh: the store's counts now, filtered by the configuration (none: nothing) from c31dc2f3.
          const counts = [...sled.store.list()].filter(([h]) => commit === '74a6c136' || config?.artifacts.has(h) === true);
          expect(plain(listing)).toEqual({ generation: config?.generation ?? null, artifacts: new Map(counts) });
          if (last !== undefined) expect(listing).toBe(last);
          last = listing;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('no update dataset left: refused with a SledAgentError 503', () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    sled.failM2(0);
    sled.failM2(1);
    const err = thrown(() => sled.list());
    expect(err?.status).toBe(503);
    expect(err?.message).toBe('no update datasets available');
  });
});

describe('putConfig', () => {
  interface Case {
    readonly name: string;
    readonly first: { generation: number; artifacts: string[] } | null;
    readonly second: { generation: number; artifacts: string[] };
    readonly status: number | 'ok';
    readonly generation: number | null;
    readonly stored: number;
  }
  const cases: Case[] = [
    { name: 'first configuration', first: null, second: { generation: 1, artifacts: ['a'] }, status: 'ok', generation: 1, stored: 1 },
    { name: 'newer generation', first: { generation: 1, artifacts: ['a'] }, second: { generation: 2, artifacts: ['a', 'b'] }, status: 'ok', generation: 2, stored: 2 },
    { name: 'newer generation, same artifacts', first: { generation: 1, artifacts: ['a'] }, second: { generation: 5, artifacts: ['a'] }, status: 'ok', generation: 5, stored: 2 },
    { name: 'older generation', first: { generation: 4, artifacts: ['a'] }, second: { generation: 3, artifacts: ['a'] }, status: 409, generation: 4, stored: 1 },
    { name: 'same generation, same content (other order)', first: { generation: 2, artifacts: ['a', 'b'] }, second: { generation: 2, artifacts: ['b', 'a'] }, status: 'ok', generation: 2, stored: 1 },
    { name: 'same generation, one artifact more', first: { generation: 2, artifacts: ['a'] }, second: { generation: 2, artifacts: ['a', 'b'] }, status: 409, generation: 2, stored: 1 },
    { name: 'same generation, other artifact', first: { generation: 2, artifacts: ['a'] }, second: { generation: 2, artifacts: ['b'] }, status: 409, generation: 2, stored: 1 },
    { name: 'same generation, one artifact fewer', first: { generation: 2, artifacts: ['a', 'b'] }, second: { generation: 2, artifacts: ['a'] }, status: 409, generation: 2, stored: 1 },
  ];

  it.each(cases)('$name → $status', ({ first, second, status, generation, stored }) => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    if (first !== null) sled.putConfig(first);
    const err = thrown(() => sled.putConfig(second));
    if (status === 'ok') {
      expect(err).toBeUndefined();
    } else {
      expect(err?.status).toBe(status);
      expect(err?.errorCode).toBe(CONFIG_GENERATION);
    }
    expect(sled.configGeneration).toBe(generation);
    expect(rig.of('config_stored')).toHaveLength(stored);
  });

  it('one configuration sent to several sleds is judged against what each holds', () => {
    const rig = new Rig();
    const [holdsA, holdsAB] = [rig.sled('sled-0'), rig.sled('sled-1')];
    holdsA.putConfig({ generation: 2, artifacts: ['a'] });
    holdsAB.putConfig({ generation: 2, artifacts: ['a', 'b'] });
    const sent = { generation: 2, artifacts: ['b', 'a'] };
    expect([thrown(() => holdsA.putConfig(sent))?.status, thrown(() => holdsAB.putConfig(sent))?.status]).toEqual([409, undefined]);
    expect([thrown(() => holdsAB.putConfig(sent))?.status, thrown(() => holdsA.putConfig(sent))?.status]).toEqual([undefined, 409]);
  });

  it('emits config_stored with the generation and the artifact count', () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    sled.putConfig({ generation: 7, artifacts: ['a', 'b', 'c'] });
    expect(rig.events).toEqual([at(0, { type: 'config_stored', sled: 'sled-0', generation: 7, artifacts: 3 })]);
  });

  it('a sled without configurations answers 404', () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0', { commit: '74a6c136' });
    expect(thrown(() => sled.putConfig({ generation: 1, artifacts: [] }))?.status).toBe(404);
    expect(rig.events).toEqual([]);
  });
});

describe('the delete reconciler', () => {
  it('removes every stored file not in the configuration, dataset by dataset, one per reconcileDelay (as:537-597@c31dc2f3)', async () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    for (const h of ['a', 'b', 'c']) sled.store.seed(h, rig.size(h));
    rig.events.length = 0;
    sled.putConfig({ generation: 1, artifacts: ['a'] });
    await rig.kernel.run(60_000);
    expect(rig.events).toEqual([
      at(0, { type: 'config_stored', sled: 'sled-0', generation: 1, artifacts: 1 }),
      ...removedFrom(RECONCILE, 'sled-0', 'b', 2 * MB, 'reconciler', [0]),
      ...removedFrom(2 * RECONCILE, 'sled-0', 'c', MB, 'reconciler', [0]),
      ...removedFrom(3 * RECONCILE, 'sled-0', 'b', 2 * MB, 'reconciler', [1]),
      ...removedFrom(4 * RECONCILE, 'sled-0', 'c', MB, 'reconciler', [1]),
    ]);
    expect(sled.store.storedHashes()).toEqual(['a']);
    expect(sled.store.usage()).toEqual([MB, MB]);
  });

  it('re-checks the configuration before each removal: a newer one that wants the artifact back keeps it', async () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    sled.store.seed('a', MB);
    sled.store.seed('b', 2 * MB);
    rig.events.length = 0;
    sled.putConfig({ generation: 1, artifacts: ['a'] });
    rig.kernel.at(RECONCILE - 1, 'config 2', () => sled.putConfig({ generation: 2, artifacts: ['a', 'b'] }));
    await rig.kernel.run(60_000);
    expect(rig.events).toEqual([
      at(0, { type: 'config_stored', sled: 'sled-0', generation: 1, artifacts: 1 }),
      at(RECONCILE - 1, { type: 'config_stored', sled: 'sled-0', generation: 2, artifacts: 2 }),
    ]);
    expect(sled.store.storedHashes()).toEqual(['a', 'b']);
  });

  it('a configuration change mid-pass runs another pass', async () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    for (const h of ['a', 'b', 'c']) sled.store.seed(h, rig.size(h));
    rig.events.length = 0;
    sled.putConfig({ generation: 1, artifacts: ['a', 'b'] });
    rig.kernel.at(1_000, 'config 2', () => sled.putConfig({ generation: 2, artifacts: ['a'] }));
    await rig.kernel.run(60_000);
    // Each entry is checked against the latest configuration: on M.2 0, b was read under
    // generation 1 (kept); on M.2 1, under generation 2 (removed). The change at 1 ms runs
    // a second pass, which removes b from M.2 0.
    expect(rig.events.filter((e) => e.type === 'artifact_removed')).toEqual([
      ...removedFrom(RECONCILE, 'sled-0', 'c', MB, 'reconciler', [0]),
      ...removedFrom(2 * RECONCILE, 'sled-0', 'b', 2 * MB, 'reconciler', [1]),
      ...removedFrom(3 * RECONCILE, 'sled-0', 'c', MB, 'reconciler', [1]),
      ...removedFrom(4 * RECONCILE, 'sled-0', 'b', 2 * MB, 'reconciler', [0]),
    ]);
    expect(sled.store.storedHashes()).toEqual(['a']);
  });

  it('stops when the sled crashes and does not run at restart: the ledgered configuration counts as seen (as:127-148,516@c31dc2f3)', async () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    for (const h of ['a', 'b', 'c']) sled.store.seed(h, rig.size(h));
    rig.events.length = 0;
    sled.putConfig({ generation: 1, artifacts: ['a'] });
    rig.kernel.at(3_000, 'crash', () => sled.crash());
    rig.kernel.at(20_000, 'restart', () => sled.restart());
    await rig.kernel.run(60_000);
    expect(rig.of('artifact_removed')).toEqual([]);
    expect(sled.store.storedHashes()).toEqual(['a', 'b', 'c']);
    // The next configuration change runs a pass.
    sled.putConfig({ generation: 2, artifacts: ['a'] });
    await rig.kernel.run(60_000 + 4 * RECONCILE);
    expect(sled.store.storedHashes()).toEqual(['a']);
  });

  it('the same configuration again does not start a pass', async () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    sled.putConfig({ generation: 1, artifacts: ['a'] });
    await rig.kernel.run(10_000);
    sled.store.seed('b', 2 * MB);
    sled.putConfig({ generation: 1, artifacts: ['a'] });
    await rig.kernel.run(60_000);
    expect(sled.store.storedHashes()).toEqual(['b']);
    expect(rig.of('artifact_removed')).toEqual([]);
  });
});

describe('PUT', () => {
  it('answers once the body is written; both M.2s get a copy', async () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    const put = rig.put(sled, 'a');
    await rig.kernel.run(500_000);
    expect(put.answer).toBeUndefined();
    expect(sled.store.usage()).toEqual([MB, MB]);
    expect(new Map(sled.list().artifacts)).toEqual(new Map());
    await rig.kernel.run(5_000_000);
    expect(put.answer).toEqual(ok(1_000_000));
    expect(rig.events).toEqual(storedOn(1_000_000, 'sled-0', 'a', MB, 'put'));
    expect(new Map(sled.store.list())).toEqual(new Map([['a', 2]]));
  });

  it('answers one tick after the write ends, which is one tick after the body’s last bytes land', async () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    const seen: string[] = [];
    let land: (() => void) | undefined;
    sled.put('a', MB, undefined, { content: 'a', length: MB, read: (_, then) => (land = () => then.settle(true, undefined, undefined)) }, (ok) =>
      seen.push(`answered ${ok}`),
    );
    rig.kernel.at(10, 'the body lands', () => {
      rig.kernel.tick(() => seen.push('job queued before'));
      land?.();
      rig.kernel.tick(() => seen.push('job queued after'));
    });
    await rig.kernel.run();
    // The write goes on behind the first job; its end answers behind the second.
    expect(seen).toEqual(['job queued before', 'job queued after', 'answered true']);
  });

  it('a second write of the same hash while one is in progress: 409 at once, and its cleanup unlinks the temporary name of the first on M.2 0 (as:300-318@74a6c136)', async () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    const first = rig.put(sled, 'a');
    const second = rig.put(sled, 'a');
    await rig.kernel.run(5_000_000);
    expect(refused(second)).toEqual(refusal(0, 409));
    // The first write renames by name: nothing is at tmp/a on M.2 0 any more.
    expect(first.answer).toEqual(ok(1_000_000));
    expect(rig.events).toEqual(storedOn(1_000_000, 'sled-0', 'a', MB, 'put', [1]));
    expect(sled.store.usage()).toEqual([0, MB]);
  });

  it('current (HEAD): no conflict; both writers write their own files and each renames its own (as:650-775@b848b6df)', async () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0', { commit: 'b848b6df' });
    const first = rig.put(sled, 'a');
    const second = rig.put(sled, 'a');
    await rig.kernel.run(500_000);
    // Two full temporary copies per dataset while both run: duplicates cost quota.
    expect(sled.store.usage()).toEqual([2 * MB, 2 * MB]);
    await rig.kernel.run(5_000_000);
    expect(first.answer).toEqual(ok(2_000_000));
    expect(second.answer).toEqual(ok(2_000_000));
    expect(rig.events).toEqual([...storedOn(2_000_000, 'sled-0', 'a', MB, 'put'), ...storedOn(2_000_000, 'sled-0', 'a', MB, 'put')]);
    expect(sled.store.usage()).toEqual([MB, MB]);
    expect(sled.store.copies('a')).toBe(2);
  });

  it('no admission check: a write past the quota moves bytes up to it, then fails mid-stream (500) and leaves nothing', async () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0', { quota: 1.5 * MB });
    sled.store.seed('c', MB);
    rig.events.length = 0;
    const b = rig.put(sled, 'b');
    await rig.kernel.run(400_000);
    expect(b.answer).toBeUndefined();
    // 0.5 MB of room on each M.2 at 1 MB/s: the datasets are full after 0.5 s.
    await rig.kernel.run(5_000_000);
    expect(refused(b)).toEqual(refusal(500_000, 500));
    expect(b.answer?.message).toContain('dataset quota reached');
    expect(sled.store.usage()).toEqual([MB, MB]);
    expect(rig.events).toEqual([]);
  });

  it('a dataset without room fails only there: the write lands on the other M.2', async () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0', { quota: 2.5 * MB });
    sled.store.seed('c', MB);
    sled.store.deleteOn(1, 'c', 'delete');
    rig.events.length = 0;
    const b = rig.put(sled, 'b');
    await rig.kernel.run(1_400_000);
    expect(sled.store.usage()).toEqual([2.5 * MB, 1.5 * MB]);
    await rig.kernel.run(5_000_000);
    expect(b.answer).toEqual(ok(2_000_000));
    expect(rig.events).toEqual(storedOn(2_000_000, 'sled-0', 'b', 2 * MB, 'put', [1]));
    expect(sled.store.usage()).toEqual([MB, 2 * MB]);
  });

  it('a body that breaks off aborts the write: 500, no temporary bytes left, no event', async () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    const put = rig.put(sled, 'a');
    rig.kernel.at(400_000, 'nexus down', () => rig.network.setDown(NEXUS));
    await rig.kernel.run(5_000_000);
    expect(refused(put)).toEqual(refusal(400_000, 500));
    expect(sled.store.usage()).toEqual([0, 0]);
    expect(rig.events).toEqual([]);
    rig.network.setUp(NEXUS);
    const again = rig.put(sled, 'a');
    await rig.kernel.run(10_000_000);
    expect(again.answer).toEqual(ok(6_000_000));
  });

  it('an M.2 failing mid-write: written to the other one, OK', async () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    const put = rig.put(sled, 'a');
    rig.kernel.at(300_000, 'm2 fails', () => sled.failM2(0));
    await rig.kernel.run(5_000_000);
    expect(put.answer).toEqual(ok(1_000_000));
    expect(rig.events).toEqual(storedOn(1_000_000, 'sled-0', 'a', MB, 'put', [1]));
    expect(plain(sled.list())).toEqual({ generation: null, artifacts: new Map() });
    expect(new Map(sled.store.list())).toEqual(new Map([['a', 1]]));
  });

  it('both M.2s failing mid-write: 500', async () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    const put = rig.put(sled, 'a');
    rig.kernel.at(300_000, 'm2s fail', () => {
      sled.failM2(0);
      sled.failM2(1);
    });
    await rig.kernel.run(5_000_000);
    expect(refused(put)).toEqual(refusal(1_000_000, 500));
    expect(rig.events).toEqual([]);
    const none = rig.put(sled, 'c');
    await rig.kernel.run(5_000_000);
    expect(refused(none)).toEqual(refusal(5_000_000, 503));
  });

  it('a crash mid-write: no answer, the temporary files are gone; after restart the PUT succeeds', async () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    const put = rig.put(sled, 'a');
    rig.kernel.at(500_000, 'crash', () => sled.crash());
    await rig.kernel.run(5_000_000);
    expect(put.answer).toBeUndefined();
    expect(sled.store.usage()).toEqual([0, 0]);
    expect(rig.events).toEqual([at(500_000, { type: 'write_failed', sled: 'sled-0', hash: 'a', reason: 'lost in a restart' })]);
    sled.restart();
    const again = rig.put(sled, 'a');
    await rig.kernel.run(10_000_000);
    expect(again.answer).toEqual(ok(6_000_000));
    expect(put.answer).toBeUndefined();
  });

  describe('carries the generation (the generation engine)', () => {
    const cases: { name: string; hash: string; generation: number | undefined; status: number | 'ok' }[] = [
      { name: 'matching, in the configuration', hash: 'a', generation: 2, status: 'ok' },
      { name: 'older than the sled', hash: 'a', generation: 1, status: 409 },
      { name: 'newer than the sled', hash: 'a', generation: 3, status: 409 },
      { name: 'matching, artifact not in the configuration (NotInConfig)', hash: 'c', generation: 2, status: 400 },
      { name: 'no generation (earlier engines): not checked', hash: 'c', generation: undefined, status: 'ok' },
    ];
    it.each(cases)('$name → $status', async ({ hash, generation, status }) => {
      const rig = new Rig();
      const sled = rig.sled('sled-0');
      sled.putConfig({ generation: 2, artifacts: ['a', 'b'] });
      const put = rig.put(sled, hash, generation);
      await rig.kernel.run(5_000_000);
      if (status === 'ok') expect(put.answer).toEqual(ok(1_000_000));
      else expect(refused(put)).toEqual(refusal(0, status));
      expect(rig.of('artifact_stored')).toHaveLength(status === 'ok' ? 2 : 0);
    });

    it('a sled with no configuration yet refuses a generation: 400 NoConfig (as:884-888@c31dc2f3)', async () => {
      const rig = new Rig();
      const sled = rig.sled('sled-0');
      const put = rig.put(sled, 'a', 1);
      await rig.kernel.run(5_000_000);
      expect(refused(put)).toEqual(refusal(0, 400));
    });

    it('a refused generation has no side effect on a write in progress (the checks come before any temporary file)', async () => {
      const rig = new Rig();
      const sled = rig.sled('sled-0');
      sled.putConfig({ generation: 2, artifacts: ['a'] });
      const first = rig.put(sled, 'a', 2);
      const stale = rig.put(sled, 'a', 1);
      await rig.kernel.run(5_000_000);
      expect(refused(stale)).toEqual(refusal(0, 409));
      expect(first.answer).toEqual(ok(1_000_000));
      expect(rig.of('artifact_stored')).toEqual(storedOn(1_000_000, 'sled-0', 'a', MB, 'put'));
    });

    it('a sled without configurations ignores the generation', async () => {
      const rig = new Rig();
      const sled = rig.sled('sled-0', { commit: '74a6c136' });
      const put = rig.put(sled, 'a', 9);
      await rig.kernel.run(5_000_000);
      expect(put.answer).toEqual(ok(1_000_000));
    });
  });
});

describe('copy-from-depot', () => {
  function twoSleds(options: Partial<SledOptions> = {}) {
    const rig = new Rig();
    const target = rig.sled('sled-0', { commit: '74a6c136', ...options });
    const source = rig.sled('sled-1', { commit: '74a6c136', ...options });
    source.store.seed('a', MB);
    rig.events.length = 0;
    return { rig, target, source };
  }

  it('answers OK after the depot round trip, then copies the body in the background', async () => {
    const { rig, target } = twoSleds();
    const copy = rig.copy(target, 'a', 'sled-1');
    await rig.kernel.run(DEPOT_ROUND_TRIP - 1);
    expect(copy.answer).toBeUndefined();
    await rig.kernel.run(DEPOT_ROUND_TRIP);
    expect(copy.answer).toEqual(ok(DEPOT_ROUND_TRIP));
    expect(target.store.copies('a')).toBe(0);
    expect(target.store.usage()).toEqual([MB, MB]);
    await rig.kernel.run(5_000_000);
    expect(rig.events).toEqual(storedOn(DEPOT_ROUND_TRIP + 1_000_000, 'sled-0', 'a', MB, 'copy'));
    expect(plain(target.list())).toEqual({ generation: null, artifacts: new Map([['a', 2]]) });
  });

  it("names the body's transfer `copy <hash>` (a stall report's wait), for every chunk of every copy", async () => {
    const { rig, target } = twoSleds();
    const third = rig.sled('sled-2', { commit: '74a6c136' });
    const labels: string[] = [];
    const transfer = rig.network.transfer.bind(rig.network);
    rig.network.transfer = (from, to, bytes, scope, label, then, connection) => {
      labels.push(`${from}->${to} ${label}`);
      transfer(from, to, bytes, scope, label, then, connection);
    };
    rig.copy(target, 'a', 'sled-1');
    rig.copy(third, 'a', 'sled-1');
    await rig.kernel.run(5_000_000);
    expect(new Set(labels)).toEqual(new Set(['sled-1->sled-0 copy a', 'sled-1->sled-2 copy a']));
    expect(target.store.copies('a')).toBe(2);
    expect(third.store.copies('a')).toBe(2);
  });

  it('a source without the artifact: 500 DepotCopy back to the caller, nothing written (as:694-698@74a6c136)', async () => {
    const { rig, target } = twoSleds();
    const copy = rig.copy(target, 'c', 'sled-1');
    await rig.kernel.run(5_000_000);
    expect(refused(copy)).toEqual(refusal(DEPOT_ROUND_TRIP, 500));
    expect(target.store.usage()).toEqual([0, 0]);
    expect(rig.events).toEqual([]);
    // The aborted write no longer blocks a new one.
    const put = rig.put(target, 'c');
    await rig.kernel.run(10_000_000);
    expect(put.answer).toEqual(ok(6_000_000));
  });

  it('a source that is down: the depot client gives up after its 15 s connect timeout, 500 (as:75-79@74a6c136)', async () => {
    const { rig, target, source } = twoSleds();
    source.crash();
    const copy = rig.copy(target, 'a', 'sled-1');
    await rig.kernel.run(20_000_000);
    expect(refused(copy)).toEqual(refusal(DEPOT_TIMEOUT, 500));
    expect(copy.answer?.message).toBe('Error fetching artifact a from depot at sled-1: depot sled-1 get: no answer within 15000 ms');
    expect(target.store.usage()).toEqual([0, 0]);
    expect(rig.events).toEqual([]);
  });

  it('a source that crashes mid-transfer: the caller got OK, the sled only records write_failed', async () => {
    const { rig, target, source } = twoSleds();
    const copy = rig.copy(target, 'a', 'sled-1');
    rig.kernel.at(500_000, 'source crash', () => source.crash());
    await rig.kernel.run(5_000_000);
    expect(copy.answer).toEqual(ok(DEPOT_ROUND_TRIP));
    expect(rig.events).toEqual([
      at(500_000, { type: 'write_failed', sled: 'sled-0', hash: 'a', reason: 'transfer sled-1->sled-0 broke off: sled-1 is down' }),
    ]);
    expect(target.store.copies('a')).toBe(0);
    expect(target.store.usage()).toEqual([0, 0]);
    // The source's disks persist.
    expect(source.store.copies('a')).toBe(2);
  });

  it('a target that crashes mid-transfer: the write is lost, seen only on the sled', async () => {
    const { rig, target } = twoSleds();
    const copy = rig.copy(target, 'a', 'sled-1');
    rig.kernel.at(500_000, 'target crash', () => target.crash());
    rig.kernel.at(700_000, 'target restart', () => target.restart());
    await rig.kernel.run(5_000_000);
    expect(copy.answer).toEqual(ok(DEPOT_ROUND_TRIP));
    expect(rig.events).toEqual([at(500_000, { type: 'write_failed', sled: target.node, hash: 'a', reason: 'lost in a restart' })]);
    expect(target.store.usage()).toEqual([0, 0]);
  });

  it('a target that crashes while asking the source: no answer ever, the write is lost', async () => {
    const { rig, target } = twoSleds();
    const copy = rig.copy(target, 'a', 'sled-1');
    rig.kernel.at(LATENCY + 500, 'target crash', () => target.crash());
    await rig.kernel.run(5_000_000);
    expect(copy.answer).toBeUndefined();
    expect(rig.events).toEqual([at(LATENCY + 500, { type: 'write_failed', sled: target.node, hash: 'a', reason: 'lost in a restart' })]);
    expect(target.store.usage()).toEqual([0, 0]);
  });

  it('a write of the hash in progress on the target: 409 before asking the source, unlinking the name the PUT uses on M.2 0', async () => {
    const { rig, target } = twoSleds();
    const put = rig.put(target, 'a');
    const copy = rig.copy(target, 'a', 'sled-1');
    await rig.kernel.run(5_000_000);
    expect(refused(copy)).toEqual(refusal(0, 409));
    expect(put.answer).toEqual(ok(1_000_000));
    expect(rig.events).toEqual(storedOn(1_000_000, 'sled-0', 'a', MB, 'put', [1]));
  });

  it('a copy in flight blocks a PUT of the hash until it completes', async () => {
    const { rig, target } = twoSleds();
    rig.copy(target, 'a', 'sled-1');
    await rig.kernel.run(500_000);
    const blocked = rig.put(target, 'a');
    await rig.kernel.run(500_000);
    expect(refused(blocked)).toEqual(refusal(500_000, 409));
    await rig.kernel.run(2_000_000);
    const put = rig.put(target, 'a');
    await rig.kernel.run(5_000_000);
    expect(put.answer).toEqual(ok(3_000_000));
  });

  it('a target without room: 202 all the same, the quota stops the body on the sled, only logged (as:374-393@74a6c136)', async () => {
    const rig = new Rig();
    const target = rig.sled('sled-0', { commit: '74a6c136', quota: MB / 2 });
    rig.sled('sled-1', { commit: '74a6c136' }).store.seed('a', MB);
    rig.events.length = 0;
    const copy = rig.copy(target, 'a', 'sled-1');
    await rig.kernel.run(5_000_000);
    expect(copy.answer).toEqual(ok(DEPOT_ROUND_TRIP));
    expect(rig.events).toEqual([
      at(DEPOT_ROUND_TRIP + 500_000, { type: 'write_failed', sled: 'sled-0', hash: 'a', reason: 'Failed to write a to any dataset: dataset quota reached' }),
    ]);
    expect(target.store.usage()).toEqual([0, 0]);
  });

  it('every target M.2 failing mid-transfer: write_failed', async () => {
    const { rig, target } = twoSleds();
    const copy = rig.copy(target, 'a', 'sled-1');
    rig.kernel.at(500_000, 'm2s fail', () => {
      target.failM2(0);
      target.failM2(1);
    });
    await rig.kernel.run(5_000_000);
    expect(copy.answer).toEqual(ok(DEPOT_ROUND_TRIP));
    expect(rig.events).toEqual([at(1_002_000, { type: 'write_failed', sled: 'sled-0', hash: 'a', reason: 'Failed to rename the temporary files of a into place' })]);
  });

  it('DELETE while a copy is in flight: the artifact is back once the copy completes (ENGINE.md §2, §4)', async () => {
    const { rig, target } = twoSleds();
    target.store.seed('a', MB);
    rig.events.length = 0;
    // A recopy: the target already holds the artifact.
    const copy = rig.copy(target, 'a', 'sled-1');
    rig.kernel.at(300_000, 'delete', () => target.delete('a'));
    await rig.kernel.run(300_000);
    expect(new Map(target.list().artifacts)).toEqual(new Map());
    await rig.kernel.run(5_000_000);
    expect(copy.answer).toEqual(ok(DEPOT_ROUND_TRIP));
    expect(rig.events).toEqual([
      ...removedFrom(300_000, 'sled-0', 'a', MB, 'delete'),
      ...storedOn(1_002_000, 'sled-0', 'a', MB, 'copy'),
    ]);
    expect(new Map(target.list().artifacts)).toEqual(new Map([['a', 2]]));
    expect(target.store.usage()).toEqual([MB, MB]);
  });

  describe('carries the generation', () => {
    function configured() {
      const rig = new Rig();
      const target = rig.sled('sled-0');
      const source = rig.sled('sled-1');
      source.store.seed('a', MB);
      source.store.seed('c', MB);
      for (const s of [target, source]) s.putConfig({ generation: 4, artifacts: ['a', 'c'] });
      target.putConfig({ generation: 5, artifacts: ['a'] });
      rig.events.length = 0;
      return { rig, target };
    }
    const cases: { name: string; hash: string; generation: number; answer: Answer | ReturnType<typeof refusal> }[] = [
      { name: 'matching', hash: 'a', generation: 5, answer: ok(DEPOT_ROUND_TRIP) },
      { name: 'older than the target', hash: 'a', generation: 4, answer: refusal(0, 409) },
      { name: 'artifact not in the target configuration', hash: 'c', generation: 5, answer: refusal(0, 400) },
    ];
    it.each(cases)('$name', async ({ hash, generation, answer }) => {
      const { rig, target } = configured();
      const copy = rig.copy(target, hash, 'sled-1', generation);
      await rig.kernel.run(5_000_000);
      expect(answer.status === 'ok' ? copy.answer : refused(copy)).toEqual(answer);
      expect(rig.of('artifact_stored')).toHaveLength(answer.status === 'ok' ? 2 : 0);
      expect(target.store.usage()).toEqual(answer.status === 'ok' ? [MB, MB] : [0, 0]);
    });
  });
});

describe('DELETE', () => {
  it('removes every copy; absent is not an error', () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0', { commit: '74a6c136' });
    sled.store.seed('a', MB);
    rig.events.length = 0;
    sled.delete('a');
    sled.delete('a');
    sled.delete('zz');
    expect(rig.events).toEqual(removedFrom(0, 'sled-0', 'a', MB, 'delete'));
    expect(new Map(sled.list().artifacts)).toEqual(new Map());
  });
});

describe('crash, restart, expunge, M.2 failure', () => {
  it('a crash makes the sled unreachable; disks and configuration persist; restart brings it back', async () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    sled.store.seed('a', MB);
    sled.putConfig({ generation: 3, artifacts: ['a'] });
    const scope = sled.scope();
    sled.crash();
    expect(sled.isUp).toBe(false);
    expect(sled.scope()).toBeUndefined();
    expect(scope?.isClosed).toBe(true);
    expect(rig.network.isUp('sled-0')).toBe(false);
    sled.crash();
    sled.restart();
    expect(sled.isUp).toBe(true);
    expect(rig.network.isUp('sled-0')).toBe(true);
    expect(sled.scope()?.isClosed).toBe(false);
    expect(sled.configGeneration).toBe(3);
    expect(plain(sled.list())).toEqual({ generation: 3, artifacts: new Map([['a', 2]]) });
    await rig.kernel.run(60_000);
    expect(rig.of('artifact_removed')).toEqual([]);
  });

  it('an expunged sled never restarts', () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0');
    sled.expunge();
    sled.restart();
    expect(sled.isUp).toBe(false);
    expect(sled.isExpunged).toBe(true);
    expect(sled.scope()).toBeUndefined();
    expect(rig.network.isUp('sled-0')).toBe(false);
  });

  it('an expunged source cannot serve a copy: 500 after the depot timeout', async () => {
    const rig = new Rig();
    const target = rig.sled('sled-0', { commit: '74a6c136' });
    const source = rig.sled('sled-1', { commit: '74a6c136' });
    source.store.seed('a', MB);
    source.expunge();
    const copy = rig.copy(target, 'a', 'sled-1');
    await rig.kernel.run(20_000_000);
    expect(refused(copy)).toEqual(refusal(DEPOT_TIMEOUT, 500));
  });

  it('a failed M.2: its copies are reported removed, the sled lists one copy and writes to the other', async () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0', { commit: '74a6c136' });
    sled.store.seed('a', MB);
    rig.events.length = 0;
    sled.failM2(0);
    expect(rig.events).toEqual(removedFrom(0, 'sled-0', 'a', MB, 'm2_failure', [0]));
    expect(new Map(sled.list().artifacts)).toEqual(new Map([['a', 1]]));
    const put = rig.put(sled, 'c');
    await rig.kernel.run(5_000_000);
    expect(put.answer).toEqual(ok(1_000_000));
    expect(new Map(sled.list().artifacts)).toEqual(new Map([['a', 1], ['c', 1]]));
    expect(rig.of('artifact_stored')).toEqual(storedOn(1_000_000, 'sled-0', 'c', MB, 'put', [1]));
  });
});

describe('the write path per commit: omicron#7796 (behaviour-by-commit.md §8)', () => {
  /** A 10 MB artifact on two sources; copies of it to sled-0 as A, B, C and D. */
  function race(commit: SledOptions['commit']) {
    const rig = new Rig();
    rig.sizes.set('big', 10 * MB);
    const target = rig.sled('sled-0', { commit, quota: 50 * MB });
    const sourceA = rig.sled('sled-1', { commit });
    const sourceD = rig.sled('sled-2', { commit });
    sourceA.store.seed('big', 10 * MB);
    sourceD.store.seed('big', 10 * MB);
    rig.events.length = 0;
    const a = rig.copy(target, 'big', 'sled-1');
    const later: Record<string, Watched> = {};
    rig.kernel.at(1_000_000, 'B', () => (later.b = rig.copy(target, 'big', 'sled-1')));
    rig.kernel.at(2_000_000, 'C', () => (later.c = rig.copy(target, 'big', 'sled-1')));
    rig.kernel.at(3_000_000, 'D', () => (later.d = rig.copy(target, 'big', 'sled-2')));
    return { rig, target, sourceD, a, later };
  }

  it('merged: B and C are refused (409) and unlink A’s names; D is accepted; A renames D’s partial files; D’s source dies: the short files stay', async () => {
    const { rig, target, sourceD, a, later } = race('74a6c136');
    // A alone at 1 MB/s for 3 s, then A and D share sled-0's link: A's last 7 MB end at 17 s.
    rig.kernel.at(18_000_000, 'D source dies', () => sourceD.crash());
    await rig.kernel.run(60_000_000);
    expect(a.answer).toEqual(ok(DEPOT_ROUND_TRIP));
    expect(refused(later.b ?? { answer: undefined })).toEqual(refusal(1_000_000, 409));
    expect(refused(later.c ?? { answer: undefined })).toEqual(refusal(2_000_000, 409));
    expect(later.d?.answer).toEqual(ok(3_000_000 + DEPOT_ROUND_TRIP));
    const stored = rig.of('artifact_stored');
    expect(stored.map((e) => [e.m2, e.via])).toEqual([[0, 'copy'], [1, 'copy']]);
    const short = rig.of('artifact_truncated');
    expect(short.map((e) => [e.t, e.m2, e.size])).toEqual([[18_000_000, 0, 10 * MB], [18_000_000, 1, 10 * MB]]);
    // D (from 3.002 s) moved 7 MB beside A, then 0.998 MB alone before its source died.
    for (const e of short) expect(e.bytes).toBe(7_998_000);
    // The sled lists two copies; neither is one.
    expect(new Map(target.list().artifacts)).toEqual(new Map([['big', 2]]));
    expect(target.store.copies('big')).toBe(0);
    expect(contents(target.store.serve('big'))).toEqual({ content: 'big', bytes: 7_998_000 });
  });

  it('merged: when D finishes instead, the renamed files fill up and D’s own renames fail (500, logged)', async () => {
    const { rig, target } = race('74a6c136');
    await rig.kernel.run(60_000_000);
    expect(rig.of('artifact_truncated')).toEqual([]);
    expect(target.store.copies('big')).toBe(2);
    expect(rig.of('write_failed').map((e) => e.reason)).toEqual(['Failed to rename the temporary files of big into place']);
  });

  it('generation (c31dc2f3) has the same write path', async () => {
    const { rig, target, sourceD } = race('c31dc2f3');
    // Configurations come before the copies would pass their checks; copies here carry none.
    rig.kernel.at(18_000_000, 'D source dies', () => sourceD.crash());
    await rig.kernel.run(60_000_000);
    expect(rig.of('artifact_truncated')).toHaveLength(2);
    expect(target.store.copies('big')).toBe(0);
  });

  it('current (HEAD): every copy is accepted, each renames only its own verified file; nothing short is ever stored', async () => {
    const { rig, target, sourceD, a, later } = race('b848b6df');
    rig.kernel.at(18_000_000, 'D source dies', () => sourceD.crash());
    await rig.kernel.run(3_500_000);
    // Four writers, each with its own file per dataset: duplicates cost quota.
    expect(target.store.usage()).toEqual([40 * MB, 40 * MB]);
    await rig.kernel.run(120_000_000);
    for (const w of [a, later.b, later.c, later.d]) expect(w?.answer?.status).toBe('ok');
    expect(rig.of('artifact_truncated')).toEqual([]);
    expect(target.store.copies('big')).toBe(2);
    // D failed (its source died); A, B and C each renamed their own complete files.
    expect(rig.of('artifact_stored')).toHaveLength(6);
    expect(rig.of('write_failed')).toHaveLength(1);
    expect(target.store.usage()).toEqual([10 * MB, 10 * MB]);
  });

  it('merged: if A fails after D was accepted, A’s cleanup unlinks D’s names and D’s complete write is lost', async () => {
    const rig = new Rig();
    rig.sizes.set('big', 10 * MB);
    const target = rig.sled('sled-0', { commit: '74a6c136' });
    const sourceA = rig.sled('sled-1', { commit: '74a6c136' });
    rig.sled('sled-2', { commit: '74a6c136' }).store.seed('big', 10 * MB);
    sourceA.store.seed('big', 10 * MB);
    rig.events.length = 0;
    rig.copy(target, 'big', 'sled-1');
    rig.kernel.at(1_000_000, 'B', () => rig.copy(target, 'big', 'sled-1'));
    rig.kernel.at(2_000_000, 'C', () => rig.copy(target, 'big', 'sled-1'));
    rig.kernel.at(3_000_000, 'D', () => rig.copy(target, 'big', 'sled-2'));
    rig.kernel.at(4_000_000, 'A source dies', () => sourceA.crash());
    await rig.kernel.run(60_000_000);
    expect(rig.of('artifact_stored')).toEqual([]);
    expect(rig.of('write_failed').map((e) => e.reason)).toEqual([
      'transfer sled-1->sled-0 broke off: sled-1 is down',
      'Failed to rename the temporary files of big into place',
    ]);
    expect(target.store.usage()).toEqual([0, 0]);
  });

  it('a copy from a source holding a short file fails the target’s own hash check: nothing stored, only logged', async () => {
    const { rig, sourceD } = race('74a6c136');
    rig.kernel.at(18_000_000, 'D source dies', () => sourceD.crash());
    await rig.kernel.run(60_000_000);
    const y = rig.sled('sled-3', { commit: '74a6c136' });
    rig.events.length = 0;
    const copy = rig.copy(y, 'big', 'sled-0');
    await rig.kernel.run(120_000_000);
    expect(copy.answer?.status).toBe('ok');
    expect(rig.of('artifact_stored')).toEqual([]);
    expect(rig.of('write_failed').map((e) => e.reason)).toEqual(['Digest mismatch: expected big, got 7998000 of 10000000 bytes']);
    expect(y.store.usage()).toEqual([0, 0]);
  });

  it('a sled that dies while its final file is still being filled keeps the short file after restart', async () => {
    const { rig, target } = race('74a6c136');
    rig.kernel.at(18_000_000, 'target dies', () => target.crash());
    rig.kernel.at(19_000_000, 'target restarts', () => target.restart());
    await rig.kernel.run(60_000_000);
    expect(rig.of('artifact_truncated').map((e) => [e.t, e.m2])).toEqual([[18_000_000, 0], [18_000_000, 1]]);
    expect(new Map(target.list().artifacts)).toEqual(new Map([['big', 2]]));
    expect(target.store.copies('big')).toBe(0);
  });
});

describe('the depot client per commit (behaviour-by-commit.md §5)', () => {
  function slowSource(commit: SledOptions['commit']) {
    const rig = new Rig();
    const target = rig.sled('sled-0', { commit });
    const source = rig.sled('sled-1', { commit });
    source.store.seed('a', MB);
    rig.network.slow('sled-1', 30_000_000);
    return { rig, copy: rig.copy(target, 'a', 'sled-1') };
  }

  it('merged: a source that answers after 30 s is given up after the 15 s read timeout: 500', async () => {
    const { rig, copy } = slowSource('74a6c136');
    await rig.kernel.run(120_000_000);
    expect(refused(copy)).toEqual(refusal(DEPOT_TIMEOUT, 500));
  });

  it('current (HEAD): no read timeout; the slow source is waited for, then 202 (as:160-163@b848b6df)', async () => {
    const { rig, copy } = slowSource('b848b6df');
    await rig.kernel.run(120_000_000);
    expect(copy.answer).toEqual(ok(60_000_000 + DEPOT_ROUND_TRIP));
  });

  it('current (HEAD): an unreachable source still fails after the 15 s connect timeout', async () => {
    const rig = new Rig();
    const target = rig.sled('sled-0', { commit: 'b848b6df' });
    rig.sled('sled-1', { commit: 'b848b6df' }).crash();
    const copy = rig.copy(target, 'a', 'sled-1');
    await rig.kernel.run(120_000_000);
    expect(refused(copy)).toEqual(refusal(DEPOT_TIMEOUT, 500));
  });
});

describe('the Nexus client’s 60 s total timeout on a PUT (nexus/networking/src/sled_client.rs:46-50@74a6c136)', () => {
  it('a body still streaming when the client gives up is cut: the sled drops the write, nothing is stored', async () => {
    const rig = new Rig();
    rig.sizes.set('big', 30 * MB);
    const sled = rig.sled('sled-0', { commit: '74a6c136' });
    const nexusScope = new WaitScope(rig.kernel, NEXUS);
    const clients = sledAgentClients(
      {
        kernel: rig.kernel,
        network: rig.network,
        emit: (e) => rig.events.push({ ...e, t: rig.kernel.now }),
        sled: (s) => rig.sleds.get(s),
        sizeOf: (h) => rig.size(h),
        catalog: rig.catalog,
        timeout: TIMEOUT,
        nextRequestId: () => 1,
      },
      { node: NEXUS, activation: 1, scope: () => nexusScope },
    );
    const put = rig.watch(clients('sled-0').put({ hash: 'big', size: 30 * MB }));
    await rig.kernel.run(120_000_000);
    expect(refused(put)).toEqual(refusal(TIMEOUT, null));
    expect(rig.of('request_done').map((e) => [e.t, e.outcome])).toEqual([[TIMEOUT, 'timeout']]);
    expect(rig.of('artifact_stored')).toEqual([]);
    expect(sled.store.usage()).toEqual([0, 0]);
    // Nothing holds the name either: the next PUT is not refused.
    rig.sizes.set('big', MB);
    const again = rig.put(sled, 'big');
    await rig.kernel.run(130_000_000);
    expect(again.answer).toEqual(ok(121_000_000));
  });
});

describe('DELETE at 74a6c136', () => {
  it('no update dataset: 503 (as:400-434@74a6c136)', () => {
    const rig = new Rig();
    const sled = rig.sled('sled-0', { commit: '74a6c136' });
    sled.failM2(0);
    sled.failM2(1);
    expect(thrown(() => sled.delete('a'))?.status).toBe(503);
  });
});

describe('each generation runs the sled agent of its commit', () => {
  it('review and merged: 74a6c136; generation: c31dc2f3; current: HEAD', () => {
    expect(ENGINE_GENERATIONS.map((g) => sledAgentCommit(g))).toEqual(['74a6c136', '74a6c136', 'c31dc2f3', 'b848b6df']);
  });

  it('update dataset quota: 20 GiB per M.2 until HEAD, 40 GiB at HEAD (sled-storage/src/dataset.rs:53@b848b6df); a scenario’s own value wins', () => {
    const text = (generation: string, quota = '') => `name: q\nrack: { sleds: 2${quota} }\nengine: { generation: ${generation} }\n`;
    const quotaOf = (yaml: string) => compiledConfig(loadScenario('q.yaml', yaml), { seed: 1 }).artifactQuota;
    expect(['review', 'merged', 'generation', 'current'].map((g) => quotaOf(text(g)))).toEqual([20, 20, 20, 40].map((n) => n * 2 ** 30));
    expect(quotaOf(text('current', ', artifact_quota: 5GiB'))).toBe(5 * 2 ** 30);
  });
});
