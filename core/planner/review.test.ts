// The `review` engine's planning (ENGINE.md §1, "review"): one PUT or one copy per wanted
// artifact, a DELETE per unwanted copy, a random selection under two caps.
import { describe, expect, it } from 'vitest';
import type { ArtifactPresence, Inventory } from '../inventory.ts';
import { engineParams, type EngineParams } from '../params.ts';
import { seededRng } from '../random.ts';
import { fakeRepo, hash, type FakeRepo } from '../testing/fake-rack.ts';
import { everywhere, presence, sledIds } from '../testing/inventory-builders.ts';
import type { ArtifactHash, Request, SledId } from '../types.ts';
import { allRequests, planActivation, type Plan } from './index.ts';

const SEEDS = ['a', 'b', 'c', 'review', '7'];

function plan(
  sleds: readonly SledId[],
  inventory: Inventory,
  localRepos: readonly FakeRepo[] = [],
  overrides: Partial<EngineParams> = {},
  seed = 'seed',
): Plan {
  return planActivation({ sleds, inventory, localRepos }, seededRng(seed), engineParams({ generation: 'review', ...overrides }));
}

function hashOf(request: Request): ArtifactHash {
  return request.kind === 'put' ? request.artifact.hash : request.hash;
}

const kinds = (requests: readonly Request[]) => ({
  put: requests.filter((r) => r.kind === 'put').length,
  copy: requests.filter((r) => r.kind === 'copy').length,
  delete: requests.filter((r) => r.kind === 'delete').length,
});

/**
 * 4 sleds; `puts` artifacts held only locally, `copies` artifacts on sled-0 only,
 * `deletes` unwanted artifacts on sled-1 and sled-2 (two DELETEs each).
 */
function mixed(puts: number, copies: number, unwanted: number) {
  const sleds = sledIds(4);
  const inventory = new Map<ArtifactHash, ArtifactPresence>();
  const local: ArtifactHash[] = [];
  let n = 1;
  for (let i = 0; i < puts; i++, n++) {
    inventory.set(hash(n), presence(true));
    local.push(hash(n));
  }
  for (let i = 0; i < copies; i++, n++) inventory.set(hash(n), presence(true, { 'sled-0': 2 }));
  for (let i = 0; i < unwanted; i++, n++) inventory.set(hash(n), presence(false, { 'sled-1': 2, 'sled-2': 1 }));
  return { sleds, inventory, repo: fakeRepo('v1', local) };
}

describe('review planner: what it generates', () => {
  const sleds = sledIds(5);

  it.each(SEEDS)('seed %s: a wanted artifact on no sled, held locally, gets exactly one PUT', (seed) => {
    const repo = fakeRepo('v1', [hash(1)]);
    const p = plan(sleds, new Map([[hash(1), presence(true)]]), [repo], {}, seed);
    expect(p.put).toHaveLength(1);
    expect(p.put[0]?.artifact).toBe(repo.artifacts[0]);
    expect(sleds).toContain(p.put[0]?.target);
    expect(p.other).toEqual([]);
    expect(p.copyAfterPut).toEqual([]);
    expect(p.recopy).toEqual([]);
    expect(p.deferred).toEqual([]);
    expect(p.release).toEqual([]);
  });

  it('a wanted artifact on no sled and not held locally gets nothing', () => {
    const p = plan(sleds, new Map([[hash(1), presence(true)]]), [fakeRepo('other', [hash(2)])]);
    expect(allRequests(p)).toEqual([]);
    expect(p.deferred).toEqual([]);
  });

  it.each(SEEDS)('seed %s: a partially replicated artifact gets exactly one copy, missing ← holder', (seed) => {
    const holders = ['sled-1', 'sled-3'];
    const p = plan(sleds, new Map([[hash(1), presence(true, everywhere(holders))]]), [], {}, seed);
    expect(p.put).toEqual([]);
    expect(p.other).toHaveLength(1);
    const [copy] = p.other;
    expect(copy?.kind).toBe('copy');
    if (copy?.kind !== 'copy') return;
    expect(['sled-0', 'sled-2', 'sled-4']).toContain(copy.target);
    expect(holders).toContain(copy.source);
  });

  it('picks copy targets and sources at random', () => {
    const holders = ['sled-1', 'sled-3'];
    const targets = new Set<SledId>();
    const sources = new Set<SledId>();
    for (let i = 0; i < 40; i++) {
      const p = plan(sleds, new Map([[hash(1), presence(true, everywhere(holders))]]), [], {}, `spread-${i}`);
      for (const r of p.other) {
        if (r.kind !== 'copy') continue;
        targets.add(r.target);
        sources.add(r.source);
      }
    }
    expect([...targets].sort()).toEqual(['sled-0', 'sled-2', 'sled-4']);
    expect([...sources].sort()).toEqual(holders);
  });

  it('a partially replicated artifact that is also held locally still gets only one copy, no PUT', () => {
    const repo = fakeRepo('v1', [hash(1)]);
    const p = plan(sleds, new Map([[hash(1), presence(true, { 'sled-2': 2 })]]), [repo]);
    expect(p.put).toEqual([]);
    expect(p.other).toHaveLength(1);
    expect(p.other[0]).toMatchObject({ kind: 'copy', source: 'sled-2', hash: hash(1) });
  });

  it('does no recopy: a sled short of expected_count copies gets nothing', () => {
    const p = plan(sleds, new Map([[hash(1), presence(true, { ...everywhere(sleds), 'sled-2': 1 })]]));
    expect(allRequests(p)).toEqual([]);
    expect(p.deferred).toEqual([]);
  });

  it('an unwanted artifact gets one DELETE per sled reporting it', () => {
    const inventory: Inventory = new Map([
      [hash(1), presence(true, everywhere(sleds))],
      [hash(2), presence(false, { 'sled-0': 2, 'sled-4': 1 })],
    ]);
    const p = plan(sleds, inventory);
    expect(p.put).toEqual([]);
    expect(p.other).toHaveLength(2);
    expect(p.other).toEqual(
      expect.arrayContaining([
        { kind: 'delete', target: 'sled-0', hash: hash(2) },
        { kind: 'delete', target: 'sled-4', hash: hash(2) },
      ]),
    );
  });

  it('all sleds complete: empty plan', () => {
    const inventory: Inventory = new Map([1, 2, 3].map((n) => [hash(n), presence(true, everywhere(sleds))] as const));
    const p = plan(sleds, inventory);
    expect({ ...p, deferred: p.deferred }).toEqual({ put: [], copyAfterPut: [], other: [], recopy: [], deferredCount: 0, deferred: [], release: [] });
  });
});

describe('review planner: caps', () => {
  it.each(SEEDS)('seed %s: 20 PUTs, 10 copies, 6 DELETEs under 32/8 → 8 PUTs + 16 others sent, 12 PUTs deferred', (seed) => {
    const { sleds, inventory, repo } = mixed(20, 10, 3);
    const p = plan(sleds, inventory, [repo], { maxRequests: 32, maxPutRequests: 8 }, seed);
    expect(p.put).toHaveLength(8);
    expect(kinds(p.other)).toEqual({ put: 0, copy: 10, delete: 6 });
    expect(kinds(p.deferred)).toEqual({ put: 12, copy: 0, delete: 0 });
    expect(p.copyAfterPut).toEqual([]);
    expect(p.recopy).toEqual([]);
  });

  it.each(SEEDS)('seed %s: 5 PUTs, 40 copies under 32/8 → exactly 32 sent, 13 deferred', (seed) => {
    const { sleds, inventory, repo } = mixed(5, 40, 0);
    const p = plan(sleds, inventory, [repo], { maxRequests: 32, maxPutRequests: 8 }, seed);
    expect(p.put.length + p.other.length).toBe(32);
    expect(p.deferred).toHaveLength(13);
    expect(kinds([...allRequests(p), ...p.deferred])).toEqual({ put: 5, copy: 40, delete: 0 });
  });

  it('the selection is random: which copies are deferred depends on the seed', () => {
    const { sleds, inventory, repo } = mixed(0, 40, 0);
    const deferredSets = new Set<string>();
    for (const seed of SEEDS) {
      const p = plan(sleds, inventory, [repo], { maxRequests: 32 }, seed);
      deferredSets.add(p.deferred.map(hashOf).sort().join(','));
    }
    expect(deferredSets.size).toBeGreaterThan(1);
  });

  it('max_requests 0 defers everything', () => {
    const { sleds, inventory, repo } = mixed(3, 3, 1);
    const p = plan(sleds, inventory, [repo], { maxRequests: 0 });
    expect(allRequests(p)).toEqual([]);
    expect(kinds(p.deferred)).toEqual({ put: 3, copy: 3, delete: 2 });
  });

  it('max_put_requests 0 defers every PUT and nothing else', () => {
    const { sleds, inventory, repo } = mixed(3, 3, 1);
    const p = plan(sleds, inventory, [repo], { maxPutRequests: 0 });
    expect(p.put).toEqual([]);
    expect(kinds(p.other)).toEqual({ put: 0, copy: 3, delete: 2 });
    expect(kinds(p.deferred)).toEqual({ put: 3, copy: 0, delete: 0 });
  });

  it('bug ignore_limits: sends everything generated, defers nothing', () => {
    const { sleds, inventory, repo } = mixed(20, 10, 3);
    const p = plan(sleds, inventory, [repo], { maxRequests: 4, maxPutRequests: 1, bugs: new Set(['ignore_limits']) });
    expect(p.put).toHaveLength(20);
    expect(kinds(p.other)).toEqual({ put: 0, copy: 10, delete: 6 });
    expect(p.deferred).toEqual([]);
  });
});

describe('review planner: local repo release, threshold min(min_sled_replication, sleds)', () => {
  it('2 sleds, min 3: released once the artifact is on both sleds', () => {
    const sleds = sledIds(2);
    const repo = fakeRepo('v1', [hash(1)]);
    const p = plan(sleds, new Map([[hash(1), presence(true, { 'sled-0': 1, 'sled-1': 2 })]]), [repo]);
    expect(p.release).toEqual([repo]);
    expect(repo.released).toBe(false); // the planner decides; the engine releases
    expect(allRequests(p)).toEqual([]);
  });

  it('2 sleds, min 3: kept while the artifact is on one sled, which gets copied to the other', () => {
    const sleds = sledIds(2);
    const repo = fakeRepo('v1', [hash(1)]);
    const p = plan(sleds, new Map([[hash(1), presence(true, { 'sled-1': 2 })]]), [repo]);
    expect(p.release).toEqual([]);
    expect(p.put).toEqual([]);
    expect(p.other).toEqual([{ kind: 'copy', target: 'sled-0', source: 'sled-1', hash: hash(1) }]);
  });

  it('5 sleds, min 3: kept on 2 sleds, released on 3', () => {
    const sleds = sledIds(5);
    const kept = fakeRepo('kept', [hash(1)]);
    const released = fakeRepo('released', [hash(2)]);
    const inventory: Inventory = new Map([
      [hash(1), presence(true, { 'sled-0': 2, 'sled-1': 2 })],
      [hash(2), presence(true, { 'sled-0': 2, 'sled-1': 2, 'sled-4': 1 })],
    ]);
    const p = plan(sleds, inventory, [kept, released]);
    expect(p.release).toEqual([released]);
  });

  it('a repo is held back by any one artifact short of the threshold', () => {
    const sleds = sledIds(4);
    const repo = fakeRepo('v1', [hash(1), hash(2)]);
    const inventory: Inventory = new Map([
      [hash(1), presence(true, everywhere(sleds))],
      [hash(2), presence(true, { 'sled-3': 2 })],
    ]);
    expect(plan(sleds, inventory, [repo]).release).toEqual([]);
  });

  it('artifacts of the repo absent from the inventory do not hold it back', () => {
    const sleds = sledIds(3);
    const repo = fakeRepo('v1', [hash(1), hash(99)]);
    const p = plan(sleds, new Map([[hash(1), presence(true, everywhere(sleds))]]), [repo]);
    expect(p.release).toEqual([repo]);
  });

  it('a repo with one artifact on no sled is kept, and only that artifact is PUT', () => {
    const sleds = sledIds(1);
    const repo = fakeRepo('v1', [hash(1), hash(2)]);
    const inventory: Inventory = new Map([
      [hash(1), presence(true, { 'sled-0': 2 })],
      [hash(2), presence(true)],
    ]);
    const p = plan(sleds, inventory, [repo]);
    expect(p.release).toEqual([]);
    expect(p.put.map((r) => r.artifact.hash)).toEqual([hash(2)]);
  });
});

it('review is deterministic: the same seed gives the same plan', () => {
  const { sleds, inventory, repo } = mixed(12, 30, 4);
  const a = plan(sleds, inventory, [repo], {}, 'same');
  const b = plan(sleds, inventory, [repo], {}, 'same');
  expect(a).toEqual(b);
});
