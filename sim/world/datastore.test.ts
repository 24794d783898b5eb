// Tests of the datastore model: repos and reference-counted artifacts, the generation of
// the wanted set, in-service sleds, query latency (fixed, so times are exact in µs),
// snapshot reads, commit-at-end writes and outages.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ArtifactConfig, EngineGeneration } from '../../core/index.ts';
import { DatastoreModel, DatastoreUnavailable } from './datastore.ts';
import { Kernel, WaitScope } from './kernel/kernel.ts';
import { RandomStreams } from './kernel/random-streams.ts';
import type { WorldEvent } from './world-events.ts';

const READ = 5_000;
const WRITE = 7_000;

class Rig {
  readonly kernel = new Kernel();
  readonly events: WorldEvent[] = [];
  readonly db: DatastoreModel;
  readonly scope = new WaitScope(this.kernel, 'nexus-0');

  constructor(schema?: EngineGeneration) {
    this.db = new DatastoreModel(
      this.kernel,
      new RandomStreams(1).stream('datastore'),
      { fixed: READ },
      { fixed: WRITE },
      (e) => this.events.push({ ...e, t: this.kernel.now }),
      schema,
    );
  }

  /** Runs `fn` as a task at `at`; its outcome and the time it ended. */
  task<T>(at: number, fn: () => Promise<T>): { value?: T; error?: unknown; t?: number } {
    const out: { value?: T; error?: unknown; t?: number } = {};
    this.kernel.at(at, 'test task', () =>
      this.kernel.spawn('test task', async () => {
        try {
          out.value = await fn();
        } catch (err) {
          out.error = err;
        }
        out.t = this.kernel.now;
      }),
    );
    return out;
  }
}

describe('DatastoreModel: repos and the wanted set', () => {
  it('insertRepo returns false for an existing repo and changes nothing', () => {
    const { db, events } = new Rig();
    expect(db.insertRepo('v1', ['a', 'b'], 'nexus-0')).toBe(true);
    const generation = db.generation;
    expect(db.insertRepo('v1', ['c', 'd'], 'nexus-1')).toBe(false);
    expect(db.generation).toBe(generation);
    expect(db.wanted()).toEqual(['a', 'b']);
    expect(db.isWanted('c')).toBe(false);
    expect(db.repoNames()).toEqual(['v1']);
    expect(events.filter((e) => e.type === 'repo_inserted')).toHaveLength(1);
    // Deleting it once drops everything: the second insert added no references.
    expect(db.deleteRepo('v1')).toBe(true);
    expect(db.wanted()).toEqual([]);
  });

  it.each([
    { deleted: 'v1', kept: 'v2', wanted: ['shared', 'b1'] },
    { deleted: 'v2', kept: 'v1', wanted: ['a1', 'shared'] },
  ])('reference-counts shared artifacts: deleting $deleted keeps the shared hash wanted', ({ deleted, kept, wanted }) => {
    const { db } = new Rig();
    db.insertRepo('v1', ['a1', 'shared'], null);
    db.insertRepo('v2', ['shared', 'b1'], null);
    expect(db.deleteRepo(deleted)).toBe(true);
    expect(db.isWanted('shared')).toBe(true);
    expect(db.wanted().sort()).toEqual([...wanted].sort());
    expect(db.deleteRepo(kept)).toBe(true);
    expect(db.isWanted('shared')).toBe(false);
    expect(db.wanted()).toEqual([]);
  });

  it('an artifact listed twice in one repo is released when that repo goes', () => {
    const { db } = new Rig();
    db.insertRepo('v1', ['a', 'a'], null);
    db.deleteRepo('v1');
    expect(db.isWanted('a')).toBe(false);
  });

  it('bumps the generation on every insert and delete, and only then', () => {
    const { db, events } = new Rig();
    const steps: [() => boolean, boolean, number][] = [
      [() => db.insertRepo('v1', ['a'], 'nexus-0'), true, 2],
      [() => db.insertRepo('v2', ['b'], null), true, 3],
      [() => db.insertRepo('v1', ['a'], 'nexus-1'), false, 3],
      [() => db.deleteRepo('v1'), true, 4],
      [() => db.deleteRepo('v1'), false, 4],
      [() => db.deleteRepo('nope'), false, 4],
    ];
    expect(db.generation).toBe(1);
    for (const [step, result, generation] of steps) {
      expect(step()).toBe(result);
      expect(db.generation).toBe(generation);
    }
    expect(events.map((e) => [e.type, 'generation' in e ? e.generation : null])).toEqual([
      ['repo_inserted', 2],
      ['repo_inserted', 3],
      ['repo_deleted', 4],
    ]);
  });
});

describe('DatastoreModel: queries', () => {
  it.each([
    { start: 0, end: READ },
    { start: 1_234, end: 1_234 + READ },
  ])('a read started at $start µs answers at exactly $end µs', async ({ start, end }) => {
    const rig = new Rig();
    rig.db.insertRepo('v1', ['a'], null);
    const out = rig.task(start, () => rig.db.query(rig.scope, 'test', () => rig.db.wanted()));
    await rig.kernel.run();
    expect(out).toEqual({ value: ['a'], t: end });
  });

  it('a read sees the snapshot at its start; a write commits at its end', async () => {
    const rig = new Rig();
    const { db } = rig;
    const write = rig.task(0, () => db.write(rig.scope, 'insert', () => db.insertRepo('v1', ['a'], 'nexus-0')));
    // Starts before the insert commits (at WRITE): does not see it, though it ends after.
    const early = rig.task(WRITE - 1, () => db.query(rig.scope, 'early', () => db.wanted()));
    const late = rig.task(WRITE + 1, () => db.query(rig.scope, 'late', () => db.wanted()));
    await rig.kernel.run();
    expect(write).toEqual({ value: true, t: WRITE });
    expect(early).toEqual({ value: [], t: WRITE - 1 + READ });
    expect(late).toEqual({ value: ['a'], t: WRITE + 1 + READ });
    expect(rig.events.map((e) => [e.type, e.t])).toEqual([['repo_inserted', WRITE]]);
  });

  it('an outage fails every query started during it, after the latency, until it ends', async () => {
    const rig = new Rig();
    const { db, kernel } = rig;
    let end: () => void = () => undefined;
    kernel.at(10_000, 'outage', () => {
      end = db.outage();
    });
    kernel.at(30_000, 'outage ends', () => end());
    const client = db.client(rig.scope);
    const before = rig.task(9_999, () => client.listSleds());
    const during = rig.task(10_000, () => client.listSleds());
    const alsoDuring = rig.task(29_999, () => client.readArtifactConfig());
    const write = rig.task(28_000, () => db.write(rig.scope, 'insert', () => db.insertRepo('v1', ['a'], null)));
    const after = rig.task(30_000, () => client.listSleds());
    db.addSled('sled-0');
    await kernel.run();
    expect(before).toEqual({ value: ['sled-0'], t: 9_999 + READ });
    expect(during.error).toBeInstanceOf(DatastoreUnavailable);
    expect(during.t).toBe(10_000 + READ);
    expect(alsoDuring.error).toBeInstanceOf(DatastoreUnavailable);
    expect(alsoDuring.t).toBe(29_999 + READ);
    // Commits at 35,000, after the outage: it goes through.
    expect(write).toEqual({ value: true, t: 28_000 + WRITE });
    expect(after).toEqual({ value: ['sled-0'], t: 30_000 + READ });
    expect(db.available).toBe(true);
  });

  it('a write whose commit falls in an outage fails and changes nothing', async () => {
    const rig = new Rig();
    const { db, kernel } = rig;
    kernel.at(WRITE - 1, 'outage', () => void db.outage());
    const write = rig.task(0, () => db.write(rig.scope, 'insert', () => db.insertRepo('v1', ['a'], null)));
    await kernel.run();
    expect(write.error).toBeInstanceOf(DatastoreUnavailable);
    expect(db.hasRepo('v1')).toBe(false);
    expect(db.generation).toBe(1);
  });

  it('overlapping outages: queries fail until the last ends; ending one twice counts once', async () => {
    const rig = new Rig();
    const { db } = rig;
    const endA = db.outage();
    const endB = db.outage();
    endA();
    endA();
    expect(db.available).toBe(false);
    endB();
    expect(db.available).toBe(true);
  });

  it('client(): listSleds and readArtifactConfig give snapshots of the sled list and (generation, wanted)', async () => {
    const rig = new Rig();
    const { db } = rig;
    for (const sled of ['sled-0', 'sled-1', 'sled-2', 'sled-1']) db.addSled(sled);
    db.insertRepo('v1', ['a', 'b'], null);
    db.insertRepo('v2', ['b', 'c'], null);
    db.expungeSled('sled-1');
    db.expungeSled('sled-9');
    const client = db.client(rig.scope);
    const sleds = rig.task(0, () => client.listSleds());
    const config = rig.task(0, () => client.readArtifactConfig());
    await rig.kernel.run();
    expect(sleds).toEqual({ value: ['sled-0', 'sled-2'], t: READ });
    expect(config).toEqual({ value: { generation: 3, artifacts: ['a', 'b', 'c'] }, t: READ });
    expect(db.inServiceSleds()).toEqual(['sled-0', 'sled-2']);
    // The answer is a snapshot: later changes do not reach into it.
    db.addSled('sled-3');
    expect(sleds.value).toEqual(['sled-0', 'sled-2']);
  });

  it('client(): reads with no change between them share one answer; a change makes a new one', async () => {
    const rig = new Rig();
    const { db, kernel } = rig;
    db.addSled('sled-0');
    db.insertRepo('v1', ['a'], null);
    const client = db.client(rig.scope);
    const read = async () => {
      const out = rig.task(kernel.now, async () => [await client.listSleds(), await client.readArtifactConfig()] as const);
      await kernel.run();
      return out.value as readonly [readonly string[], ArtifactConfig];
    };
    const [sleds, config] = await read();
    const [sledsAgain, configAgain] = await read();
    expect(sledsAgain).toBe(sleds);
    expect(configAgain).toBe(config);
    db.addSled('sled-1');
    db.insertRepo('v2', ['b'], null);
    const [sledsAfter, configAfter] = await read();
    expect([sledsAfter, configAfter]).toEqual([['sled-0', 'sled-1'], { generation: 3, artifacts: ['a', 'b'] }]);
    expect([sleds, config]).toEqual([['sled-0'], { generation: 2, artifacts: ['a'] }]);
  });

  it.each(['review', 'current'] as const)('client(), %s: every answer is the state at its read, whatever sleds and repos came and went since', async (schema) => {
    // The answers are kept between reads (see `DatastoreModel.sledListing` and
    // `unprunedArtifacts`): a change that did not drop the kept answer, or one made in
    // place, would show here.
    const op = fc.record({ what: fc.constantFrom('add', 'expunge', 'insert', 'delete'), n: fc.integer({ min: 0, max: 3 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 24 }), async (ops) => {
        const rig = new Rig(schema);
        const { db, kernel } = rig;
        const client = db.client(rig.scope);
        const reads: { got: { value?: readonly [readonly string[], ArtifactConfig] }; expected: unknown }[] = [];
        for (const { what, n } of ops) {
          if (what === 'add') db.addSled(`sled-${n}`);
          else if (what === 'expunge') db.expungeSled(`sled-${n}`);
          else if (what === 'insert') db.insertRepo(`v${n}`, [`a${n}`, `a${n + 1}`], null);
          else db.deleteRepo(`v${n}`);
          // `current` reads the unpruned repos' artifacts as a set ordered by hash.
          const artifacts = schema === 'current' ? [...db.wanted()].sort() : db.wanted();
          const expected = [[...db.inServiceSleds()].sort(), { generation: db.generation, artifacts }];
          reads.push({ got: rig.task(kernel.now, async () => [await client.listSleds(), await client.readArtifactConfig()] as const), expected });
          await kernel.run();
        }
        for (const { got, expected } of reads) expect(got.value).toEqual(expected);
      }),
    );
  });

  it('a query of a closed scope (a crashed Nexus) never answers and does not stall the run', async () => {
    const rig = new Rig();
    const out = rig.task(0, () => rig.db.query(rig.scope, 'test', () => 1));
    rig.kernel.at(READ - 1, 'crash', () => rig.scope.close());
    await rig.kernel.run();
    expect(out).toEqual({});
  });
  it('listSleds: the in-service sleds ordered by uuid, equal uuids in the order they joined, as sleds come and go', async () => {
    // Sleds are kept in uuid order as they are added and expunged, not sorted at each
    // change: the listing must be the stable sort of the in-service sleds by uuid.
    const op = fc.record({ expunge: fc.boolean(), sled: fc.integer({ min: 0, max: 7 }), uuid: fc.constantFrom('0a', '0b', '1', 'a', 'b') });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const rig = new Rig();
        const uuids = new Map<string, string>();
        for (const { expunge, sled, uuid } of ops) {
          const id = `sled-${sled}`;
          if (expunge) rig.db.expungeSled(id);
          else {
            if (!rig.db.inServiceSleds().includes(id)) uuids.set(id, uuid);
            rig.db.addSled(id, uuid);
          }
        }
        const listed = rig.task(0, () => rig.db.client(rig.scope).listSleds());
        await rig.kernel.run();
        const expected = [...rig.db.inServiceSleds()].sort((a, b) => {
          const [ua, ub] = [uuids.get(a) as string, uuids.get(b) as string];
          return ua < ub ? -1 : ua > ub ? 1 : 0;
        });
        expect(listed.value).toEqual(expected);
      }),
    );
  });
});

describe('DatastoreModel: the generation rules of c31dc2f3 and HEAD', () => {
  it.each(['generation', 'current'] as const)('%s: a new repo bumps the generation only when it brings a new artifact row', (schema) => {
    const { db } = new Rig(schema);
    expect(db.insertRepo('v1', ['a', 'b'], null)).toBe(true);
    expect(db.generation).toBe(2);
    expect(db.insertRepo('v2', ['b', 'a'], null)).toBe(true);
    expect(db.generation).toBe(2);
    expect(db.insertRepo('v3', ['b', 'c'], null)).toBe(true);
    expect(db.generation).toBe(3);
  });

  it('current: a delete prunes (the repo stays, its artifacts leave the configuration); a re-upload un-prunes and bumps', () => {
    const { db, events } = new Rig('current');
    db.insertRepo('v1', ['a', 'shared'], null);
    db.insertRepo('v2', ['shared', 'b'], null);
    expect(db.deleteRepo('v1')).toBe(true);
    expect(db.generation).toBe(4);
    expect(db.hasRepo('v1')).toBe(true);
    expect(db.wanted().sort()).toEqual(['b', 'shared']);
    expect(db.deleteRepo('v1')).toBe(false);
    expect(db.generation).toBe(4);
    // AlreadyExists, but un-pruned: back in the configuration at a new generation.
    expect(db.insertRepo('v1', ['a', 'shared'], 'nexus-1')).toBe(false);
    expect(db.generation).toBe(5);
    expect(db.wanted().sort()).toEqual(['a', 'b', 'shared']);
    expect(events.map((e) => [e.type, 'repo' in e ? e.repo : null, 'generation' in e ? e.generation : null])).toEqual([
      ['repo_inserted', 'v1', 2],
      ['repo_inserted', 'v2', 3],
      ['repo_deleted', 'v1', 4],
      ['repo_inserted', 'v1', 5],
    ]);
    // A re-upload of an unpruned repo changes nothing.
    expect(db.insertRepo('v2', ['shared', 'b'], null)).toBe(false);
    expect(db.generation).toBe(5);
  });

  it('current: the configuration is the unpruned repos\' artifacts by hash, read in four queries', async () => {
    const rig = new Rig('current');
    rig.db.insertRepo('v2', ['z', 'm'], null);
    rig.db.insertRepo('v1', ['c', 'a'], null);
    rig.db.insertRepo('v0', ['q'], null);
    rig.db.deleteRepo('v0');
    const config = rig.task(0, () => rig.db.client(rig.scope).readArtifactConfig());
    await rig.kernel.run();
    expect(config).toEqual({ value: { generation: 5, artifacts: ['a', 'c', 'm', 'z'] }, t: 4 * READ });
  });

  it.each([
    { what: 'an insert', change: (db: DatastoreModel) => db.insertRepo('v2', ['b'], null) },
    { what: 'a prune', change: (db: DatastoreModel) => db.deleteRepo('v1') },
  ])('current: $what between the two generation reads fails the read', async ({ change }) => {
    const rig = new Rig('current');
    rig.db.insertRepo('v1', ['a'], null);
    const config = rig.task(0, () => rig.db.client(rig.scope).readArtifactConfig());
    // The second generation read starts at 2 × READ: its snapshot sees the change.
    rig.kernel.at(2 * READ - 1, 'change', () => void change(rig.db));
    await rig.kernel.run();
    expect((config.error as Error).message).toBe(`generation changed from 2 to 3, bailing`);
    expect(config.t).toBe(3 * READ);
  });

  it('current: the recent distinct target releases, and tuf_repo_mark_pruned refusing a stale view', () => {
    const { db } = new Rig('current');
    for (const name of ['v1', 'v2', 'v3', 'v4']) db.insertRepo(name, [`${name}-a`], null);
    expect(db.recentTargetReleases(3)).toEqual({ releases: new Set(), generation: 1 });
    expect(db.setTargetRelease('nope')).toBe(false);
    for (const name of ['v1', 'v2', 'v2', 'v3', 'v3']) db.setTargetRelease(name);
    expect(db.recentTargetReleases(2)).toEqual({ releases: new Set(['v3', 'v2']), generation: 6 });
    expect(db.recentTargetReleases(3)).toEqual({ releases: new Set(['v3', 'v2', 'v1']), generation: 6 });
    expect(() => db.markPruned('v4', db.generation, 5)).toThrow(/target release generation has changed/);
    expect(() => db.markPruned('v4', db.generation - 1, 6)).toThrow(/tuf repo generation has changed/);
    const before = db.generation;
    expect(db.markPruned('v4', before, 6)).toBe(true);
    expect(db.generation).toBe(before + 1);
    expect(db.markPruned('v4', before + 1, 6)).toBe(false);
    expect(db.generation).toBe(before + 1);
  });

  it('current: a change after the second generation read is not seen and does not fail it', async () => {
    const rig = new Rig('current');
    rig.db.insertRepo('v1', ['a'], null);
    const config = rig.task(0, () => rig.db.client(rig.scope).readArtifactConfig());
    rig.kernel.at(2 * READ + 1, 'insert', () => void rig.db.insertRepo('v2', ['b'], null));
    await rig.kernel.run();
    expect(config.value).toEqual({ generation: 2, artifacts: ['a'] });
  });
});
