// The races of ENGINE.md §4, built by hand: explicit world actions at chosen times, fixed
// latencies, and exact figures read from the event stream (the ground truth). Each race is
// shown where it happens and shown not to happen where the design prevents it.
import { describe, expect, it } from 'vitest';
import type { ArtifactHash, EngineGeneration, SledId } from '../../core/index.ts';
import type { UploadOrder } from '../world/nexus/nexus-instance.ts';
import { MiB, MS, SECOND, repo, worldConfig } from '../world/testing/world-fixtures.ts';
import { World, type RepoSpec } from '../world/world.ts';
import type { WorldEvent, WorldEventType } from '../world/world-events.ts';

const LAT = 1 * MS;
const DB = 2 * MS;
const SLEDS: SledId[] = ['sled-0', 'sled-1', 'sled-2', 'sled-3'];
/** An activation with nothing to do: two datastore reads, then one list round trip. */
const IDLE_ACTIVATION = 2 * DB + 2 * LAT;

interface Setup {
  generation: EngineGeneration;
  nexus: number;
  uploadOrder: UploadOrder;
  repos: RepoSpec[];
  bandwidth?: number;
  period?: number;
  unpack?: number;
  dbWrite?: number;
}

/** A 4-sled world; every listener sees, with each event, the wanted set at that moment. */
function world(s: Setup): { world: World; events: WorldEvent[]; removedWhileWanted: WorldEvent[] } {
  const w = new World(
    worldConfig({
      sleds: 4,
      network: { latency: { fixed: LAT }, bandwidth: s.bandwidth ?? 64 * MiB, timeout: 60 * SECOND, loss: 0 },
      datastoreLatency: { fixed: DB },
      datastoreWriteLatency: { fixed: s.dbWrite ?? DB },
      nexus: { count: s.nexus, period: s.period ?? 3_600 * SECOND, unpack: s.unpack ?? 5 * SECOND, uploadOrder: s.uploadOrder },
      engine: { generation: s.generation, minSledReplication: 3 },
      repos: s.repos,
    }),
  );
  const events: WorldEvent[] = [];
  const removedWhileWanted: WorldEvent[] = [];
  w.subscribe((e) => {
    events.push(e);
    if (e.type === 'artifact_removed' && w.datastore.isWanted(e.hash)) removedWhileWanted.push(e);
  });
  return { world: w, events, removedWhileWanted };
}

type Of<T extends WorldEventType> = Extract<WorldEvent, { type: T }>;
function of<T extends WorldEventType>(events: readonly WorldEvent[], type: T): Of<T>[] {
  return events.filter((e): e is Of<T> => e.type === type);
}
const at = (w: World, t: number, fn: () => void): void => void w.kernel.at(t, 'test action', fn);
/** Sleds holding `hash` on at least one M.2 now. */
const holders = (w: World, hash: ArtifactHash): number => [...w.sleds.values()].filter((s) => s.store.copies(hash) > 0).length;

describe('§4 stale delete: a Nexus whose lists come back late DELETEs a repo uploaded meanwhile', () => {
  // A (nexus-0) activates at T1 and reads the wanted set (v0 only); the sleds in `slowed`
  // are slow (+20 s each way) for the first second only, so A's list requests to them land
  // at T1 + 4 ms + 20 s + 1 ms and the answers come back at normal speed. Meanwhile B
  // (nexus-1) uploads v1 at T1 + 0.1 s and replicates it to every sled by T1 + 10 s.
  const T1 = 10 * SECOND;
  const SLOW = 20 * SECOND;
  const LIST_ARRIVES = T1 + 2 * DB + LAT + SLOW;
  const DELETE_SENT = LIST_ARRIVES + LAT;
  const NEW = ['v1-0000', 'v1-0001'];

  async function staleDelete(generation: EngineGeneration, slowed: readonly SledId[]) {
    const uploadOrder: UploadOrder = generation === 'review' ? 'channel_first' : 'db_first';
    const r = world({ generation, nexus: 2, uploadOrder, repos: [repo('v0', 2, 1 * MiB), repo('v1', 2, 1 * MiB)] });
    const w = r.world;
    w.seedRepo('v0', SLEDS);
    w.start();
    at(w, T1, () => {
      for (const sled of slowed) w.slow(sled, SLOW, 1 * SECOND);
      w.activate('nexus-0');
    });
    at(w, T1 + 100 * MS, () => w.upload('v1', 'nexus-1'));
    // review copies one sled per artifact per activation: give B enough of them.
    for (const k of [7, 8, 9, 10]) at(w, T1 + k * SECOND, () => w.activate('nexus-1'));
    // B's activation after A's deletes.
    at(w, T1 + 40 * SECOND, () => w.activate('nexus-1'));
    // Before A's late lists, every sled holds both new artifacts.
    let heldBeforeLists = -1;
    at(w, LIST_ARRIVES - 1, () => (heldBeforeLists = Math.min(...NEW.map((h) => holders(w, h)))));
    await w.run(T1 + 60 * SECOND);
    return { ...r, heldBeforeLists };
  }

  it.each([
    { generation: 'review' as const, slowed: ['sled-3'], lost: false },
    { generation: 'merged' as const, slowed: ['sled-3'], lost: false },
    { generation: 'review' as const, slowed: SLEDS, lost: true },
    { generation: 'merged' as const, slowed: SLEDS, lost: true },
  ])('$generation, $slowed.length slow sled(s): A deletes the new artifacts there', async ({ generation, slowed, lost }) => {
    const { world: w, events, removedWhileWanted, heldBeforeLists } = await staleDelete(generation, slowed);
    expect(heldBeforeLists).toBe(4);
    // The insert falls inside A's activation: after it started, before its lists came back.
    const inserted = of(events, 'repo_inserted').find((e) => e.repo === 'v1');
    expect(inserted?.t).toBeGreaterThan(T1 + 2 * DB);
    expect(inserted?.t).toBeLessThan(LIST_ARRIVES);

    const deletes = of(events, 'request_sent').filter((e) => e.kind === 'delete');
    expect(deletes.every((e) => e.nexus === 'nexus-0' && e.activation === 2 && e.t === DELETE_SENT)).toBe(true);
    expect(deletes.map((e) => `${e.target} ${e.hash}`).sort()).toEqual(slowed.flatMap((s) => NEW.map((h) => `${s} ${h}`)).sort());
    // Every removal hits a wanted artifact: 2 artifacts × 2 M.2s on each slowed sled.
    const removed = of(events, 'artifact_removed');
    expect(removed).toHaveLength(slowed.length * 2 * 2);
    expect(removedWhileWanted).toHaveLength(removed.length);
    for (const e of removed) expect([e.cause, e.t, NEW.includes(e.hash)]).toEqual(['delete', DELETE_SENT + LAT, true]);

    // B's local copy is gone by then (released after it saw the artifacts on ≥ 3 sleds).
    const released = of(events, 'local_repo_released').filter((e) => e.repo === 'v1');
    expect(released).toHaveLength(1);
    expect(released[0]?.t).toBeLessThan(DELETE_SENT);
    expect(w.datastore.hasRepo('v1')).toBe(true);
    if (lost) {
      // Deleted from every sled, held by no Nexus: v1 is in the database and nowhere else.
      for (const h of NEW) expect(holders(w, h)).toBe(0);
    } else {
      // The other sleds still hold them: B's next activation copies them back.
      const recopied = of(events, 'artifact_stored').filter((e) => e.t > DELETE_SENT && e.sled === 'sled-3');
      expect(recopied.map((e) => e.hash).sort()).toEqual([...NEW, ...NEW].sort());
      for (const h of NEW) expect(holders(w, h)).toBe(4);
    }
  });

  it.each([{ slowed: ['sled-3'] }, { slowed: SLEDS }])(
    'generation, $slowed.length slow sled(s): the same schedule removes no wanted artifact',
    async ({ slowed }) => {
      const { world: w, events, removedWhileWanted, heldBeforeLists } = await staleDelete('generation', slowed);
      expect(heldBeforeLists).toBe(4);
      expect(of(events, 'request_sent').filter((e) => e.kind === 'delete')).toHaveLength(0);
      expect(of(events, 'artifact_removed')).toHaveLength(0);
      expect(removedWhileWanted).toHaveLength(0);
      // A's config (generation 2) reaches the slow sleds after B's (3): refused, A stops.
      const a = of(events, 'activation_finished').find((e) => e.nexus === 'nexus-0' && e.activation === 2);
      expect(a?.t).toBe(LIST_ARRIVES + LAT);
      // A Break, not an error (audit E2): the refusals are in A's requests.
      expect(a?.error).toBeNull();
      const refused = of(events, 'request_sent').filter((e) => e.nexus === 'nexus-0' && e.activation === 2 && e.kind === 'config');
      const outcomes = new Map(of(events, 'request_done').map((e) => [e.id, e.error]));
      const toSlow = refused.filter((e) => slowed.includes(e.target));
      expect(toSlow.length).toBeGreaterThan(0);
      expect(toSlow.every((e) => /generation/.test(outcomes.get(e.id) ?? ''))).toBe(true);
      expect(of(events, 'request_sent').filter((e) => e.nexus === 'nexus-0' && e.activation === 2 && (e.kind === 'put' || e.kind === 'copy'))).toHaveLength(0);
      for (const h of NEW) expect(holders(w, h)).toBe(4);
    },
  );
});

describe('§4 channel before database: an activation between the channel send and the insert', () => {
  const BYTES = 2 * MiB;
  const BANDWIDTH = 64 * MiB;
  const UNPACK = 30 * SECOND;
  const PERIOD = 60 * SECOND;
  const transfer = Math.ceil((BYTES * SECOND) / BANDWIDTH);
  const NEW = ['v1-0000', 'v1-0001'];

  // Two ways to land in the window: a manual activation during a slow (10 s) insert, and
  // the periodic one at 60 s, 5 ms after unpacking ended, during a 20 ms insert.
  const schedules = [
    { how: 'manual activation', dbWrite: 10 * SECOND, uploadAt: 1 * SECOND, activateAfterUnpack: 1 * SECOND },
    { how: 'periodic activation', dbWrite: 20 * MS, uploadAt: PERIOD - 5 * MS - UNPACK - transfer, activateAfterUnpack: null },
  ];

  async function upload(order: UploadOrder, s: (typeof schedules)[number]) {
    const r = world({ generation: 'review', nexus: 1, uploadOrder: order, repos: [repo('v1', 2, 1 * MiB)], bandwidth: BANDWIDTH, period: PERIOD, unpack: UNPACK, dbWrite: s.dbWrite });
    const w = r.world;
    // Whenever a local copy of v1 goes, how many sleds hold each of its artifacts.
    const heldAtRelease: number[][] = [];
    w.subscribe((e) => {
      if (e.type === 'local_repo_released' && e.repo === 'v1') heldAtRelease.push(NEW.map((h) => holders(w, h)));
    });
    w.start();
    at(w, s.uploadAt, () => w.upload('v1', 'nexus-0'));
    const added = s.uploadAt + transfer + UNPACK;
    const activation = s.activateAfterUnpack === null ? PERIOD : added + s.activateAfterUnpack;
    if (s.activateAfterUnpack !== null) at(w, activation, () => w.activate('nexus-0'));
    await w.run(8 * PERIOD);
    return { ...r, heldAtRelease, added, activation };
  }

  it.each(schedules)('review, channel_first, $how: the local copy goes before any sled has it; v1 is lost', async (s) => {
    const { world: w, events, heldAtRelease, added, activation } = await upload('channel_first', s);
    expect(of(events, 'local_repo_added').map((e) => e.t)).toEqual([added]);
    expect(activation).toBeGreaterThan(added);
    expect(activation).toBeLessThan(added + s.dbWrite);
    const released = of(events, 'local_repo_released');
    expect(released.map((e) => [e.repo, e.by, e.t])).toEqual([['v1', 'task', activation + IDLE_ACTIVATION]]);
    expect(heldAtRelease).toEqual([[0, 0]]);
    expect(of(events, 'repo_inserted').map((e) => e.t)).toEqual([added + s.dbWrite]);
    expect(released[0]?.t).toBeLessThan(added + s.dbWrite);
    // In the database, on no sled, in no Nexus: every later activation has nothing to PUT.
    expect(w.datastore.hasRepo('v1')).toBe(true);
    expect(of(events, 'request_sent').filter((e) => e.kind !== 'list')).toHaveLength(0);
    expect(of(events, 'artifact_stored')).toHaveLength(0);
    for (const h of NEW) expect(holders(w, h)).toBe(0);
  });

  it.each(schedules)('review, db_first, $how: the local copy stays until 3 sleds hold every artifact', async (s) => {
    const { world: w, events, heldAtRelease, added, activation } = await upload('db_first', s);
    const window = of(events, 'activation_finished').find((e) => e.t === activation + IDLE_ACTIVATION);
    expect(window?.localRepos).toBe(0);
    expect(of(events, 'repo_inserted').map((e) => e.t)).toEqual([added + s.dbWrite]);
    expect(heldAtRelease).toHaveLength(1);
    for (const n of heldAtRelease[0] ?? []) expect(n).toBeGreaterThanOrEqual(3);
    expect(of(events, 'local_repo_released')[0]?.by).toBe('task');
    // Converged: every sled holds both, on both M.2s.
    for (const sled of w.sleds.values()) expect(NEW.map((h) => sled.store.copies(h))).toEqual([2, 2]);
  });
});

describe('§4 delete vs copy in flight: a DELETE while the copy body streams, and the artifact is back', () => {
  // v1 (one 8 MiB artifact) is on every sled; sled-2's second M.2 has failed, so merged
  // sends it a recopy at t = 6 ms (answered OK at once; the body then streams from the
  // source). At 2 s v1 is deleted from the database and the Nexus activated: it DELETEs
  // v1 everywhere, sled-2 included, while sled-2's body is (or is no longer) in flight.
  const SIZE = 8 * MiB;
  const HASH = 'v1-0000';
  const COPY_SENT = 2 * DB + 2 * LAT;
  /** Request to sled-2, then the depot request and its answer: the body starts streaming. */
  const BODY_STARTS = COPY_SENT + 3 * LAT;
  const DELETE_AT = 2 * SECOND;
  const DELETE_ARRIVES = DELETE_AT + IDLE_ACTIVATION + LAT;

  it.each([
    { bandwidth: 1 * MiB, inFlight: true, storedAt: BODY_STARTS + 8 * SECOND, endCopies: 1 },
    { bandwidth: 1024 * MiB, inFlight: false, storedAt: BODY_STARTS + Math.ceil((SIZE * SECOND) / (1024 * MiB)), endCopies: 0 },
  ])('bandwidth $bandwidth B/s: copy in flight at the delete: $inFlight', async ({ bandwidth, inFlight, storedAt, endCopies }) => {
    const { world: w, events } = world({ generation: 'merged', nexus: 1, uploadOrder: 'db_first', repos: [repo('v1', 1, SIZE)], bandwidth });
    w.seedRepo('v1', SLEDS);
    w.failM2('sled-2', 1);
    w.start();
    at(w, DELETE_AT, () => {
      w.deleteRepo('v1');
      w.activate('nexus-0');
    });
    await w.run(20 * SECOND);

    const copies = of(events, 'request_sent').filter((e) => e.kind === 'copy');
    expect(copies.map((e) => [e.target, e.hash, e.t, e.activation])).toEqual([['sled-2', HASH, COPY_SENT, 1]]);
    const copyDone = of(events, 'request_done').find((e) => e.id === copies[0]?.id);
    // sled-2 answers OK as the body starts; the answer takes one latency.
    expect(copyDone).toMatchObject({ outcome: 'ok', t: BODY_STARTS + LAT });
    const deletes = of(events, 'request_sent').filter((e) => e.kind === 'delete');
    expect(deletes.map((e) => e.target).sort()).toEqual(SLEDS);

    const timeline = events.flatMap((e): [string, number, string][] => {
      if (e.type === 'artifact_stored' && e.sled === 'sled-2' && e.via !== 'initial') return [[e.type, e.t, e.via]];
      if (e.type === 'artifact_removed' && e.sled === 'sled-2') return [[e.type, e.t, e.cause]];
      return [];
    });
    if (inFlight) {
      expect(timeline).toEqual([
        ['artifact_removed', 0, 'm2_failure'],
        ['artifact_removed', DELETE_ARRIVES, 'delete'],
        ['artifact_stored', storedAt, 'copy'],
      ]);
    } else {
      expect(timeline).toEqual([
        ['artifact_removed', 0, 'm2_failure'],
        ['artifact_stored', storedAt, 'copy'],
        ['artifact_removed', DELETE_ARRIVES, 'delete'],
      ]);
    }
    // Unwanted, yet back on sled-2 when the copy landed after the delete.
    expect(w.datastore.isWanted(HASH)).toBe(false);
    expect(w.sleds.get('sled-2')?.store.copies(HASH)).toBe(endCopies);
    for (const s of ['sled-0', 'sled-1', 'sled-3']) expect(w.sleds.get(s)?.store.copies(HASH)).toBe(0);

    // The next activation lists it as unwanted and deletes it for good.
    at(w, 30 * SECOND, () => w.activate('nexus-0'));
    await w.run(31 * SECOND);
    expect(of(events, 'request_sent').filter((e) => e.kind === 'delete' && e.t >= 30 * SECOND)).toHaveLength(endCopies);
    expect(w.sleds.get('sled-2')?.store.copies(HASH)).toBe(0);
  });
});
