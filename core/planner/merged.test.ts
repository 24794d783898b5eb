// omicron's own planner expectations (ENGINE.md §6), for the `merged` engine and for the
// `generation` engine, whose planning is `merged` without deletes (ENGINE.md §1).
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../inventory.ts';
import { engineParams } from '../params.ts';
import { seededRng } from '../random.ts';
import { fakeRepo, hash, type FakeRepo } from '../testing/fake-rack.ts';
import { everywhere, presence, sledIds } from '../testing/inventory-builders.ts';
import type { ArtifactHash, CopyRequest, Request, SledId } from '../types.ts';
import { allRequests, planActivation, type Plan } from './index.ts';

const SEEDS = ['a', 'b', 'c', 'omicron', '42'];

function plan(
  generation: 'merged' | 'generation',
  sleds: readonly SledId[],
  inventory: Inventory,
  localRepos: readonly FakeRepo[] = [],
  seed = 'seed',
  minSledReplication = 3,
): Plan {
  return planActivation({ sleds, inventory, localRepos }, seededRng(seed), engineParams({ generation, minSledReplication }));
}

function hashOf(request: Request): ArtifactHash {
  return request.kind === 'put' ? request.artifact.hash : request.hash;
}

function targetsOf(requests: readonly Request[], artifact: ArtifactHash): SledId[] {
  return requests.filter((r) => hashOf(r) === artifact).map((r) => r.target);
}

const sorted = (items: readonly string[]): string[] => [...items].sort();

describe.each(['merged', 'generation'] as const)('planner, %s engine, min_sled_replication 3', (generation) => {
  describe('16 sleds, 2 artifacts held only locally', () => {
    const sleds = sledIds(16);
    const hashes = [hash(1), hash(2)];
    const inventory: Inventory = new Map(hashes.map((h) => [h, presence(true)]));

    it.each(SEEDS)('seed %s: 6 PUTs, 26 copies after the PUTs, nothing else, repo kept', (seed) => {
      const repo = fakeRepo('v1', hashes);
      const p = plan(generation, sleds, inventory, [repo], seed);

      expect(p.put).toHaveLength(6);
      expect(p.copyAfterPut).toHaveLength(26);
      expect(p.other).toEqual([]);
      expect(p.recopy).toEqual([]);
      expect(p.deferred).toEqual([]);
      expect(p.release).toEqual([]);
      expect(repo.released).toBe(false);

      for (const h of hashes) {
        const putTargets = targetsOf(p.put, h);
        expect(putTargets).toHaveLength(3);
        expect(new Set(putTargets).size).toBe(3);
        const copies = p.copyAfterPut.filter((c) => c.hash === h);
        expect(copies).toHaveLength(13);
        for (const copy of copies) {
          expect(putTargets).toContain(copy.source);
          expect(copy.target).not.toBe(copy.source);
        }
        // Every sled is targeted exactly once for this artifact, by a PUT or a copy.
        expect(sorted([...putTargets, ...copies.map((c) => c.target)])).toEqual(sorted(sleds));
      }
      // The PUTs carry the local repo's own artifacts.
      for (const put of p.put) expect(repo.artifacts).toContain(put.artifact);
    });

    it('picks PUT targets at random: different seeds choose different sleds', () => {
      const choices = new Set<string>();
      const everTargeted = new Set<SledId>();
      for (let i = 0; i < 40; i++) {
        const p = plan(generation, sleds, inventory, [fakeRepo('v1', hashes)], `spread-${i}`);
        const targets = targetsOf(p.put, hash(1));
        choices.add(sorted(targets).join(','));
        for (const t of targets) everTargeted.add(t);
      }
      expect(choices.size).toBeGreaterThan(10);
      expect(everTargeted.size).toBe(16);
    });
  });

  describe('5 sleds, 4 of which hold 10 artifacts twice', () => {
    const sleds = sledIds(5);
    const holders = sleds.slice(0, 4);
    const hashes = Array.from({ length: 10 }, (_, i) => hash(i + 1));
    const inventory: Inventory = new Map(hashes.map((h) => [h, presence(true, everywhere(holders))]));

    it.each(SEEDS)('seed %s: 10 copies to the fifth sled from the other four, no PUT', (seed) => {
      const p = plan(generation, sleds, inventory, [], seed);
      expect(p.put).toEqual([]);
      expect(p.copyAfterPut).toEqual([]);
      expect(p.recopy).toEqual([]);
      expect(p.other).toHaveLength(10);
      for (const request of p.other) {
        expect(request.kind).toBe('copy');
        const copy = request as CopyRequest;
        expect(copy.target).toBe('sled-4');
        expect(holders).toContain(copy.source);
      }
      expect(sorted(p.other.map(hashOf))).toEqual(sorted(hashes));
    });

    it('still copies (no PUT) when the artifacts are also held locally, and releases the repo', () => {
      const repo = fakeRepo('v1', hashes);
      const p = plan(generation, sleds, inventory, [repo]);
      expect(p.put).toEqual([]);
      expect(p.copyAfterPut).toEqual([]);
      expect(p.other).toHaveLength(10);
      expect(p.other.every((r) => r.kind === 'copy' && r.target === 'sled-4')).toBe(true);
      expect(p.release).toEqual([repo]);
    });

    it('draws copy sources at random among the holders', () => {
      const sources = new Set<SledId>();
      for (const seed of SEEDS) {
        for (const r of plan(generation, sleds, inventory, [], seed).other) {
          if (r.kind === 'copy') sources.add(r.source);
        }
      }
      expect(sorted([...sources])).toEqual(holders);
    });
  });

  describe('4 sleds, one of which holds a single copy', () => {
    const sleds = sledIds(4);

    it.each(sleds)('exactly one recopy, to %s, from another sled', (short) => {
      const inventory: Inventory = new Map([[hash(1), presence(true, { ...everywhere(sleds), [short]: 1 })]]);
      const p = plan(generation, sleds, inventory);
      expect(p.put).toEqual([]);
      expect(p.copyAfterPut).toEqual([]);
      expect(p.other).toEqual([]);
      expect(p.recopy).toHaveLength(1);
      const [recopy] = p.recopy;
      expect(recopy?.hash).toBe(hash(1));
      expect(recopy?.target).toBe(short);
      expect(recopy?.source).not.toBe(short);
      expect(sleds).toContain(recopy?.source);
    });

    it('no recopy when the short sled is the only holder: there is no other source', () => {
      const sleds2 = sledIds(1);
      const inventory: Inventory = new Map([[hash(1), presence(true, { 'sled-0': 1 })]]);
      const p = plan(generation, sleds2, inventory);
      expect(allRequests(p)).toEqual([]);
    });
  });

  it.each([1, 3, 4, 16])('%i sleds all holding every artifact twice: empty plan', (count) => {
    const sleds = sledIds(count);
    const inventory: Inventory = new Map(
      [1, 2, 3].map((n) => [hash(n), presence(true, everywhere(sleds))] as const),
    );
    const p = plan(generation, sleds, inventory);
    expect(p).toEqual({ put: [], copyAfterPut: [], other: [], recopy: [], deferredCount: 0, deferred: [], release: [] });
  });

  describe('unwanted artifacts', () => {
    const sleds = sledIds(4);
    const inventory: Inventory = new Map([
      [hash(1), presence(true, everywhere(sleds))],
      [hash(2), presence(false, { 'sled-1': 2, 'sled-3': 1 })],
      [hash(3), presence(false, { 'sled-0': 2 })],
    ]);

    if (generation === 'merged') {
      it('one DELETE per sled holding an unwanted artifact, and nothing else', () => {
        const p = plan(generation, sleds, inventory);
        expect(p.put).toEqual([]);
        expect(p.copyAfterPut).toEqual([]);
        expect(p.recopy).toEqual([]);
        expect(p.other).toHaveLength(3);
        expect(p.other).toEqual(
          expect.arrayContaining([
            { kind: 'delete', target: 'sled-1', hash: hash(2) },
            { kind: 'delete', target: 'sled-3', hash: hash(2) },
            { kind: 'delete', target: 'sled-0', hash: hash(3) },
          ]),
        );
      });
    } else {
      it('never DELETEs: the sleds remove unwanted artifacts themselves', () => {
        const p = plan(generation, sleds, inventory);
        expect(allRequests(p)).toEqual([]);
        expect(p.deferred).toEqual([]);
      });
    }
  });

  describe('local repo retention (min_sled_replication used as is)', () => {
    const sleds = sledIds(4);

    it('keeps the repo while its artifact is on no sled: 3 PUTs and copies after them', () => {
      const repo = fakeRepo('v1', [hash(1)]);
      const p = plan(generation, sleds, new Map([[hash(1), presence(true)]]), [repo]);
      expect(p.release).toEqual([]);
      expect(p.put).toHaveLength(3);
      expect(p.copyAfterPut).toHaveLength(1);
    });

    it('keeps the repo while its artifact is on 2 sleds: 1 PUT, 1 copy', () => {
      const repo = fakeRepo('v1', [hash(1)]);
      const inventory: Inventory = new Map([[hash(1), presence(true, { 'sled-0': 2, 'sled-2': 2 })]]);
      const p = plan(generation, sleds, inventory, [repo]);
      expect(p.release).toEqual([]);
      expect(p.put).toHaveLength(1);
      expect(p.other).toHaveLength(1);
      expect(p.copyAfterPut).toEqual([]);
      expect(sorted([...targetsOf(p.put, hash(1)), ...targetsOf(p.other, hash(1))])).toEqual(['sled-1', 'sled-3']);
    });

    it('keeps the repo while any one of its artifacts is short of 3 sleds', () => {
      const repo = fakeRepo('v1', [hash(1), hash(2)]);
      const inventory: Inventory = new Map([
        [hash(1), presence(true, everywhere(sleds))],
        [hash(2), presence(true, { 'sled-0': 2, 'sled-1': 2 })],
      ]);
      const p = plan(generation, sleds, inventory, [repo]);
      expect(p.release).toEqual([]);
      expect(p.put.map((r) => r.artifact.hash)).toEqual([hash(2)]);
    });

    it('releases the repo once every artifact is on 3 sleds, and copies (no PUT) to the fourth', () => {
      const repo = fakeRepo('v1', [hash(1), hash(2)]);
      const three = { 'sled-0': 2, 'sled-1': 1, 'sled-3': 2 };
      const inventory: Inventory = new Map([
        [hash(1), presence(true, everywhere(sleds))],
        [hash(2), presence(true, three)],
      ]);
      const p = plan(generation, sleds, inventory, [repo]);
      expect(p.release).toEqual([repo]);
      expect(repo.released).toBe(false); // the planner decides; the engine releases
      expect(p.put).toEqual([]);
      expect(p.other).toHaveLength(1);
      expect(p.other[0]).toMatchObject({ kind: 'copy', target: 'sled-2', hash: hash(2) });
      expect(p.recopy).toHaveLength(1);
      expect(p.recopy[0]).toMatchObject({ target: 'sled-1', hash: hash(2) });
    });

    it('artifacts of the repo absent from the inventory do not hold it back', () => {
      const repo = fakeRepo('v1', [hash(1), hash(99)]);
      const p = plan(generation, sleds, new Map([[hash(1), presence(true, everywhere(sleds))]]), [repo]);
      expect(p.release).toEqual([repo]);
    });

    it('releases only the repos whose artifacts are all replicated', () => {
      const done = fakeRepo('done', [hash(1)]);
      const pending = fakeRepo('pending', [hash(2)]);
      const inventory: Inventory = new Map([
        [hash(1), presence(true, everywhere(sleds))],
        [hash(2), presence(true)],
      ]);
      const p = plan(generation, sleds, inventory, [done, pending]);
      expect(p.release).toEqual([done]);
      expect(p.put).toHaveLength(3);
      for (const put of p.put) expect(put.artifact).toBe(pending.artifacts[0]);
    });

    it('bug release_early: releases after one sled, then copies instead of PUTting', () => {
      const repo = fakeRepo('v1', [hash(1)]);
      const p = planActivation(
        { sleds, inventory: new Map([[hash(1), presence(true, { 'sled-2': 2 })]]), localRepos: [repo] },
        seededRng('early'),
        engineParams({ generation, minSledReplication: 3, bugs: new Set(['release_early']) }),
      );
      expect(p.release).toEqual([repo]);
      expect(p.put).toEqual([]);
      expect(p.other).toHaveLength(3);
      expect(p.other.every((r) => r.kind === 'copy' && r.source === 'sled-2')).toBe(true);
    });

    it('with 2 sleds and min 3, never releases, even with the artifact on both sleds', () => {
      const two = sledIds(2);
      const repo = fakeRepo('v1', [hash(1)]);
      const p = plan(generation, two, new Map([[hash(1), presence(true, everywhere(two))]]), [repo]);
      expect(p.release).toEqual([]);
      expect(allRequests(p)).toEqual([]);
    });

    it('with 2 sleds and min 3, PUTs to both sleds (min − present capped by the missing sleds)', () => {
      const two = sledIds(2);
      const repo = fakeRepo('v1', [hash(1)]);
      const p = plan(generation, two, new Map([[hash(1), presence(true)]]), [repo]);
      expect(p.release).toEqual([]);
      expect(sorted(targetsOf(p.put, hash(1)))).toEqual(two);
      expect(p.copyAfterPut).toEqual([]);
    });
  });

  it('is deterministic: the same seed gives the same plan', () => {
    const sleds = sledIds(16);
    const inventory: Inventory = new Map([
      [hash(1), presence(true)],
      [hash(2), presence(true, { 'sled-3': 1, 'sled-7': 2 })],
      [hash(3), presence(false, { 'sled-5': 2 })],
    ]);
    const repo = fakeRepo('v1', [hash(1), hash(2)]);
    expect(plan(generation, sleds, inventory, [repo], 'x')).toEqual(plan(generation, sleds, inventory, [repo], 'x'));
  });
});
