// Review's plan from integer records (GeneratedRequests) against the straightforward
// planner it replaced: a request object for every generated request, built from the
// `split` slices, all shuffled, then taken under the caps. Same requests in the same order,
// the same deferred ones, the rng left at the same word; over several activations on one
// reused GeneratedRequests (so its arrays grow and are reused), on either form of
// inventory and with either `rand` release.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildInventory, inventoryView, type PlannerInventory } from '../inventory.ts';
import { ArtifactIds, InventoryTable, TableMemory } from '../inventory-table.ts';
import { localCopies } from '../local-repos.ts';
import { engineParams, type EngineParams } from '../params.ts';
import type { Rng } from '../ports.ts';
import { seededRng } from '../random.ts';
import { RAND_VERSIONS, randSamplers, type RandSamplers } from '../rng/index.ts';
import type { ArtifactHash, CopyRequest, DeleteRequest, LocalArtifact, LocalRepo, PutRequest, Request, SledId } from '../types.ts';
import { GeneratedRequests } from './generated-requests.ts';
import { planInventory } from './index.ts';
import { reviewRequests } from './review.ts';

const HASHES = ['d4', 'a1', 'c3', 'b2', 'e5', 'f6', 'a7', 'c8', 'b9', 'e0'];

/** The planner before GeneratedRequests, written out with the slices of `split`. */
function reviewByObjects(
  inventory: PlannerInventory,
  local: ReadonlyMap<ArtifactHash, LocalArtifact>,
  rng: Rng,
  draws: RandSamplers,
  params: EngineParams,
): { put: PutRequest[]; other: (CopyRequest | DeleteRequest)[]; deferred: Request[] } {
  const generated: Request[] = [];
  for (const artifact of Array.from(inventory.inHashOrder)) {
    const hash = inventory.hashOf(artifact);
    const { holders, missing } = inventory.split(artifact);
    if (!inventory.isWanted(artifact)) {
      for (const target of holders) generated.push({ kind: 'delete', target, hash });
    } else if (holders.length === 0) {
      const copy = local.get(hash);
      const target = draws.choose(inventory.sleds, rng);
      if (copy !== undefined && target !== undefined) generated.push({ kind: 'put', target, artifact: copy });
    } else {
      const target = draws.choose(missing, rng);
      const source = draws.choose(holders, rng);
      if (target !== undefined && source !== undefined) generated.push({ kind: 'copy', target, source, hash });
    }
  }
  draws.shuffle(generated, rng);
  const put: PutRequest[] = [];
  const other: (CopyRequest | DeleteRequest)[] = [];
  const deferred: Request[] = [];
  for (const request of generated) {
    const taken = put.length + other.length;
    const fits = taken < params.maxRequests && (request.kind !== 'put' || put.length < params.maxPutRequests);
    if (!fits && !params.bugs.has('ignore_limits')) deferred.push(request);
    else if (request.kind === 'put') put.push(request);
    else other.push(request);
  }
  return { put, other, deferred };
}

interface Activation {
  /** Per sled: copies of each of HASHES, or null when the sled did not answer. */
  readonly listed: readonly (readonly number[] | null)[];
  readonly wanted: readonly ArtifactHash[];
  /** Hashes held locally (some never listed nor wanted). */
  readonly local: readonly ArtifactHash[];
}

/** Rows nowhere, everywhere, sparse and dense: up to 12 × 10 DELETEs, so the records' arrays grow past 64. */
const copies = fc.oneof(fc.constant(0), fc.constant(2), fc.integer({ min: 0, max: 3 }), fc.constantFrom(0, 0, 0, 1));

const activation = (sleds: number): fc.Arbitrary<Activation> =>
  fc.record({
    listed: fc.array(fc.option(fc.array(copies, { minLength: HASHES.length, maxLength: HASHES.length }), { freq: 8 }), {
      minLength: sleds,
      maxLength: sleds,
    }),
    wanted: fc.shuffledSubarray(HASHES),
    local: fc.shuffledSubarray([...HASHES, 'zz-never-listed']),
  });

const reviewCase = fc.integer({ min: 0, max: 12 }).chain((n) =>
  fc.record({
    sleds: fc.constant(Array.from({ length: n }, (_, i) => `sled-${i}`)),
    activations: fc.array(activation(n), { minLength: 1, maxLength: 4 }),
    maxRequests: fc.integer({ min: 0, max: 40 }),
    maxPutRequests: fc.integer({ min: 0, max: 10 }),
    ignoreLimits: fc.boolean(),
    version: fc.constantFrom(...RAND_VERSIONS),
    table: fc.boolean(),
    seed: fc.integer(),
  }),
);

function listingsOf(a: Activation): (Map<ArtifactHash, number> | undefined)[] {
  return a.listed.map((counts) => (counts === null ? undefined : new Map(HASHES.flatMap((hash, i) => ((counts[i] as number) > 0 ? [[hash, counts[i] as number]] : [])))));
}

describe('GeneratedRequests', () => {
  it('plans review exactly as request objects shuffled whole: same requests, order, deferred and rng state, activation after activation on one reused set of records', () => {
    const generated = new GeneratedRequests();
    fc.assert(
      fc.property(reviewCase, (c) => {
        const params = engineParams({
          generation: 'review',
          maxRequests: c.maxRequests,
          maxPutRequests: c.maxPutRequests,
          bugs: new Set(c.ignoreLimits ? ['ignore_limits'] : []),
        });
        const draws = randSamplers(c.version);
        const ids = new ArtifactIds();
        const memory = new TableMemory();
        const byRecords = seededRng(`${c.seed}`);
        const byObjects = seededRng(`${c.seed}`);
        for (const a of c.activations) {
          const listings = listingsOf(a);
          const byName = new Map<SledId, ReadonlyMap<ArtifactHash, number>>();
          listings.forEach((listing, i) => {
            if (listing !== undefined) byName.set(c.sleds[i] as SledId, listing);
          });
          const inventory = c.table
            ? new InventoryTable(ids, c.sleds, listings, a.wanted, true, memory)
            : inventoryView(buildInventory(a.wanted, byName, true), c.sleds);
          const repo: LocalRepo = { id: 'repo', artifacts: a.local.map((hash) => ({ hash, size: 1 })), release: () => {} };
          const local = localCopies([repo], inventory);
          const expected = reviewByObjects(inventory, local, byObjects, draws, params);
          const actual = reviewRequests(inventory, local, byRecords, draws, params, generated);
          expect(actual.put).toEqual(expected.put);
          expect(actual.other).toEqual(expected.other);
          expect(actual.deferredCount).toBe(expected.deferred.length);
          expect(actual.deferred()).toEqual(expected.deferred);
          // The PUTs carry the local artifact itself, not a copy of it.
          for (const request of actual.put) expect(request.artifact).toBe(local.get(request.artifact.hash));
        }
        // Both streams are at the same word: the records path drew exactly as often.
        expect(byRecords.nextU32()).toBe(byObjects.nextU32());
      }),
      { numRuns: 500 },
    );
  });

  it("a plan's deferred requests are built on first read and kept; read first after the next plan on the same records, they throw", () => {
    const sleds = ['sled-0', 'sled-1', 'sled-2'];
    const unwantedEverywhere = new Map([['a1', 2]]);
    const ids = new ArtifactIds();
    const generated = new GeneratedRequests();
    const params = engineParams({ generation: 'review', maxRequests: 1 });
    const plan = () =>
      planInventory(new InventoryTable(ids, sleds, sleds.map(() => unwantedEverywhere), [], true), [], seededRng('s'), params, randSamplers('0.8.5'), generated);
    const first = plan();
    expect(first.deferredCount).toBe(2);
    const deferred = first.deferred;
    expect([...first.other, ...deferred].map((r) => [r.kind, r.target]).sort()).toEqual(sleds.map((sled) => ['delete', sled]));
    const second = plan();
    expect(first.deferred).toBe(deferred);
    plan();
    expect(() => second.deferred).toThrow(/after the next activation was planned/);
  });
});
