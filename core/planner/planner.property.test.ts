// Property-based tests of the planner over random inventories, for every engine
// generation (ENGINE.md §1). Each property recomputes what ENGINE.md says from the raw
// generated data, independently of the planner's helpers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ArtifactPresence, Inventory } from '../inventory.ts';
import { engineParams, type EngineParams } from '../params.ts';
import { seededRng } from '../random.ts';
import { fakeRepo, hash, type FakeRepo } from '../testing/fake-rack.ts';
import {
  ENGINE_GENERATIONS,
  type ArtifactHash,
  type CopyRequest,
  type EngineGeneration,
  type PlantedBug,
  type Request,
  type SledId,
} from '../types.ts';
import { allRequests, planActivation, type Plan } from './index.ts';

const NUM_RUNS = 300;
const MAX_ARTIFACTS = 10;
/** Local repos may also hold artifacts the inventory does not know (hash numbers above MAX_ARTIFACTS). */
const MAX_LOCAL_HASH = MAX_ARTIFACTS + 3;

// ---------------------------------------------------------------------------------------
// Generators: plain data (so counterexamples print readably), turned into planner input.

interface RawArtifact {
  readonly wanted: boolean;
  /** Copies per sled, index = sled number. */
  readonly copies: readonly number[];
}

interface RawCase {
  readonly sledCount: number;
  /** Artifact i is `hash(i + 1)`. */
  readonly artifacts: readonly RawArtifact[];
  /** Each local repo as hash numbers, 1..MAX_LOCAL_HASH. */
  readonly repos: readonly (readonly number[])[];
  readonly minSledReplication: number;
  readonly maxRequests: number;
  readonly maxPutRequests: number;
  readonly expectedCount: number;
  readonly seed: number;
}

/** Copies of one artifact on each sled: uniform, nowhere, sparse, or nearly everywhere. */
function arbCopies(sledCount: number): fc.Arbitrary<number[]> {
  const row = (value: fc.Arbitrary<number>) => fc.array(value, { minLength: sledCount, maxLength: sledCount });
  return fc.oneof(
    row(fc.integer({ min: 0, max: 2 })),
    row(fc.constant(0)),
    row(fc.constantFrom(0, 0, 0, 2)),
    row(fc.constantFrom(1, 2, 2, 2)),
  );
}

const arbArtifact = (sledCount: number): fc.Arbitrary<RawArtifact> =>
  fc.record({ wanted: fc.boolean(), copies: arbCopies(sledCount) });

const arbRepo = fc.uniqueArray(fc.integer({ min: 1, max: MAX_LOCAL_HASH }), { maxLength: 6 });

const arbCase: fc.Arbitrary<RawCase> = fc.integer({ min: 0, max: 12 }).chain((sledCount) =>
  fc.record({
    sledCount: fc.constant(sledCount),
    artifacts: fc.array(arbArtifact(sledCount), { maxLength: MAX_ARTIFACTS }),
    repos: fc.array(arbRepo, { maxLength: 3 }),
    minSledReplication: fc.integer({ min: 1, max: 5 }),
    maxRequests: fc.integer({ min: 0, max: 40 }),
    maxPutRequests: fc.integer({ min: 0, max: 12 }),
    expectedCount: fc.integer({ min: 1, max: 3 }),
    seed: fc.nat(),
  }),
);

/** The planner's input and output for one raw case, plus independent facts about it. */
interface Case {
  readonly raw: RawCase;
  readonly sleds: SledId[];
  readonly inventory: Inventory;
  readonly repos: FakeRepo[];
  readonly params: EngineParams;
  readonly plan: Plan;
  /** Sled → copies of `artifact`, 0 when it holds none. */
  copies(artifact: ArtifactHash, sled: SledId): number;
  /** Sleds holding at least one copy of `artifact`, in sled order. */
  holders(artifact: ArtifactHash): SledId[];
}

function sledIds(count: number): SledId[] {
  return Array.from({ length: count }, (_, i) => `sled-${i}`);
}

function build(raw: RawCase, generation: EngineGeneration, bugs: readonly PlantedBug[] = []): Case {
  const sleds = sledIds(raw.sledCount);
  const inventory = new Map<ArtifactHash, ArtifactPresence>();
  raw.artifacts.forEach((artifact, i) => {
    const held = new Map<SledId, number>();
    artifact.copies.forEach((n, s) => {
      if (n > 0) held.set(`sled-${s}`, n);
    });
    // An unwanted artifact is in the inventory only because some sled reported it.
    if (artifact.wanted || held.size > 0) inventory.set(hash(i + 1), { wanted: artifact.wanted, sleds: held });
  });
  const repos = raw.repos.map((numbers, i) => fakeRepo(`repo-${i}`, numbers.map(hash)));
  const params = engineParams({
    generation,
    minSledReplication: raw.minSledReplication,
    maxRequests: raw.maxRequests,
    maxPutRequests: raw.maxPutRequests,
    expectedCount: raw.expectedCount,
    bugs: new Set(bugs),
  });
  const plan = planActivation({ sleds, inventory, localRepos: repos }, seededRng(`seed-${raw.seed}`), params);
  const copies = (artifact: ArtifactHash, sled: SledId) => inventory.get(artifact)?.sleds.get(sled) ?? 0;
  return {
    raw,
    sleds,
    inventory,
    repos,
    params,
    plan,
    copies,
    holders: (artifact) => sleds.filter((sled) => copies(artifact, sled) > 0),
  };
}

/** Runs `check` on NUM_RUNS random cases planned by `generation`. */
function forAllCases(generation: EngineGeneration, check: (c: Case) => void, bugs: readonly PlantedBug[] = []): void {
  fc.assert(
    fc.property(arbCase, (raw) => check(build(raw, generation, bugs))),
    { numRuns: NUM_RUNS },
  );
}

// ---------------------------------------------------------------------------------------
// Independent readings of ENGINE.md.

function hashOf(request: Request): ArtifactHash {
  return request.kind === 'put' ? request.artifact.hash : request.hash;
}

/** Sent and deferred requests alike. */
function everyRequest(plan: Plan): Request[] {
  return [...allRequests(plan), ...plan.deferred];
}

/** §1 step 5: review caps the threshold at the sled count; later engines do not. */
function releaseThreshold(c: Case): number {
  const min = c.raw.minSledReplication;
  return c.params.generation === 'review' ? Math.min(min, c.raw.sledCount) : min;
}

function releasable(c: Case, repo: FakeRepo): boolean {
  return repo.artifacts.every(
    ({ hash: h }) => !c.inventory.has(h) || c.holders(h).length >= releaseThreshold(c),
  );
}

function keptRepos(c: Case): FakeRepo[] {
  return c.repos.filter((repo) => !releasable(c, repo));
}

const heldIn = (repos: readonly FakeRepo[], artifact: ArtifactHash): boolean =>
  repos.some((repo) => repo.artifacts.some((a) => a.hash === artifact));

const sorted = (items: readonly string[]): string[] => [...items].sort();

/** What `review` generates before the caps (ENGINE.md §1 step 6), by kind. */
function reviewGenerated(c: Case): { put: number; copy: number; delete: number } {
  const counts = { put: 0, copy: 0, delete: 0 };
  for (const [h, presence] of c.inventory) {
    const present = c.holders(h).length;
    if (!presence.wanted) counts.delete += present;
    else if (present === 0) counts.put += heldIn(c.repos, h) && c.raw.sledCount > 0 ? 1 : 0;
    else if (present < c.raw.sledCount) counts.copy += 1;
  }
  return counts;
}

// ---------------------------------------------------------------------------------------
// Properties of every generation.

describe.each(ENGINE_GENERATIONS)('planner properties, %s engine', (generation) => {
  it('targets in-service sleds, never one already holding expected_count copies of a wanted artifact, never the same (artifact, sled) twice', () => {
    forAllCases(generation, (c) => {
      const seen = new Set<string>();
      for (const request of everyRequest(c.plan)) {
        const h = hashOf(request);
        const presence = c.inventory.get(h);
        expect(presence, `request for ${h}, which is not in the inventory`).toBeDefined();
        expect(c.sleds).toContain(request.target);
        if (presence?.wanted === true) expect(c.copies(h, request.target)).toBeLessThan(c.raw.expectedCount);
        const key = `${request.kind === 'delete' ? 'delete' : 'write'} ${h} ${request.target}`;
        expect(seen.has(key), `two requests: ${key}`).toBe(false);
        seen.add(key);
      }
    });
  });

  it('copies: source ≠ target, and the source holds the artifact or is PUT it in this plan (then the copy waits for the PUTs)', () => {
    forAllCases(generation, (c) => {
      const afterPut = new Set<CopyRequest>(c.plan.copyAfterPut);
      const putTo = new Set(c.plan.put.map((p) => `${p.artifact.hash} ${p.target}`));
      for (const request of everyRequest(c.plan)) {
        if (request.kind !== 'copy') continue;
        expect(request.source).not.toBe(request.target);
        expect(c.sleds).toContain(request.source);
        expect(c.inventory.get(request.hash)?.wanted).toBe(true);
        if (c.copies(request.hash, request.source) > 0) {
          expect(afterPut.has(request)).toBe(false);
        } else {
          expect(afterPut.has(request)).toBe(true);
          expect(putTo.has(`${request.hash} ${request.source}`)).toBe(true);
        }
      }
      for (const copy of c.plan.copyAfterPut) {
        expect(putTo.has(`${copy.hash} ${copy.source}`)).toBe(true);
      }
    });
  });

  it('deletes: never a wanted artifact, only on a sled holding it (and never in the generation engine)', () => {
    forAllCases(generation, (c) => {
      const deletes = everyRequest(c.plan).filter((r) => r.kind === 'delete');
      if (generation === 'generation') expect(deletes).toEqual([]);
      for (const request of deletes) {
        expect(c.inventory.get(request.hash)?.wanted).toBe(false);
        expect(c.copies(request.hash, request.target)).toBeGreaterThan(0);
      }
    });
  });

  it('PUTs only a wanted artifact of a kept (not released) local repo', () => {
    forAllCases(generation, (c) => {
      const released = new Set(c.plan.release);
      const keptArtifacts = new Set(c.repos.filter((r) => !released.has(r)).flatMap((r) => r.artifacts));
      for (const request of everyRequest(c.plan)) {
        if (request.kind !== 'put') continue;
        expect(keptArtifacts.has(request.artifact), `PUT of ${request.artifact.hash} from no kept repo`).toBe(true);
        expect(c.inventory.get(request.artifact.hash)?.wanted).toBe(true);
      }
    });
  });

  it('bug release_early: still PUTs only from kept repos, though repos go after one sled', () => {
    forAllCases(
      generation,
      (c) => {
        const released = new Set(c.plan.release);
        const keptArtifacts = new Set(c.repos.filter((r) => !released.has(r)).flatMap((r) => r.artifacts));
        for (const request of everyRequest(c.plan)) {
          if (request.kind === 'put') expect(keptArtifacts.has(request.artifact)).toBe(true);
        }
      },
      ['release_early'],
    );
  });

  it('releases a local repo iff every artifact of it in the inventory is on >= threshold sleds', () => {
    forAllCases(generation, (c) => {
      const expected = c.repos.filter((repo) => releasable(c, repo)).map((r) => r.id);
      expect(sorted(c.plan.release.map((r) => r.id))).toEqual(sorted(expected));
      expect(new Set(c.plan.release).size).toBe(c.plan.release.length);
      for (const repo of c.plan.release) expect(c.repos).toContain(repo);
      // Planning is pure: the engine, not the planner, releases.
      expect(c.repos.some((r) => r.released)).toBe(false);
    });
  });

  it('is deterministic: the same seed gives a deep-equal plan; the inventory is not modified', () => {
    fc.assert(
      fc.property(arbCase, (raw) => {
        const c = build(raw, generation);
        const snapshot = [...c.inventory].map(([h, p]) => [h, p.wanted, [...p.sleds]]);
        const again = planActivation(
          { sleds: c.sleds, inventory: c.inventory, localRepos: c.repos },
          seededRng(`seed-${raw.seed}`),
          c.params,
        );
        expect(again).toEqual(c.plan);
        expect([...c.inventory].map(([h, p]) => [h, p.wanted, [...p.sleds]])).toEqual(snapshot);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------
// merged and generation: Inventory::into_requests.

describe.each(['merged', 'generation'] as const)('planner properties, %s engine, per artifact', (generation) => {
  it('PUTs min(max(0, min − present), missing) when held locally, else none; every missing sled gets one PUT or copy iff a source exists', () => {
    forAllCases(generation, (c) => {
      const kept = keptRepos(c);
      const all = allRequests(c.plan);
      for (const [h, presence] of c.inventory) {
        if (!presence.wanted) continue;
        const present = c.holders(h);
        const missing = c.sleds.filter((sled) => c.copies(h, sled) === 0);
        const puts = c.plan.put.filter((p) => p.artifact.hash === h);
        const expectedPuts = heldIn(kept, h)
          ? Math.min(Math.max(0, c.raw.minSledReplication - present.length), missing.length)
          : 0;
        expect(puts).toHaveLength(expectedPuts);

        const toMissing = all.filter((r) => hashOf(r) === h && missing.includes(r.target));
        const sourceExists = present.length > 0 || puts.length > 0;
        expect(sorted(toMissing.map((r) => r.target))).toEqual(sourceExists ? sorted(missing) : []);
      }
    });
  });

  it('recopies to every present sled short of expected_count when another sled holds the artifact, and only those', () => {
    forAllCases(generation, (c) => {
      const recopied = new Set(c.plan.recopy);
      for (const [h, presence] of c.inventory) {
        const recopies = c.plan.recopy.filter((r) => r.hash === h);
        if (!presence.wanted) {
          expect(recopies).toEqual([]);
          continue;
        }
        const present = c.holders(h);
        const short = present.filter((sled) => c.copies(h, sled) < c.raw.expectedCount);
        expect(sorted(recopies.map((r) => r.target))).toEqual(present.length >= 2 ? sorted(short) : []);
        // A write to a sled that already holds a copy is always a recopy.
        for (const request of allRequests(c.plan)) {
          if (request.kind !== 'delete' && hashOf(request) === h && c.copies(h, request.target) > 0) {
            expect(recopied.has(request as CopyRequest)).toBe(true);
          }
        }
      }
    });
  });

  it('unwanted artifacts: one DELETE per sled holding them in merged, none in generation; never deferred', () => {
    forAllCases(generation, (c) => {
      expect(c.plan.deferred).toEqual([]);
      const expected: string[] = [];
      if (generation === 'merged') {
        for (const [h, presence] of c.inventory) {
          if (!presence.wanted) for (const sled of c.holders(h)) expected.push(`${h} ${sled}`);
        }
      }
      const deletes = c.plan.other.filter((r) => r.kind === 'delete').map((r) => `${r.hash} ${r.target}`);
      expect(sorted(deletes)).toEqual(sorted(expected));
    });
  });
});

// ---------------------------------------------------------------------------------------
// review: generation, then a random selection under the caps.

describe('planner properties, review engine, caps and generation', () => {
  it('respects the caps, sends as many as the greedy walk allows, and defers exactly the rest', () => {
    forAllCases('review', (c) => {
      const { put, other, deferred, copyAfterPut, recopy } = c.plan;
      expect(copyAfterPut).toEqual([]);
      expect(recopy).toEqual([]);
      const sent = put.length + other.length;
      expect(put.length).toBeLessThanOrEqual(c.raw.maxPutRequests);
      expect(sent).toBeLessThanOrEqual(c.raw.maxRequests);

      const generated = reviewGenerated(c);
      const generatedTotal = generated.put + generated.copy + generated.delete;
      const nonPut = generated.copy + generated.delete;
      expect(sent).toBe(Math.min(c.raw.maxRequests, nonPut + Math.min(generated.put, c.raw.maxPutRequests)));
      expect(deferred).toHaveLength(generatedTotal - sent);
      const kindsOf = (requests: readonly Request[]) => ({
        put: requests.filter((r) => r.kind === 'put').length,
        copy: requests.filter((r) => r.kind === 'copy').length,
        delete: requests.filter((r) => r.kind === 'delete').length,
      });
      expect(kindsOf(everyRequest(c.plan))).toEqual(generated);
    });
  });

  it('generates one PUT per locally held artifact on no sled, exactly one copy per partially replicated artifact, one DELETE per unwanted copy', () => {
    forAllCases('review', (c) => {
      const requests = everyRequest(c.plan);
      for (const [h, presence] of c.inventory) {
        const mine = requests.filter((r) => hashOf(r) === h);
        const holders = c.holders(h);
        if (!presence.wanted) {
          expect(mine.every((r) => r.kind === 'delete')).toBe(true);
          expect(sorted(mine.map((r) => r.target))).toEqual(sorted(holders));
        } else if (holders.length === 0) {
          const expected = heldIn(c.repos, h) && c.raw.sledCount > 0 ? 1 : 0;
          expect(mine).toHaveLength(expected);
          expect(mine.every((r) => r.kind === 'put')).toBe(true);
        } else if (holders.length < c.raw.sledCount) {
          expect(mine).toHaveLength(1);
          const [copy] = mine;
          expect(copy?.kind).toBe('copy');
          if (copy?.kind !== 'copy') continue;
          expect(c.copies(h, copy.target)).toBe(0);
          expect(holders).toContain(copy.source);
        } else {
          expect(mine).toEqual([]);
        }
      }
    });
  });

  it('bug ignore_limits: sends everything generated, defers nothing', () => {
    forAllCases(
      'review',
      (c) => {
        const generated = reviewGenerated(c);
        expect(c.plan.deferred).toEqual([]);
        expect(c.plan.put).toHaveLength(generated.put);
        expect(c.plan.other).toHaveLength(generated.copy + generated.delete);
      },
      ['ignore_limits'],
    );
  });
});
