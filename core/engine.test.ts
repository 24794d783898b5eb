import { describe, expect, it } from 'vitest';
import { ReplicationEngine } from './engine.ts';
import { engineParams, type EngineParams } from './params.ts';
import type { SledAgentClients } from './ports.ts';
import { seededRng } from './random.ts';
import { RequestRing } from './request-log.ts';
import { REQUEST_RING_BUFFER_LEN, TaskPanic, type ActivationStatus, type Operation, type RequestRecord } from './status.ts';
import { FakeRack, fakeRepo, hash, type FakeCall, type FakeOp } from './testing/fake-rack.ts';
import type { ArtifactHash, EngineGeneration, PlantedBug, SledId } from './types.ts';
import { UploadChannel } from './upload-channel.ts';

interface EngineOptions {
  readonly params?: Partial<EngineParams>;
  readonly seed?: string;
  /** Defaults to the rack's own clients; tests wrap them to interpose on a call. */
  readonly sledAgents?: SledAgentClients;
  /** No log port at all (as in the simulated world). */
  readonly withoutLog?: boolean;
}

function engineOn(rack: FakeRack, generation: EngineGeneration, options: EngineOptions = {}) {
  const uploads = new UploadChannel();
  const engine = new ReplicationEngine(
    {
      datastore: rack.datastore,
      sledAgents: options.sledAgents ?? rack.sledAgents,
      clock: rack.clock,
      rng: seededRng(options.seed ?? 't'),
      log: options.withoutLog === true ? undefined : rack.log,
    },
    engineParams({ generation, ...options.params }),
    uploads,
  );
  return { engine, uploads };
}

const bugs = (...names: PlantedBug[]): Partial<EngineParams> => ({ bugs: new Set(names) });
const hashRange = (from: number, count: number): ArtifactHash[] => Array.from({ length: count }, (_, i) => hash(from + i));
const REQUEST_OPS: ReadonlySet<FakeOp> = new Set(['put', 'copy', 'delete']);

/** One activation, with the calls it made and the log lines it wrote. */
async function activate(rack: FakeRack, engine: ReplicationEngine) {
  const firstCall = rack.calls.length;
  const firstLine = rack.logLines.length;
  const status = await rack.run(engine.activate());
  const calls = rack.calls.slice(firstCall);
  return { status, calls, requests: calls.filter((c) => REQUEST_OPS.has(c.op)), lines: rack.logLines.slice(firstLine) };
}

const ofOp = (calls: readonly FakeCall[], op: FakeOp): FakeCall[] => calls.filter((c) => c.op === op);
const sledCalls = (calls: readonly FakeCall[]): FakeCall[] => calls.filter((c) => c.sled !== null);
const endOf = (call: FakeCall): number => {
  if (call.end === null) throw new Error(`call ${call.op} on ${String(call.sled)} never ended`);
  return call.end;
};

/** Most requests in flight at once: intervals [start, end), an end at t before a start at t. */
function peakInFlight(calls: readonly FakeCall[]): number {
  const events = calls.flatMap((c): [number, number][] => [[c.start, 1], [endOf(c), -1]]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, delta] of events) {
    now += delta;
    peak = Math.max(peak, now);
  }
  return peak;
}

/** The ring-buffer record the engine should keep for a sled call (`putConfig` needs its generation). */
function recordOf(call: FakeCall, configGeneration = -1): RequestRecord {
  if (call.sled === null) throw new Error('not a sled call');
  const h = call.hash ?? '';
  const operation: Operation =
    call.op === 'list'
      ? { kind: 'list' }
      : call.op === 'putConfig'
        ? { kind: 'config', generation: configGeneration }
        : call.op === 'copy'
          ? { kind: 'copy', hash: h, source: call.source ?? '' }
          : call.op === 'put'
            ? { kind: 'put', hash: h }
            : { kind: 'delete', hash: h };
  return { time: endOf(call), target: call.sled, operation, error: call.error };
}

/** Sled calls in the order their answers arrived (the fake fires equal times in call order). */
const byAnswer = (calls: readonly FakeCall[]): FakeCall[] => [...calls].sort((a, b) => endOf(a) - endOf(b));

const sledIndex = (sled: SledId | null): number => (sled === null ? 0 : Number(sled.slice('sled-'.length)));

const holdings = (rack: FakeRack): Record<SledId, Record<ArtifactHash, number>> =>
  Object.fromEntries([...rack.sleds].map(([id, sled]) => [id, Object.fromEntries(sled.artifacts)]));

const counts = (status: ActivationStatus) => status.lastRun;

describe('omicron integration expectation (merged, 4 sleds, min 3)', () => {
  it('replicates a repo of N artifacts, then releases it, and a re-upload changes nothing', async () => {
    const rack = new FakeRack(4);
    const { engine, uploads } = engineOn(rack, 'merged');
    const n = 5;
    const hashes = Array.from({ length: n }, (_, i) => hash(i + 1));
    rack.db.artifacts = hashes;
    const repo = fakeRepo('v1', hashes);
    uploads.send(repo);

    const first = await rack.run(engine.activate());
    expect(first.error).toBeNull();
    expect(first.lastRun.list).toEqual({ ok: 4, error: 0 });
    expect(first.lastRun.put).toEqual({ ok: 3 * n, error: 0 });
    expect(first.lastRun.copy).toEqual({ ok: n, error: 0 });
    expect(first.lastRun.delete).toEqual({ ok: 0, error: 0 });
    expect(first.localRepos).toBe(1);
    expect(repo.released).toBe(false);

    const second = await rack.run(engine.activate());
    expect(second.lastRun.list).toEqual({ ok: 4, error: 0 });
    expect(second.lastRun.put.ok + second.lastRun.copy.ok + second.lastRun.delete.ok).toBe(0);
    expect(second.localRepos).toBe(0);
    expect(repo.released).toBe(true);
  });
});

describe('error paths', () => {
  const generations: EngineGeneration[] = ['review', 'merged', 'generation'];

  it.each(generations)('%s: a failed sled list from the datastore ends the activation and keeps local repos', async (generation) => {
    const rack = new FakeRack(4);
    const { engine, uploads } = engineOn(rack, generation);
    rack.db.artifacts = [hash(1), hash(2)];
    const repo = fakeRepo('v1', rack.db.artifacts);
    uploads.send(repo);
    rack.db.failing.add('listSleds');

    const { status, calls } = await activate(rack, engine);
    expect(status.error).toBe('failed to list sleds: database unavailable');
    expect(sledCalls(calls)).toEqual([]);
    expect(status.localRepos).toBe(1);
    expect(engine.localRepos).toEqual([repo]);
    expect(repo.released).toBe(false);
    expect(Object.values(status.lastRun).every((c) => c.ok === 0 && c.error === 0)).toBe(true);
    expect(status.requestLog).toEqual([]);

    // The kept repo is still usable once the datastore is back.
    rack.db.failing.delete('listSleds');
    const next = await activate(rack, engine);
    expect(next.status.error).toBeNull();
    expect(counts(next.status).put).toEqual({ ok: generation === 'review' ? 2 : 6, error: 0 });
  });

  it.each(generations)('%s: a failed wanted-artifact read ends the activation before any sled call', async (generation) => {
    const rack = new FakeRack(4);
    const { engine, uploads } = engineOn(rack, generation);
    rack.db.artifacts = [hash(1)];
    for (const sled of rack.sleds.values()) sled.hold(hash(1)).hold(hash(9));
    const repo = fakeRepo('v1', [hash(2)]);
    uploads.send(repo);
    rack.db.failing.add('readArtifactConfig');

    const { status, calls } = await activate(rack, engine);
    expect(status.error).toBe('failed to list artifacts from database: database unavailable');
    expect(ofOp(calls, 'readArtifactConfig')).toHaveLength(1);
    expect(sledCalls(calls)).toEqual([]);
    expect(status.localRepos).toBe(1);
    expect(repo.released).toBe(false);
    expect(rack.sled('sled-0').artifacts.get(hash(9))).toBe(2);
  });

  it('merged: a sled whose list fails is treated as holding nothing and gets copies', async () => {
    const rack = new FakeRack(4);
    const { engine } = engineOn(rack, 'merged');
    rack.db.artifacts = [hash(1), hash(2)];
    // Every sled really holds both artifacts, but sled-2 cannot say so.
    for (const sled of rack.sleds.values()) sled.hold(hash(1)).hold(hash(2));
    rack.sled('sled-2').failing.add('list');

    const { status, requests } = await activate(rack, engine);
    expect(status.error).toBeNull();
    expect(status.lastRun.list).toEqual({ ok: 3, error: 1 });
    expect(requests.map((c) => [c.op, c.sled, c.hash])).toEqual(
      expect.arrayContaining([
        ['copy', 'sled-2', hash(1)],
        ['copy', 'sled-2', hash(2)],
      ]),
    );
    expect(requests).toHaveLength(2);
    expect(status.lastRun.copy).toEqual({ ok: 2, error: 0 });
    const listError = status.requestLog.filter((r) => r.operation.kind === 'list' && r.error !== null);
    expect(listError).toEqual([{ time: expect.any(Number), target: 'sled-2', operation: { kind: 'list' }, error: 'sled sled-2 unreachable' }]);
  });

  it('merged: a sled whose list fails receives PUTs of local artifacts', async () => {
    const rack = new FakeRack(3);
    const { engine, uploads } = engineOn(rack, 'merged');
    rack.db.artifacts = [hash(1)];
    uploads.send(fakeRepo('v1', [hash(1)]));
    rack.sled('sled-1').failing.add('list');

    const { status, requests } = await activate(rack, engine);
    expect(status.error).toBeNull();
    expect(status.lastRun.list).toEqual({ ok: 2, error: 1 });
    expect(requests.map((c) => `${c.op} ${String(c.sled)}`).sort()).toEqual(['put sled-0', 'put sled-1', 'put sled-2']);
  });

  it('review: a sled whose list fails is treated as holding nothing', async () => {
    const rack = new FakeRack(2);
    const { engine } = engineOn(rack, 'review');
    rack.db.artifacts = [hash(1)];
    rack.sled('sled-0').hold(hash(1));
    rack.sled('sled-1').hold(hash(1)).failing.add('list');

    const { status, requests } = await activate(rack, engine);
    expect(status.error).toBeNull();
    expect(status.lastRun.list).toEqual({ ok: 1, error: 1 });
    expect(requests.map((c) => [c.op, c.sled, c.source, c.hash])).toEqual([['copy', 'sled-1', 'sled-0', hash(1)]]);
    expect(status.requestLog.some((r) => r.target === 'sled-1' && r.operation.kind === 'list' && r.error !== null)).toBe(true);
  });

  it('review: when every list fails the activation stops and sends nothing', async () => {
    const rack = new FakeRack(4);
    const { engine, uploads } = engineOn(rack, 'review');
    rack.db.artifacts = [hash(1), hash(2)];
    const repo = fakeRepo('v1', rack.db.artifacts);
    uploads.send(repo);
    for (const sled of rack.sleds.values()) sled.failing.add('list');

    const { status, requests } = await activate(rack, engine);
    expect(status.error).toBe('no sleds responded to list requests');
    expect(status.lastRun.list).toEqual({ ok: 0, error: 4 });
    expect(requests).toEqual([]);
    expect(status.localRepos).toBe(1);
    expect(repo.released).toBe(false);
  });

  it('merged: when every list fails the activation goes on and PUTs the local repo', async () => {
    const rack = new FakeRack(4);
    const { engine, uploads } = engineOn(rack, 'merged');
    rack.db.artifacts = [hash(1), hash(2)];
    const repo = fakeRepo('v1', rack.db.artifacts);
    uploads.send(repo);
    for (const sled of rack.sleds.values()) sled.failing.add('list');

    const { status } = await activate(rack, engine);
    expect(status.error).toBeNull();
    expect(status.lastRun.list).toEqual({ ok: 0, error: 4 });
    expect(status.lastRun.put).toEqual({ ok: 6, error: 0 });
    expect(status.lastRun.copy).toEqual({ ok: 2, error: 0 });
    expect(status.localRepos).toBe(1);
    for (const sled of rack.sleds.values()) expect(sled.artifacts.size).toBe(2);
  });
});

describe('generation engine', () => {
  function rackAtGeneration(sleds: number) {
    const rack = new FakeRack(sleds);
    rack.db.generation = 3;
    rack.db.artifacts = [hash(1), hash(2)];
    const { engine, uploads } = engineOn(rack, 'generation');
    const repo = fakeRepo('v1', rack.db.artifacts);
    uploads.send(repo);
    return { rack, engine, repo };
  }

  it('stops the whole activation when a sled holds a newer configuration (409 CONFIG_GENERATION)', async () => {
    const { rack, engine, repo } = rackAtGeneration(3);
    rack.sled('sled-1').generation = 5;

    const { status, requests, calls } = await activate(rack, engine);
    // A Break, not an error: the status is the usual one (E2).
    expect(status.error).toBeNull();
    expect(status.stopped).toMatch(/sled-1/);
    expect(status.generation).toBe(3);
    expect(requests).toEqual([]);
    expect(repo.released).toBe(false);
    expect(status.localRepos).toBe(1);
    expect(status.lastRun.config).toEqual({ ok: 2, error: 1 });
    expect(ofOp(calls, 'list').map((c) => c.sled)).not.toContain('sled-1');
    expect(status.requestLog.filter((r) => r.error !== null)).toEqual([
      { time: expect.any(Number), target: 'sled-1', operation: { kind: 'config', generation: 3 }, error: 'generation number is too old' },
    ]);
  });

  it('stops the whole activation when a sled lists a different generation', async () => {
    const rack = new FakeRack(3);
    rack.db.generation = 3;
    rack.db.artifacts = [hash(1), hash(2)];
    // Another Nexus puts generation 4 to sled-1 between our configuration and our list.
    const sledAgents: SledAgentClients = (id) => {
      const client = rack.sledAgents(id);
      if (id !== 'sled-1') return client;
      return {
        ...client,
        list: () => {
          rack.sled('sled-1').generation = 4;
          return client.list();
        },
      };
    };
    const { engine, uploads } = engineOn(rack, 'generation', { sledAgents });
    const repo = fakeRepo('v1', rack.db.artifacts);
    uploads.send(repo);

    const { status, requests } = await activate(rack, engine);
    expect(status.error).toBeNull();
    expect(status.stopped).toBe('sled sled-1 sled reported generation 4, expected 3');
    expect(requests).toEqual([]);
    expect(repo.released).toBe(false);
    expect(status.localRepos).toBe(1);
    expect(status.lastRun.list).toEqual({ ok: 2, error: 1 });
    expect(status.lastRun.config).toEqual({ ok: 3, error: 0 });
  });

  it('skips a sled whose configuration put fails for another reason, and goes on', async () => {
    const { rack, engine } = rackAtGeneration(3);
    rack.sled('sled-2').down = true;

    const { status, calls } = await activate(rack, engine);
    expect(status.error).toBeNull();
    expect(status.lastRun.config).toEqual({ ok: 2, error: 1 });
    expect(ofOp(calls, 'list').map((c) => c.sled).sort()).toEqual(['sled-0', 'sled-1']);
    expect(status.lastRun.list).toEqual({ ok: 2, error: 0 });
    for (const id of ['sled-0', 'sled-1']) {
      expect(Object.fromEntries(rack.sled(id).artifacts)).toEqual({ [hash(1)]: 2, [hash(2)]: 2 });
    }
  });

  it('PUTs and copies carry the generation: the fake sleds accept them all', async () => {
    const { rack, engine, repo } = rackAtGeneration(4);
    const { status, calls } = await activate(rack, engine);
    expect(status.error).toBeNull();
    expect(status.generation).toBe(3);
    expect(status.lastRun).toMatchObject({
      config: { ok: 4, error: 0 },
      list: { ok: 4, error: 0 },
      put: { ok: 6, error: 0 },
      copy: { ok: 2, error: 0 },
      delete: { ok: 0, error: 0 },
    });
    // Every request started after the configuration reached its target.
    for (const c of calls.filter((c) => REQUEST_OPS.has(c.op))) {
      const config = ofOp(calls, 'putConfig').find((p) => p.sled === c.sled);
      expect(endOf(config as FakeCall)).toBeLessThanOrEqual(c.start);
    }
    for (const sled of rack.sleds.values()) expect(sled.artifacts.size).toBe(2);
    expect(repo.released).toBe(false);

    // The control: the same fake refuses a write of another generation.
    // (`run` is given a promise that settles either way: FakeRack.run leaves a rejection unhandled for a turn.)
    const outcome = (p: Promise<void>) => rack.run(p.then(() => 'ok', (err: unknown) => (err instanceof Error ? err.message : String(err))));
    const client = rack.sledAgents('sled-0');
    expect(await outcome(client.put({ hash: hash(1), size: 1 }, 3))).toBe('ok');
    expect(await outcome(client.put({ hash: hash(1), size: 1 }, 2))).toBe(`artifact ${hash(1)} not in configuration 2`);
    expect(await outcome(client.put({ hash: hash(7), size: 1 }, 3))).toBe(`artifact ${hash(7)} not in configuration 3`);
    expect(await outcome(client.copyFromDepot(hash(2), 'sled-1', 4))).toBe(`artifact ${hash(2)} not in configuration 4`);
  });

  it('never sends DELETE: the sled reconciler removes unwanted artifacts', async () => {
    const rack = new FakeRack(4);
    rack.db.generation = 2;
    rack.db.artifacts = [hash(1)];
    for (const sled of rack.sleds.values()) sled.hold(hash(1)).hold(hash(9)).hold(hash(8), 1);
    const { engine } = engineOn(rack, 'generation');

    const { status, calls } = await activate(rack, engine);
    expect(status.error).toBeNull();
    expect(ofOp(calls, 'delete')).toEqual([]);
    expect(status.lastRun.delete).toEqual({ ok: 0, error: 0 });
    for (const sled of rack.sleds.values()) expect(Object.fromEntries(sled.artifacts)).toEqual({ [hash(1)]: 2 });

    // A later repo removal: still no DELETE, the reconcilers drop the artifact.
    rack.db.generation = 3;
    rack.db.artifacts = [];
    const next = await activate(rack, engine);
    expect(ofOp(next.calls, 'delete')).toEqual([]);
    for (const sled of rack.sleds.values()) expect(sled.artifacts.size).toBe(0);
  });
});

describe('execution limits', () => {
  /** 16 sleds: 10 local artifacts on no sled, 4 wanted artifacts already on sled-0..2. */
  function busyRack() {
    const rack = new FakeRack(16, {
      latency: (op, sled) => {
        const i = sledIndex(sled);
        if (op === 'put') return 2000 + 300 * i;
        if (op === 'copy') return 500 + 37 * i;
        return 100 + i;
      },
    });
    const local = hashRange(1, 10);
    const held = hashRange(11, 4);
    rack.db.artifacts = [...local, ...held];
    for (const id of ['sled-0', 'sled-1', 'sled-2']) for (const h of held) rack.sled(id).hold(h);
    const heldAtStart = new Set<string>();
    for (const [id, sled] of rack.sleds) for (const h of sled.artifacts.keys()) heldAtStart.add(`${id} ${h}`);
    return { rack, local, heldAtStart };
  }

  it.each([
    [8, undefined],
    [3, 3],
  ])('merged: at most %i put/copy/delete requests in flight', async (limit, maxRequestConcurrency) => {
    const { rack, local } = busyRack();
    const { engine, uploads } = engineOn(rack, 'merged', maxRequestConcurrency === undefined ? {} : { params: { maxRequestConcurrency } });
    uploads.send(fakeRepo('v1', local));

    const { status, requests } = await activate(rack, engine);
    expect(status.error).toBeNull();
    expect(status.lastRun.put).toEqual({ ok: 30, error: 0 });
    expect(status.lastRun.copy).toEqual({ ok: 130 + 52, error: 0 });
    expect(requests).toHaveLength(212);
    expect(peakInFlight(requests)).toBe(limit);
    expect(status.requestsDeferred).toBe(0);
  });

  it('merged: copies after PUT start only when every PUT has ended; other copies need not wait', async () => {
    const { rack, local, heldAtStart } = busyRack();
    const { engine, uploads } = engineOn(rack, 'merged');
    uploads.send(fakeRepo('v1', local));

    const { requests } = await activate(rack, engine);
    const puts = ofOp(requests, 'put');
    const copies = ofOp(requests, 'copy');
    const lastPutStart = Math.max(...puts.map((c) => c.start));
    const lastPutEnd = Math.max(...puts.map(endOf));
    const afterPut = copies.filter((c) => !heldAtStart.has(`${String(c.source)} ${String(c.hash)}`));
    const fromHolders = copies.filter((c) => heldAtStart.has(`${String(c.source)} ${String(c.hash)}`));
    expect(afterPut).toHaveLength(130);
    expect(fromHolders).toHaveLength(52);
    for (const c of afterPut) expect(c.start).toBeGreaterThanOrEqual(lastPutEnd);
    // PUTs go first: nothing else starts before the last PUT has started...
    for (const c of copies) expect(c.start).toBeGreaterThanOrEqual(lastPutStart);
    // ...but copies from sleds that already held the artifact fill slots while PUTs run.
    expect(fromHolders.filter((c) => c.start < lastPutEnd).length).toBeGreaterThan(0);
  });

  it('merged with ignore_limits: no concurrency limit', async () => {
    const { rack, local } = busyRack();
    const { engine, uploads } = engineOn(rack, 'merged', { params: bugs('ignore_limits') });
    uploads.send(fakeRepo('v1', local));
    const { requests } = await activate(rack, engine);
    expect(requests).toHaveLength(212);
    // Every PUT and every copy from a holder start at once (82), then, once the PUTs have
    // ended, all 130 copies after PUT at once.
    const puts = ofOp(requests, 'put');
    expect(new Set(puts.map((c) => c.start)).size).toBe(1);
    expect(peakInFlight(requests.filter((c) => c.start < Math.max(...puts.map(endOf))))).toBe(30 + 52);
    expect(peakInFlight(requests)).toBe(130);
  });

  /** `put` local artifacts on no sled, `copy` artifacts on sled-0 only, `deletes` unwanted copies. */
  function reviewRack(sleds: number, put: number, copy: number, deletes: number) {
    const rack = new FakeRack(sleds);
    const local = hashRange(1, put);
    const partial = hashRange(1000, copy);
    rack.db.artifacts = [...local, ...partial];
    for (const h of partial) rack.sled('sled-0').hold(h);
    for (let i = 0; i < deletes; i++) rack.sled(`sled-${i}`).hold(hash(99_999));
    return { rack, local };
  }

  it('review: at most max_put_requests (8) PUTs per activation; the rest deferred and retried', async () => {
    const { rack, local } = reviewRack(10, 20, 0, 0);
    const { engine, uploads } = engineOn(rack, 'review');
    uploads.send(fakeRepo('v1', local));

    const first = await activate(rack, engine);
    expect(ofOp(first.requests, 'put')).toHaveLength(8);
    expect(first.requests).toHaveLength(8);
    expect(first.status.requestsDeferred).toBe(12);
    // The next activation: the 8 placed artifacts need one copy each, 12 still need a PUT.
    const second = await activate(rack, engine);
    expect(ofOp(second.requests, 'put')).toHaveLength(8);
    expect(ofOp(second.requests, 'copy')).toHaveLength(8);
    expect(second.status.requestsDeferred).toBe(4);
  });

  it('review: at most max_requests (32) per activation', async () => {
    const { rack } = reviewRack(2, 0, 40, 0);
    const { engine } = engineOn(rack, 'review');
    const { status, requests } = await activate(rack, engine);
    expect(ofOp(requests, 'copy')).toHaveLength(32);
    expect(status.requestsDeferred).toBe(40 - 32);
    expect(status.lastRun.copy).toEqual({ ok: 32, error: 0 });
  });

  it('review: both caps together, sent all at once; requestsDeferred = generated - sent', async () => {
    const { rack, local } = reviewRack(5, 20, 20, 4);
    const { engine, uploads } = engineOn(rack, 'review');
    uploads.send(fakeRepo('v1', local));
    const { status, requests } = await activate(rack, engine);
    expect(ofOp(requests, 'put')).toHaveLength(8);
    expect(ofOp(requests, 'copy')).toHaveLength(20);
    expect(ofOp(requests, 'delete')).toHaveLength(4);
    expect(status.requestsDeferred).toBe(44 - 32);
    // `review` sends what it takes concurrently, with no concurrency limit.
    expect(new Set(requests.map((c) => c.start)).size).toBe(1);
    expect(peakInFlight(requests)).toBe(32);
  });

  it('review with ignore_limits: every generated request is sent', async () => {
    const { rack, local } = reviewRack(5, 20, 20, 4);
    const { engine, uploads } = engineOn(rack, 'review', { params: bugs('ignore_limits') });
    uploads.send(fakeRepo('v1', local));
    const { status, requests } = await activate(rack, engine);
    expect(ofOp(requests, 'put')).toHaveLength(20);
    expect(requests).toHaveLength(44);
    expect(status.requestsDeferred).toBe(0);
  });
});

describe('status', () => {
  it('counts by operation and outcome, per activation and over the lifetime; logs every request and release', async () => {
    const rack = new FakeRack(3, { latency: (op, sled) => (op === 'put' ? 3000 : 1000) + 10 * sledIndex(sled) });
    const { engine, uploads } = engineOn(rack, 'merged');
    const repo = fakeRepo('v1', [hash(1), hash(2)]);
    rack.db.artifacts = [hash(1), hash(2), hash(5)];
    uploads.send(repo);
    rack.sled('sled-0').hold(hash(5)).hold(hash(9));
    for (const op of ['list', 'put', 'copy'] as const) rack.sled('sled-2').failing.add(op);

    const a1 = await activate(rack, engine);
    expect(a1.status.error).toBeNull();
    expect(a1.status.activation).toBe(1);
    expect(a1.status.lastRun).toEqual({
      list: { ok: 2, error: 1 },
      put: { ok: 4, error: 2 },
      copy: { ok: 1, error: 1 },
      delete: { ok: 1, error: 0 },
      config: { ok: 0, error: 0 },
    });
    expect(a1.status.lifetime).toEqual(a1.status.lastRun);
    expect(a1.status.localRepos).toBe(1);
    expect(a1.status.generation).toBeNull();

    for (const op of ['list', 'put', 'copy'] as const) rack.sled('sled-2').failing.delete(op);
    const a2 = await activate(rack, engine);
    expect(a2.status.lastRun).toEqual({
      list: { ok: 3, error: 0 },
      put: { ok: 2, error: 0 },
      copy: { ok: 1, error: 0 },
      delete: { ok: 0, error: 0 },
      config: { ok: 0, error: 0 },
    });
    expect(a2.status.localRepos).toBe(1);
    expect(repo.released).toBe(false);

    const a3 = await activate(rack, engine);
    expect(a3.requests).toEqual([]);
    expect(a3.status.localRepos).toBe(0);
    expect(repo.released).toBe(true);
    expect(a3.status.activation).toBe(3);
    expect(a3.status.lifetime).toEqual({
      list: { ok: 8, error: 1 },
      put: { ok: 6, error: 2 },
      copy: { ok: 2, error: 1 },
      delete: { ok: 1, error: 0 },
      config: { ok: 0, error: 0 },
    });
    // The first activation's status is a snapshot, not a live view.
    expect(a1.status.lifetime.list).toEqual({ ok: 2, error: 1 });

    // The ring buffer: one record per sled call, at the time of its answer; answers at one
    // time by sled, then operation (List before Put), then hash, as omicron's sort puts them.
    const omicronOrder = (records: RequestRecord[]): RequestRecord[] =>
      records.sort((a, b) => {
        const key = (r: RequestRecord) => [r.target, r.operation.kind === 'list' ? 0 : 1, 'hash' in r.operation ? r.operation.hash : ''].join(' ');
        return a.time - b.time || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
      });
    const answered = sledCalls(rack.calls).map((c) => recordOf(c));
    expect(a3.status.requestLog).toEqual(omicronOrder(answered));
    expect(a3.status.requestLog).not.toEqual(byAnswer(sledCalls(rack.calls)).map((c) => recordOf(c)));
    expect(a3.status.requestLog).toHaveLength(12 + 6 + 3);
    const failedPut = a1.status.requestLog.filter((r) => r.operation.kind === 'put' && r.error !== null);
    expect(failedPut.map((r) => [r.target, r.error])).toEqual([
      ['sled-2', 'sled sled-2 unreachable'],
      ['sled-2', 'sled sled-2 unreachable'],
    ]);
    const failedPutCalls = ofOp(a1.requests, 'put').filter((c) => c.error !== null);
    expect(failedPut.map((r) => r.time)).toEqual(failedPutCalls.map(endOf));
    expect(failedPutCalls.map((c) => endOf(c) - c.start)).toEqual([3020, 3020]);

    // Log lines: the release, and one line per request sent with its outcome.
    const releases = [...a1.lines, ...a2.lines, ...a3.lines].filter((l) => l.msg === 'Cleaning up local repository');
    expect(releases).toEqual([{ level: 'info', msg: 'Cleaning up local repository', fields: { repo: 'v1', reason: 'replicated' } }]);
    expect(a3.lines.filter((l) => l.msg === 'Cleaning up local repository')).toHaveLength(1);
    const messages: Record<string, readonly [string, string]> = {
      put: ['Successfully put artifact', 'Failed to put artifact'],
      copy: ['Successfully requested artifact copy from depot', 'Failed to request artifact copy from depot'],
      delete: ['Successfully deleted artifact', 'Failed to delete artifact'],
    };
    const requestMessages = new Set(Object.values(messages).flat());
    for (const a of [a1, a2, a3]) {
      const lines = a.lines
        .filter((l) => requestMessages.has(l.msg))
        .map((l) => [l.level, l.msg, l.fields.sled, l.fields.sha256, l.fields.source ?? null, l.fields.error ?? null].join('|'))
        .sort();
      const expected = a.requests
        .map((c) => {
          const [ok, failed] = messages[c.op] as readonly [string, string];
          return [c.error === null ? 'info' : 'warn', c.error === null ? ok : failed, c.sled, c.hash, c.source, c.error].join('|');
        })
        .sort();
      expect(lines).toEqual(expected);
    }
    expect(a1.lines.filter((l) => requestMessages.has(l.msg))).toHaveLength(9);
  });

  it('without a log port, sends, counts and records exactly as with one', async () => {
    for (const generation of ['review', 'merged', 'generation'] as const) {
      const run = async (withoutLog: boolean) => {
        const rack = new FakeRack(3, { latency: (op, sled) => (op === 'put' ? 3000 : 1000) + 10 * sledIndex(sled) });
        const { engine, uploads } = engineOn(rack, generation, { withoutLog });
        rack.db.artifacts = [hash(1), hash(2), hash(5)];
        uploads.send(fakeRepo('v1', [hash(1), hash(2)]));
        rack.sled('sled-0').hold(hash(5)).hold(hash(9));
        rack.sled('sled-2').failing.add('copy');
        const statuses = [await activate(rack, engine), await activate(rack, engine)].map((a) => ({ ...a.status, requestLog: a.status.requestLog }));
        return { statuses, calls: rack.calls, lines: rack.logLines.length };
      };
      const logged = await run(false);
      const silent = await run(true);
      expect(logged.lines).toBeGreaterThan(0);
      expect(silent.lines).toBe(0);
      expect(silent.calls).toEqual(logged.calls);
      expect(silent.statuses).toEqual(logged.statuses);
      expect(silent.statuses[0]?.lastRun.copy.error).toBeGreaterThan(0);
    }
  });

  it(`keeps only the latest ${REQUEST_RING_BUFFER_LEN} requests across activations`, async () => {
    const rack = new FakeRack(64, { latency: (_op, sled) => 1000 + sledIndex(sled) });
    rack.sled('sled-7').failing.add('list');
    const { engine } = engineOn(rack, 'merged');
    const lengths: number[] = [];
    let last: ActivationStatus | undefined;
    for (let i = 0; i < 70; i++) {
      last = (await activate(rack, engine)).status;
      lengths.push(last.requestLog.length);
    }
    expect(REQUEST_RING_BUFFER_LEN).toBe(4096);
    expect(lengths.slice(0, 3)).toEqual([64, 128, 192]);
    expect(lengths[63]).toBe(4096);
    expect(lengths.slice(64)).toEqual([4096, 4096, 4096, 4096, 4096, 4096]);
    const history = byAnswer(sledCalls(rack.calls)).map((c) => recordOf(c));
    expect(history).toHaveLength(70 * 64);
    expect(last?.requestLog).toEqual(history.slice(-4096));
    expect(last?.lifetime.list).toEqual({ ok: 70 * 63, error: 70 });
    expect(last?.lastRun.list).toEqual({ ok: 63, error: 1 });
  });
});

describe('planted bugs', () => {
  it('empty_wanted_on_error: a failed wanted read looks like "nothing wanted" and merged deletes everything', async () => {
    const run = async (withBug: boolean) => {
      const rack = new FakeRack(4);
      rack.db.artifacts = [hash(1), hash(2)];
      for (const sled of rack.sleds.values()) sled.hold(hash(1)).hold(hash(2));
      const { engine, uploads } = engineOn(rack, 'merged', { params: withBug ? bugs('empty_wanted_on_error') : {} });
      const repo = fakeRepo('v2', [hash(3)]);
      uploads.send(repo);
      rack.db.failing.add('readArtifactConfig');
      return { rack, repo, ...(await activate(rack, engine)) };
    };

    const healthy = await run(false);
    expect(healthy.status.error).toMatch(/failed to list artifacts from database/);
    expect(healthy.requests).toEqual([]);
    expect(healthy.repo.released).toBe(false);

    const buggy = await run(true);
    expect(buggy.status.error).toBeNull();
    expect(ofOp(buggy.requests, 'delete')).toHaveLength(8);
    expect(buggy.requests).toHaveLength(8);
    expect(buggy.status.lastRun.delete).toEqual({ ok: 8, error: 0 });
    for (const sled of buggy.rack.sleds.values()) expect(sled.artifacts.size).toBe(0);
    // The new repo's artifacts are in no inventory, so it is released too (then no_data_loss).
    expect(buggy.repo.released).toBe(true);
  });

  it('forget_local_on_activation: the next activation drops the held repo, so no more PUTs', async () => {
    const run = async (withBug: boolean) => {
      const rack = new FakeRack(4);
      rack.db.artifacts = hashRange(1, 3);
      const { engine, uploads } = engineOn(rack, 'merged', { params: withBug ? bugs('forget_local_on_activation') : {} });
      const repo = fakeRepo('v1', rack.db.artifacts);
      uploads.send(repo);
      for (const sled of rack.sleds.values()) sled.failing.add('put');
      const first = await activate(rack, engine);
      for (const sled of rack.sleds.values()) sled.failing.delete('put');
      const second = await activate(rack, engine);
      return { repo, first, second };
    };

    const healthy = await run(false);
    expect(healthy.first.status.lastRun.put).toEqual({ ok: 0, error: 9 });
    expect(healthy.second.status.lastRun.put).toEqual({ ok: 9, error: 0 });
    expect(healthy.second.status.localRepos).toBe(1);
    expect(healthy.repo.released).toBe(false);

    const buggy = await run(true);
    // A repo received in this activation is still used...
    expect(buggy.first.status.lastRun.put).toEqual({ ok: 0, error: 9 });
    expect(buggy.first.status.localRepos).toBe(1);
    // ...but dropped at the start of the next one.
    expect(buggy.repo.released).toBe(true);
    expect(buggy.second.requests).toEqual([]);
    expect(buggy.second.status.localRepos).toBe(0);
    expect(buggy.second.lines[0]).toEqual({ level: 'info', msg: 'Cleaning up local repository', fields: { repo: 'v1', reason: 'forgotten' } });
  });

  it('release_early: a repo is released once each artifact is on one sled', async () => {
    const run = async (withBug: boolean) => {
      const rack = new FakeRack(4);
      rack.db.artifacts = [hash(1), hash(2)];
      rack.sled('sled-0').hold(hash(1));
      rack.sled('sled-1').hold(hash(2));
      const { engine, uploads } = engineOn(rack, 'merged', { params: withBug ? bugs('release_early') : {} });
      const repo = fakeRepo('v1', rack.db.artifacts);
      uploads.send(repo);
      return { repo, ...(await activate(rack, engine)) };
    };

    const healthy = await run(false);
    expect(healthy.repo.released).toBe(false);
    expect(healthy.status.lastRun.put).toEqual({ ok: 4, error: 0 });
    expect(healthy.status.lastRun.copy).toEqual({ ok: 2, error: 0 });

    const buggy = await run(true);
    expect(buggy.repo.released).toBe(true);
    expect(buggy.status.localRepos).toBe(0);
    expect(buggy.status.lastRun.put).toEqual({ ok: 0, error: 0 });
    expect(buggy.status.lastRun.copy).toEqual({ ok: 6, error: 0 });
    expect(buggy.lines.filter((l) => l.msg === 'Cleaning up local repository')).toHaveLength(1);

    // On no sled at all, even the bug keeps the repo.
    const rack = new FakeRack(4);
    rack.db.artifacts = [hash(1)];
    const { engine, uploads } = engineOn(rack, 'merged', { params: bugs('release_early') });
    const fresh = fakeRepo('v2', [hash(1)]);
    uploads.send(fresh);
    await activate(rack, engine);
    expect(fresh.released).toBe(false);
  });
});

describe('activation overlap', () => {
  it('activate() while another activation is running throws', async () => {
    const rack = new FakeRack(2);
    const { engine } = engineOn(rack, 'merged');
    const running = engine.activate();
    await expect(engine.activate()).rejects.toThrow('activate() called while an activation is running');
    const status = await rack.run(running);
    expect(status.activation).toBe(1);
    expect(status.error).toBeNull();
    // Once it has ended, the next activation runs (and the refused call did not count).
    const next = await rack.run(engine.activate());
    expect(next.activation).toBe(2);
  });
});

describe('determinism', () => {
  /** Five activations with uploads, a down sled, failing copies and a repo removal. */
  async function story(generation: EngineGeneration, seed: string) {
    const rack = new FakeRack(6, {
      latency: (op, sled) => (op === 'put' ? 2500 : op === 'copy' ? 700 : 300) + 90 * sledIndex(sled),
    });
    const { engine, uploads } = engineOn(rack, generation, { seed });
    const statuses: ActivationStatus[] = [];
    const v1 = hashRange(1, 4);
    const v2 = hashRange(5, 4);
    const step = async () => statuses.push(await rack.run(engine.activate()));

    rack.db.artifacts = [...v1];
    uploads.send(fakeRepo('v1', v1));
    await step();
    rack.sled('sled-2').down = true;
    await step();
    rack.db.artifacts = [...v1, ...v2];
    rack.db.generation++;
    uploads.send(fakeRepo('v2', v2));
    rack.sled('sled-2').down = false;
    rack.sled('sled-4').failing.add('copy');
    await step();
    rack.db.artifacts = [...v2];
    rack.db.generation++;
    rack.sled('sled-4').failing.delete('copy');
    await step();
    await step();
    return {
      calls: rack.calls.map((c) => ({ ...c })),
      statuses,
      logLines: rack.logLines,
      holdings: holdings(rack),
    };
  }

  const generations: EngineGeneration[] = ['review', 'merged', 'generation'];

  it.each(generations)('%s: the same seed gives the same calls and statuses; another seed does not', async (generation) => {
    const a = await story(generation, 'seed-a');
    const b = await story(generation, 'seed-a');
    expect(b).toEqual(a);
    expect(a.statuses.map((s) => s.error)).toEqual([null, null, null, null, null]);
    const c = await story(generation, 'seed-b');
    const order = (run: typeof a) => run.calls.map((x) => `${x.op} ${String(x.sled)} ${String(x.hash)} ${String(x.source)}`);
    expect(order(c)).not.toEqual(order(a));
  });

  it.each(generations)('%s: runs the story with ambient time, randomness and timers poisoned', async (generation) => {
    const reference = await story(generation, 'poison');
    const hits: string[] = [];
    const poison = (name: string) =>
      function poisoned(): never {
        hits.push(name);
        throw new Error(`${name} used during an engine run`);
      };
    const restore = replaceGlobals(poison);
    let result: Awaited<ReturnType<typeof story>> | undefined;
    let failure: unknown;
    let probesThrown = 0;
    try {
      // The poison works: each stand-in throws (and is recorded) when used.
      /* eslint-disable no-restricted-globals, no-restricted-properties -- probing the poison */
      const probes = [
        () => Math.random(),
        () => Date.now(),
        () => new Date(),
        () => performance.now(),
        () => setTimeout(() => undefined, 0),
        () => setInterval(() => undefined, 0),
      ];
      /* eslint-enable no-restricted-globals, no-restricted-properties */
      for (const probe of probes) {
        try {
          probe();
        } catch {
          probesThrown++;
        }
      }
      hits.length = 0;
      result = await story(generation, 'poison');
    } catch (err) {
      failure = err;
    } finally {
      restore();
    }
    expect(probesThrown).toBe(6);
    expect(failure).toBeUndefined();
    expect(hits).toEqual([]);
    expect(result).toEqual(reference);
  });
});

/**
 * Replaces Math.random, Date.now, the Date constructor, performance.now, setTimeout and
 * setInterval with throwing stand-ins; returns the function that puts them back.
 * setImmediate stays: FakeRack.run needs it to let promise continuations run between
 * answers (a test-only scheduler, not the engine's).
 */
function replaceGlobals(poison: (name: string) => () => never): () => void {
  const undo: (() => void)[] = [];
  const replace = (target: object, key: string, value: unknown): void => {
    const saved = Object.getOwnPropertyDescriptor(target, key);
    Object.defineProperty(target, key, { value, configurable: true, writable: true, enumerable: saved?.enumerable ?? false });
    undo.push(() => {
      if (saved === undefined) Reflect.deleteProperty(target, key);
      else Object.defineProperty(target, key, saved);
    });
  };
  /* eslint-disable no-restricted-globals, no-restricted-properties -- poisoning them is the point */
  const RealDate = globalThis.Date;
  const PoisonedDate = poison('new Date()') as unknown as Record<string, unknown>;
  PoisonedDate.now = poison('Date.now');
  replace(Math, 'random', poison('Math.random'));
  replace(RealDate, 'now', poison('Date.now'));
  replace(globalThis, 'Date', PoisonedDate);
  replace(performance, 'now', poison('performance.now'));
  replace(globalThis, 'setTimeout', poison('setTimeout'));
  replace(globalThis, 'setInterval', poison('setInterval'));
  /* eslint-enable no-restricted-globals, no-restricted-properties */
  return () => {
    for (const step of undo.reverse()) step();
  };
}

describe('the request ring buffer panics on a batch of more than 4096 entries', () => {
  /** 32 sleds, min 3, `artifacts` new artifacts held only locally: 3 PUTs + 29 copies each. */
  async function firstActivation(generation: EngineGeneration, artifacts: number) {
    const rack = new FakeRack(32);
    rack.db.artifacts = hashRange(1, artifacts);
    const { engine, uploads } = engineOn(rack, generation, { params: { maxRequests: 1_000_000, maxPutRequests: 1_000_000 } });
    uploads.send(fakeRepo('v1', rack.db.artifacts));
    const outcome = await rack.run(engine.activate().then((status) => status, (err: unknown) => err));
    return { rack, outcome };
  }

  // behaviour-by-commit.md §9: merged panics iff R > 4096 (its lists are a batch of their
  // own); generation and current iff 2S + R > 4096.
  it.each([
    ['merged', 128, false],
    ['merged', 129, true],
    ['generation', 126, false],
    ['generation', 127, true],
    ['current', 126, false],
    ['current', 127, true],
    ['review', 129, false],
  ] as const)('%s with %i artifacts on 32 sleds: panic %s', async (generation, artifacts, panics) => {
    const { rack, outcome } = await firstActivation(generation, artifacts);
    expect(outcome instanceof TaskPanic).toBe(panics);
    if (generation !== 'review') {
      // The panic comes after every request of the activation has answered.
      const requests = rack.calls.filter((c) => REQUEST_OPS.has(c.op));
      expect(requests).toHaveLength(32 * artifacts);
      expect(requests.every((c) => c.end !== null)).toBe(true);
    }
    // Just under the threshold the buffer ends exactly full.
    if (!panics && generation !== 'review') expect((outcome as ActivationStatus).requestLog).toHaveLength(4096);
  });

  it('whatever the buffer held before: a full buffer takes a batch of exactly 4096', async () => {
    /** Records a batch of `length` lists at times `from`, `from + 1`, …. */
    const lists = (ring: RequestRing, length: number, from = 0): void => {
      for (let i = 0; i < length; i++) ring.appendList(from + i, 'sled-1', null);
      ring.endBatch(false);
    };
    const ring = new RequestRing(4096, true);
    lists(ring, 4000);
    lists(ring, 4096, 10_000);
    expect(ring.toArray()[0]?.time).toBe(10_000);
    expect(() => lists(ring, 4097)).toThrow(TaskPanic);
    const lenient = new RequestRing(4096);
    lists(lenient, 5000);
    expect(lenient.toArray()).toHaveLength(4096);
    // review's batch at 1,024 sleds × 256 new artifacts.
    lists(lenient, 300_000);
    expect(lenient.toArray()[0]?.time).toBe(300_000 - 4096);
  });
});
