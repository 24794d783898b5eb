// Tests of the Nexus instance (ENGINE.md §3): the task driver (activation at start, every
// period, on upload and on demand, never overlapping), the upload flow in both orders,
// local storage and crashes, and omicron's own integration expectation (§6). Small worlds
// with fixed latencies, so every figure read from the event stream is exact.
import { describe, expect, it } from 'vitest';
import type { EngineGeneration } from '../../../core/index.ts';
import { MiB, MS, SECOND, repo } from '../testing/world-fixtures.ts';
import { worldConfig } from '../testing/world-fixtures.ts';
import { World, type RepoSpec } from '../world.ts';
import type { NexusId, RequestKind, WorldEvent, WorldEventType } from '../world-events.ts';
import type { UploadOrder } from './nexus-instance.ts';

/** One-way message latency. */
const LAT = 1 * MS;
/** Datastore read and write latency. */
const DB_READ = 2 * MS;
const DB_WRITE = 3 * MS;
const BANDWIDTH = 64 * MiB;
const PERIOD = 60 * SECOND;
const UNPACK = 30 * SECOND;
/** An activation with nothing to do: two datastore reads, then one list round trip. */
const IDLE_ACTIVATION = 2 * DB_READ + 2 * LAT;
const transferTime = (bytes: number): number => Math.ceil((bytes * SECOND) / BANDWIDTH);

interface Small {
  sleds?: number;
  nexus?: number;
  period?: number;
  uploadOrder?: UploadOrder;
  generation?: EngineGeneration;
  repos?: RepoSpec[];
  dbWrite?: number;
  seed?: number;
  bootSpread?: number;
  panicRestart?: number;
}

function smallWorld(o: Small = {}): { world: World; events: WorldEvent[] } {
  const world = new World(
    worldConfig({
      seed: o.seed ?? 1,
      sleds: o.sleds ?? 4,
      network: { latency: { fixed: LAT }, bandwidth: BANDWIDTH, timeout: 60 * SECOND, loss: 0 },
      datastoreLatency: { fixed: DB_READ },
      datastoreWriteLatency: { fixed: o.dbWrite ?? DB_WRITE },
      nexus: {
        count: o.nexus ?? 1,
        period: o.period ?? PERIOD,
        unpack: UNPACK,
        uploadOrder: o.uploadOrder ?? 'db_first',
        bootSpread: o.bootSpread,
        panicRestart: o.panicRestart,
      },
      engine: { generation: o.generation ?? 'merged', minSledReplication: 3 },
      repos: o.repos ?? [repo('v1', 2, 1 * MiB)],
    }),
  );
  const events: WorldEvent[] = [];
  world.subscribe((e) => events.push(e));
  return { world, events };
}

type Of<T extends WorldEventType> = Extract<WorldEvent, { type: T }>;
function of<T extends WorldEventType>(events: readonly WorldEvent[], type: T): Of<T>[] {
  return events.filter((e): e is Of<T> => e.type === type);
}
const at = (world: World, t: number, fn: () => void): void => void world.kernel.at(t, 'test action', fn);

/** Throws unless, per Nexus, activations start and finish strictly alternately. */
function expectNoOverlap(events: readonly WorldEvent[]): void {
  const running = new Map<NexusId, number>();
  for (const e of events) {
    if (e.type === 'nexus_started') running.delete(e.nexus);
    if (e.type === 'activation_started') {
      expect(running.get(e.nexus), `${e.nexus} activation ${e.activation} starts at ${e.t} while another runs`).toBeUndefined();
      running.set(e.nexus, e.activation);
    }
    if (e.type === 'activation_finished') {
      expect(running.get(e.nexus)).toBe(e.activation);
      running.delete(e.nexus);
    }
  }
}

/** Request kinds sent by `nexus` in each activation, as counts. */
function requestsByActivation(events: readonly WorldEvent[], nexus: NexusId): Map<number, Partial<Record<RequestKind, number>>> {
  const out = new Map<number, Partial<Record<RequestKind, number>>>();
  for (const e of of(events, 'request_sent')) {
    if (e.nexus !== nexus) continue;
    const counts = out.get(e.activation) ?? {};
    counts[e.kind] = (counts[e.kind] ?? 0) + 1;
    out.set(e.activation, counts);
  }
  return out;
}

describe('NexusInstance: the task driver', () => {
  it.each([
    { nexus: 1, period: 60 * SECOND, until: 200 * SECOND, starts: [0, 60, 120, 180] },
    { nexus: 2, period: 60 * SECOND, until: 200 * SECOND, starts: [0, 60, 120, 180] },
    { nexus: 1, period: 300 * SECOND, until: 900 * SECOND, starts: [0, 300, 600, 900] },
    { nexus: 1, period: 3_600 * SECOND, until: 3_599 * SECOND, starts: [0] },
  ])('$nexus Nexus, period $period µs: activations start at $starts s', async ({ nexus, period, until, starts }) => {
    const { world, events } = smallWorld({ nexus, period });
    world.start();
    await world.run(until);
    for (const id of world.nexus.keys()) {
      const started = of(events, 'activation_started').filter((e) => e.nexus === id);
      expect(started.map((e) => e.t)).toEqual(starts.map((s) => s * SECOND));
      expect(started.map((e) => e.activation)).toEqual(starts.map((_, i) => i + 1));
      const finished = of(events, 'activation_finished').filter((e) => e.nexus === id && e.t <= until);
      expect(finished.map((e) => e.t)).toEqual(
        starts.map((s) => s * SECOND + IDLE_ACTIVATION).filter((t) => t <= until),
      );
      for (const f of finished) expect(f.error).toBeNull();
    }
    expectNoOverlap(events);
  });

  // sled-0 is slow (5 s each way) from the start: every activation lasts 10 s + IDLE.
  const SLOW = 5 * SECOND;
  const LONG = IDLE_ACTIVATION + 2 * SLOW;
  it.each([
    { requests: [1 * SECOND], label: 'one activate()' },
    { requests: [1 * SECOND, 2 * SECOND, 9 * SECOND], label: 'three activate()s' },
    { requests: [LONG - 1], label: 'an activate() 1 µs before the end' },
  ])('$label during a running activation → exactly one more, right after it', async ({ requests }) => {
    const { world, events } = smallWorld();
    world.slow('sled-0', SLOW);
    world.start();
    for (const t of requests) at(world, t, () => world.activate('nexus-0'));
    await world.run(PERIOD - 1);
    expect(of(events, 'activation_started').map((e) => [e.activation, e.t])).toEqual([
      [1, 0],
      [2, LONG],
    ]);
    expect(of(events, 'activation_finished').map((e) => [e.activation, e.t])).toEqual([
      [1, LONG],
      [2, 2 * LONG],
    ]);
    expectNoOverlap(events);
  });

  it('an activate() while idle starts one at once', async () => {
    const { world, events } = smallWorld();
    world.start();
    at(world, 10 * SECOND, () => world.activate('nexus-0'));
    at(world, 10 * SECOND + IDLE_ACTIVATION, () => world.activate('nexus-0'));
    await world.run(PERIOD - 1);
    expect(of(events, 'activation_started').map((e) => e.t)).toEqual([0, 10 * SECOND, 10 * SECOND + IDLE_ACTIVATION]);
    expectNoOverlap(events);
  });

  it('period ticks during long activations queue one run each time, never two at once', async () => {
    // Each activation lasts 10.006 s; the period is 4 s: every run is followed at once by the next.
    const { world, events } = smallWorld({ nexus: 2, period: 4 * SECOND });
    world.slow('sled-0', SLOW);
    world.start();
    await world.run(35 * SECOND);
    for (const id of ['nexus-0', 'nexus-1']) {
      const started = of(events, 'activation_started').filter((e) => e.nexus === id);
      expect(started.map((e) => e.t)).toEqual([0, LONG, 2 * LONG, 3 * LONG]);
    }
    expectNoOverlap(events);
  });
});

describe("NexusInstance: omicron's driver timing (driver.rs, tokio interval with Delay)", () => {
  const startsOf = (events: readonly WorldEvent[], nexus: NexusId): number[] =>
    of(events, 'activation_started').filter((e) => e.nexus === nexus).map((e) => e.t);

  it('boot_spread: three Nexus tick in three phases, each every period from its own first tick; a restart resets it', async () => {
    const { world, events } = smallWorld({ nexus: 3, bootSpread: PERIOD });
    world.start();
    const RESTART = 100 * SECOND + 7;
    at(world, 90 * SECOND, () => world.crashNexus('nexus-2'));
    at(world, RESTART, () => world.restartNexus('nexus-2'));
    await world.run(4 * PERIOD - 1);
    const first = ['nexus-0', 'nexus-1', 'nexus-2'].map((id) => startsOf(events, id)[0] as number);
    expect(new Set(first).size).toBe(3);
    for (const t of first) expect(t >= 0 && t < PERIOD).toBe(true);
    for (const [i, id] of ['nexus-0', 'nexus-1'].entries()) {
      const b = first[i] as number;
      expect(startsOf(events, id)).toEqual([b, b + PERIOD, b + 2 * PERIOD, b + 3 * PERIOD].filter((t) => t < 4 * PERIOD));
    }
    const restarted = startsOf(events, 'nexus-2').filter((t) => t >= RESTART);
    expect(restarted).toEqual([RESTART, RESTART + PERIOD, RESTART + 2 * PERIOD]);
    // Each Nexus draws its phase from its own stream: the same with one Nexus more.
    const more = smallWorld({ nexus: 4, bootSpread: PERIOD });
    more.world.start();
    await more.world.run(PERIOD - 1);
    expect(['nexus-0', 'nexus-1'].map((id) => startsOf(more.events, id)[0])).toEqual(first.slice(0, 2));
  });

  it('boot_spread 0 keeps every Nexus in lockstep at t = 0', async () => {
    const { world, events } = smallWorld({ nexus: 3, bootSpread: 0 });
    world.start();
    await world.run(PERIOD + 1);
    for (const id of world.nexus.keys()) expect(startsOf(events, id)).toEqual([0, PERIOD]);
  });

  // sled-0 is slow (5 s each way): every activation lasts LONG.
  const SLOW = 5 * SECOND;
  const LONG = IDLE_ACTIVATION + 2 * SLOW;

  it('Delay: a tick missed during an activation fires when it ends, and the next is a period after that', async () => {
    const { world, events } = smallWorld();
    world.slow('sled-0', SLOW);
    world.start();
    at(world, 55 * SECOND, () => world.activate('nexus-0'));
    await world.run(4 * PERIOD + 10 * SECOND);
    const late = 55 * SECOND + LONG;
    expect(startsOf(events, 'nexus-0')).toEqual([0, 55 * SECOND, late, late + PERIOD, late + 2 * PERIOD, late + 3 * PERIOD]);
  });

  it('an explicit activation never moves the interval', async () => {
    const { world, events } = smallWorld();
    world.start();
    at(world, 10 * SECOND, () => world.activate('nexus-0'));
    at(world, 30 * SECOND, () => world.activate('nexus-0'));
    await world.run(2 * PERIOD);
    expect(startsOf(events, 'nexus-0')).toEqual([0, 10 * SECOND, 30 * SECOND, PERIOD, 2 * PERIOD]);
  });

  it('a missed tick and a stored permit are two runs back to back, the tick first two times in three', async () => {
    const orders: string[] = [];
    for (let seed = 1; seed <= 90; seed++) {
      const { world, events } = smallWorld({ seed });
      world.slow('sled-0', SLOW);
      world.start();
      // Both during the run started at 55 s: one permit, and the 60 s tick missed.
      at(world, 55 * SECOND, () => world.activate('nexus-0'));
      at(world, 58 * SECOND, () => world.activate('nexus-0'));
      at(world, 59 * SECOND, () => world.activate('nexus-0'));
      await world.run(3 * PERIOD);
      const starts = startsOf(events, 'nexus-0');
      const end = 55 * SECOND + LONG;
      expect(starts.slice(0, 4)).toEqual([0, 55 * SECOND, end, end + LONG]);
      // Tick first: its next deadline is a period after `end`; permit first: the tick runs
      // late at end + LONG, and the next is a period after that.
      if (starts[4] === end + PERIOD) orders.push('tick');
      else if (starts[4] === end + LONG + PERIOD) orders.push('permit');
      else throw new Error(`seed ${seed}: unexpected starts ${starts.join(',')}`);
      expectNoOverlap(events);
    }
    const ticks = orders.filter((o) => o === 'tick').length;
    expect(ticks).toBeGreaterThan(45);
    expect(ticks).toBeLessThan(75);
  });
});

describe('NexusInstance: uploads', () => {
  const UPLOAD_AT = 10 * SECOND;
  const BYTES = 2 * MiB;
  const ADDED = UPLOAD_AT + transferTime(BYTES) + UNPACK;

  it('db_first: body, unpack, insert, then an activation that PUTs the local copies', async () => {
    const { world, events } = smallWorld({ uploadOrder: 'db_first' });
    world.start();
    at(world, UPLOAD_AT, () => world.upload('v1', 'nexus-0'));
    await world.run(PERIOD - 1);
    const timeline = events
      .filter((e) => e.t >= UPLOAD_AT && ['repo_upload_started', 'local_repo_added', 'repo_inserted', 'activation_started'].includes(e.type))
      .map((e) => [e.type, e.t]);
    expect(timeline).toEqual([
      ['repo_upload_started', UPLOAD_AT],
      ['local_repo_added', ADDED],
      ['repo_inserted', ADDED + DB_WRITE],
      ['activation_started', ADDED + DB_WRITE],
    ]);
    expect(of(events, 'repo_upload_started')[0]).toMatchObject({ repo: 'v1', nexus: 'nexus-0', bytes: BYTES });
    expect(of(events, 'repo_inserted')[0]).toMatchObject({ nexus: 'nexus-0', artifacts: ['v1-0000', 'v1-0001'], generation: 2 });
    // The upload's activation (the second) PUTs both artifacts to 3 sleds each.
    const puts = of(events, 'request_sent').filter((e) => e.kind === 'put');
    expect(puts).toHaveLength(6);
    for (const p of puts) expect([p.activation, p.t]).toEqual([2, ADDED + DB_WRITE + IDLE_ACTIVATION]);
    expect(of(events, 'activation_finished').find((e) => e.activation === 2)?.localRepos).toBe(1);
  });

  it.each([
    { how: 'seeded in the database', seeded: true },
    { how: 'uploaded before through another Nexus', seeded: false },
  ])('db_first: re-uploading a repo already $how skips the insert and keeps no local repo', async ({ seeded }) => {
    const { world, events } = smallWorld({ uploadOrder: 'db_first', nexus: 2 });
    if (seeded) world.seedRepo('v1', ['sled-0', 'sled-1', 'sled-2', 'sled-3']);
    world.start();
    if (!seeded) at(world, 1 * SECOND, () => world.upload('v1', 'nexus-1'));
    at(world, UPLOAD_AT, () => world.upload('v1', 'nexus-0'));
    await world.run(PERIOD - 1);
    const mine = events.filter((e) => 'nexus' in e && e.nexus === 'nexus-0' && e.t >= UPLOAD_AT);
    expect(mine.map((e) => [e.type, e.t])).toEqual([
      ['repo_upload_started', UPLOAD_AT],
      ['local_repo_added', ADDED],
      ['repo_insert_skipped', ADDED + DB_WRITE],
      ['local_repo_released', ADDED + DB_WRITE],
    ]);
    expect(of(events, 'local_repo_released').filter((e) => e.nexus === 'nexus-0')).toMatchObject([{ by: 'upload', repo: 'v1' }]);
    expect(world.nexus.get('nexus-0')?.localRepoCount).toBe(0);
    expect(of(events, 'repo_inserted')).toHaveLength(1);
    expect(world.datastore.generation).toBe(2);
  });

  it.each([
    { order: 'channel_first' as const, releasedBeforeInsert: true },
    { order: 'db_first' as const, releasedBeforeInsert: false },
  ])('$order: an activation between unpack and insert sees the local repo only with channel_first', async ({ order, releasedBeforeInsert }) => {
    const WRITE = 10 * SECOND;
    const { world, events } = smallWorld({ uploadOrder: order, generation: 'review', dbWrite: WRITE });
    world.start();
    at(world, UPLOAD_AT, () => world.upload('v1', 'nexus-0'));
    at(world, ADDED + 1 * SECOND, () => world.activate('nexus-0'));
    await world.run(PERIOD - 1);
    expect(of(events, 'repo_inserted').map((e) => e.t)).toEqual([ADDED + WRITE]);
    const released = of(events, 'local_repo_released');
    if (releasedBeforeInsert) {
      // The task drained the channel in the window: the repo, nowhere in its inventory,
      // went at once, before the database knew it; nothing of it was ever stored.
      expect(released.map((e) => [e.repo, e.by, e.t])).toEqual([['v1', 'task', ADDED + 1 * SECOND + IDLE_ACTIVATION]]);
      expect(of(events, 'artifact_stored')).toHaveLength(0);
      expect(of(events, 'request_sent').filter((e) => e.kind === 'put')).toHaveLength(0);
    } else {
      expect(released).toHaveLength(0);
      const window = of(events, 'activation_finished').find((e) => e.activation === 2);
      expect(window).toMatchObject({ t: ADDED + 1 * SECOND + IDLE_ACTIVATION, localRepos: 0 });
      // After the insert, review PUTs each artifact to one sled.
      expect(of(events, 'request_sent').filter((e) => e.kind === 'put').map((e) => [e.activation, e.t])).toEqual([
        [3, ADDED + WRITE + IDLE_ACTIVATION],
        [3, ADDED + WRITE + IDLE_ACTIVATION],
      ]);
    }
  });

  it('channel_first: the local repo is sent to the task before the insert', async () => {
    // With a datastore outage over the insert, the insert fails but the task already has the
    // repo: the next activation counts it (and, finding it nowhere, releases it).
    const { world, events } = smallWorld({ uploadOrder: 'channel_first', generation: 'review' });
    world.start();
    at(world, UPLOAD_AT, () => world.upload('v1', 'nexus-0'));
    at(world, ADDED, () => world.datastoreOutage(1 * SECOND));
    at(world, ADDED + 2 * SECOND, () => world.activate('nexus-0'));
    await world.run(PERIOD - 1);
    expect(of(events, 'repo_upload_failed').map((e) => [e.repo, e.t])).toEqual([['v1', ADDED + DB_WRITE]]);
    expect(of(events, 'repo_inserted')).toHaveLength(0);
    expect(of(events, 'local_repo_released').map((e) => [e.by, e.t])).toEqual([['task', ADDED + 2 * SECOND + IDLE_ACTIVATION]]);
  });

  it('db_first: a failed insert discards the local repo and never reaches the task', async () => {
    const { world, events } = smallWorld({ uploadOrder: 'db_first' });
    world.start();
    at(world, UPLOAD_AT, () => world.upload('v1', 'nexus-0'));
    at(world, ADDED, () => world.datastoreOutage(1 * SECOND));
    await world.run(PERIOD - 1);
    expect(of(events, 'repo_upload_failed').map((e) => e.t)).toEqual([ADDED + DB_WRITE]);
    expect(of(events, 'local_repo_released').map((e) => [e.by, e.t])).toEqual([['upload', ADDED + DB_WRITE]]);
    expect(of(events, 'activation_started').map((e) => e.t)).toEqual([0]);
  });
});

describe('NexusInstance: re-uploads (current hands them to the task, update.rs:497-522@b848b6df)', () => {
  async function reupload(generation: EngineGeneration, pruneFirst: boolean) {
    const { world, events } = smallWorld({ generation });
    world.start();
    at(world, 1 * SECOND, () => world.upload('v1', 'nexus-0'));
    if (pruneFirst) at(world, 2 * PERIOD, () => world.deleteRepo('v1'));
    at(world, 2 * PERIOD + 1 * SECOND, () => world.upload('v1', 'nexus-0'));
    await world.run(5 * PERIOD);
    return { world, events };
  }

  it.each([
    ['generation', ['task', 'upload'], 1],
    ['current', ['task', 'task'], 0],
  ] as const)('%s: a re-upload of a replicated repo; local releases by %j', async (generation, releasedBy, skipped) => {
    const { events } = await reupload(generation, false);
    expect(of(events, 'local_repo_released').map((e) => e.by)).toEqual(releasedBy);
    expect(of(events, 'repo_insert_skipped')).toHaveLength(skipped);
    // Nothing is missing: no PUT after the first release.
    expect(of(events, 'request_sent').filter((e) => e.kind === 'put' && e.t > 2 * PERIOD)).toHaveLength(0);
  });

  it('current: re-uploading a pruned repo un-prunes it, and its copy is PUT again where the sleds dropped it', async () => {
    const { world, events } = await reupload('current', true);
    expect(of(events, 'repo_deleted').map((e) => e.repo)).toEqual(['v1']);
    expect(of(events, 'repo_inserted').map((e) => [e.repo, e.generation])).toEqual([
      ['v1', 2],
      ['v1', 4],
    ]);
    expect(world.datastore.wanted().sort()).toEqual(['v1-0000', 'v1-0001']);
    expect(of(events, 'request_sent').filter((e) => e.kind === 'put' && e.t > 2 * PERIOD).length).toBeGreaterThan(0);
    for (const sled of world.sleds.values()) expect(sled.store.storedHashes().sort()).toEqual(['v1-0000', 'v1-0001']);
    expect(world.nexus.get('nexus-0')?.localRepoCount).toBe(0);
  });
});

describe('NexusInstance: current reads its configuration as generation, repos, generation (update.rs:344-398@b848b6df)', () => {
  it('an insert landing between the two generation reads ends the activation with an error status', async () => {
    const { world, events } = smallWorld({ generation: 'current' });
    world.start();
    // The activation at PERIOD lists sleds (2 ms), reads the generation (2 ms), the repos
    // (2 ms), then the generation again from PERIOD + 6 ms: an insert at + 5 ms is seen there.
    at(world, PERIOD + 5 * MS, () => void world.datastore.insertRepo('other', ['other-0'], null));
    await world.run(PERIOD + 1 * SECOND);
    const finished = of(events, 'activation_finished').map((e) => [e.t, e.error]);
    expect(finished).toEqual([
      // Five reads, then a config put and a list to each sled.
      [5 * DB_READ + 4 * LAT, null],
      [PERIOD + 4 * DB_READ, 'failed to list artifacts from database: generation changed from 1 to 2, bailing'],
    ]);
    // Nothing was sent in the failed activation.
    expect(of(events, 'request_sent').filter((e) => e.activation === 2)).toHaveLength(0);
  });
});

describe('NexusInstance: crashes', () => {
  const UPLOAD_AT = 1 * SECOND;

  it('a crash loses the local repos, stops the running activation, and a restart activates a fresh engine', async () => {
    // 64 MiB artifacts: the PUTs take seconds, so the crash lands in the middle of them.
    const { world, events } = smallWorld({ repos: [repo('v1', 2, 64 * MiB)] });
    world.start();
    at(world, UPLOAD_AT, () => world.upload('v1', 'nexus-0'));
    const added = UPLOAD_AT + transferTime(128 * MiB) + UNPACK;
    const upActivation = added + DB_WRITE;
    const CRASH = upActivation + IDLE_ACTIVATION + 1 * SECOND;
    const DOWN = 20 * SECOND;
    at(world, CRASH - 1, () => world.activate('nexus-0'));
    at(world, CRASH, () => world.crashNexus('nexus-0', DOWN));
    await world.run(PERIOD * 2 - 1);

    expect(of(events, 'local_repos_lost')).toMatchObject([{ t: CRASH, nexus: 'nexus-0', repos: ['v1'], bytes: 128 * MiB }]);
    // The upload had finished: losing its local repo is not a failed upload.
    expect(of(events, 'repo_upload_failed')).toHaveLength(0);
    expect(of(events, 'request_sent').filter((e) => e.t >= CRASH && e.t < CRASH + DOWN)).toHaveLength(0);
    // The activation running at the crash never finishes; the one asked for is forgotten.
    expect(of(events, 'activation_finished').filter((e) => e.t >= upActivation && e.t < CRASH + DOWN)).toHaveLength(0);
    expect(of(events, 'nexus_started').map((e) => [e.incarnation, e.t])).toEqual([
      [1, 0],
      [2, CRASH + DOWN],
    ]);
    const started = of(events, 'activation_started').map((e) => [e.activation, e.t]);
    expect(started).toEqual([
      [1, 0],
      [2, upActivation],
      [1, CRASH + DOWN],
      [2, CRASH + DOWN + PERIOD],
    ]);
    // The fresh engine has no local repo: nothing to PUT; sleds hold what finished before the crash.
    const afterRestart = of(events, 'request_sent').filter((e) => e.t >= CRASH + DOWN);
    expect(afterRestart.filter((e) => e.kind === 'put')).toHaveLength(0);
    expect(of(events, 'activation_finished').filter((e) => e.t >= CRASH + DOWN).map((e) => e.localRepos)).toEqual([0, 0]);
    expect(world.nexus.get('nexus-0')?.localRepoCount).toBe(0);
    expectNoOverlap(events);
  });

  it.each([
    { label: 'during the body transfer', crashAfter: 1 },
    { label: 'during unpacking', crashAfter: transferTime(2 * MiB) + 1 * SECOND },
    { label: 'during the insert', crashAfter: transferTime(2 * MiB) + UNPACK + 1 },
  ])('a crash $label: the upload fails at the crash and no repo is inserted', async ({ crashAfter }) => {
    const { world, events } = smallWorld();
    world.start();
    at(world, UPLOAD_AT, () => world.upload('v1', 'nexus-0'));
    at(world, UPLOAD_AT + crashAfter, () => world.crashNexus('nexus-0', 1 * SECOND));
    await world.run(PERIOD - 1);
    expect(of(events, 'repo_upload_failed').map((e) => [e.repo, e.t, e.reason])).toEqual([
      ['v1', UPLOAD_AT + crashAfter, 'nexus-0 crashed'],
    ]);
    expect(of(events, 'repo_inserted')).toHaveLength(0);
    expect(world.nexus.get('nexus-0')?.localRepoCount).toBe(0);
    expect(of(events, 'request_sent').filter((e) => e.kind === 'put')).toHaveLength(0);
  });

  it('a crashed Nexus sends no request, even when asked to activate or on its period', async () => {
    const { world, events } = smallWorld({ nexus: 2, period: 10 * SECOND });
    world.start();
    at(world, 5 * SECOND, () => world.crashNexus('nexus-0'));
    at(world, 6 * SECOND, () => world.activate('nexus-0'));
    at(world, 7 * SECOND, () => world.upload('v1', 'nexus-0'));
    await world.run(45 * SECOND);
    expect(of(events, 'request_sent').filter((e) => e.nexus === 'nexus-0' && e.t >= 5 * SECOND)).toHaveLength(0);
    expect(of(events, 'repo_upload_failed').map((e) => [e.nexus, e.t])).toEqual([['nexus-0', 7 * SECOND]]);
    expect(of(events, 'activation_started').filter((e) => e.nexus === 'nexus-1')).toHaveLength(5);
    // Restarted by hand: it activates at once.
    at(world, 50 * SECOND, () => world.restartNexus('nexus-0'));
    await world.run(51 * SECOND);
    expect(of(events, 'activation_started').filter((e) => e.nexus === 'nexus-0').map((e) => [e.activation, e.t])).toEqual([
      [1, 0],
      [1, 50 * SECOND],
    ]);
  });
});

describe('NexusInstance: the ring-buffer panic aborts the Nexus (behaviour-by-commit.md §9)', () => {
  const RESTART = 45 * SECOND;
  async function release(generation: EngineGeneration, artifacts: number) {
    const { world, events } = smallWorld({ sleds: 32, generation, panicRestart: RESTART, repos: [repo('v1', artifacts, 4096)] });
    world.start();
    at(world, 1 * SECOND, () => world.upload('v1', 'nexus-0'));
    await world.run(2 * PERIOD - 1);
    return { world, events };
  }

  it.each([
    ['merged', 129],
    ['generation', 127],
    ['current', 127],
  ] as const)('%s, 32 sleds, %i new artifacts: the upload activation aborts the Nexus after its requests ran', async (generation, artifacts) => {
    const { world, events } = await release(generation, artifacts);
    const panics = of(events, 'fault_started').filter((e) => e.kind === 'nexus_panic');
    expect(panics.map((e) => e.target)).toEqual(['nexus-0']);
    const T = (panics[0] as WorldEvent).t;
    const sent = of(events, 'request_sent').filter((e) => e.activation === 2 && e.t <= T);
    expect(sent.filter((e) => e.kind === 'put' || e.kind === 'copy')).toHaveLength(32 * artifacts);
    const done = new Set(of(events, 'request_done').filter((e) => e.t <= T).map((e) => e.id));
    expect(sent.every((e) => done.has(e.id))).toBe(true);
    // Like a crash: the local repo is gone, the activation never finishes.
    expect(of(events, 'local_repos_lost')).toMatchObject([{ t: T, nexus: 'nexus-0', repos: ['v1'] }]);
    expect(of(events, 'activation_finished').filter((e) => e.activation === 2)).toHaveLength(0);
    // Restarted after panic_restart; its task ticks at once.
    expect(of(events, 'fault_ended').filter((e) => e.kind === 'nexus_panic').map((e) => e.t)).toEqual([T + RESTART]);
    expect(of(events, 'nexus_started').map((e) => [e.incarnation, e.t])).toEqual([
      [1, 0],
      [2, T + RESTART],
    ]);
    expect(of(events, 'activation_started').filter((e) => e.t >= T).map((e) => [e.activation, e.t])[0]).toEqual([1, T + RESTART]);
    expect(world.nexus.get('nexus-0')?.localRepoCount).toBe(0);
  });

  it.each([
    ['merged', 128],
    ['generation', 126],
    ['current', 126],
    ['review', 129],
  ] as const)('%s, 32 sleds, %i new artifacts: no panic', async (generation, artifacts) => {
    const { events } = await release(generation, artifacts);
    expect(of(events, 'fault_started').filter((e) => e.kind === 'nexus_panic')).toHaveLength(0);
    expect(of(events, 'local_repos_lost')).toHaveLength(0);
  });
});

describe('ENGINE.md §6: omicron integration expectation (merged, 4 sleds, min 3, one Nexus, no faults)', () => {
  it.each([1, 4, 16])('a repo of %i distinct artifacts', async (n) => {
    const { world, events } = smallWorld({ repos: [repo('v1', n, 1 * MiB)] });
    world.start();
    at(world, 1 * SECOND, () => world.upload('v1', 'nexus-0'));
    // Uploaded after the first two activations have ended: nothing changes.
    at(world, 2 * PERIOD + 1 * SECOND, () => world.upload('v1', 'nexus-0'));
    await world.run(3 * PERIOD - 1);

    const byActivation = requestsByActivation(events, 'nexus-0');
    expect(byActivation.get(1)).toEqual({ list: 4 });
    // The upload's activation.
    expect(byActivation.get(2)).toEqual({ list: 4, put: 3 * n, copy: n });
    // The next (periodic) activation only lists; then releases the local repo.
    expect(byActivation.get(3)).toEqual({ list: 4 });
    expect(byActivation.get(4)).toEqual({ list: 4 });
    expect(byActivation.size).toBe(4);

    const finished = of(events, 'activation_finished');
    expect(finished.map((e) => [e.activation, e.localRepos, e.error])).toEqual([
      [1, 0, null],
      [2, 1, null],
      [3, 0, null],
      [4, 0, null],
    ]);
    const released = of(events, 'local_repo_released');
    expect(released.map((e) => [e.repo, e.by, e.t])).toEqual([
      ['v1', 'task', PERIOD + IDLE_ACTIVATION],
      ['v1', 'upload', 2 * PERIOD + 1 * SECOND + transferTime(n * MiB) + UNPACK + DB_WRITE],
    ]);
    expect(of(events, 'repo_insert_skipped')).toHaveLength(1);
    expect(of(events, 'artifact_removed')).toHaveLength(0);
    for (const sled of world.sleds.values()) {
      expect(sled.store.storedHashes()).toHaveLength(n);
      for (const hash of sled.store.storedHashes()) expect(sled.store.copies(hash)).toBe(2);
    }
    expectNoOverlap(events);
  });
});
