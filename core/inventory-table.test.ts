// The engine's typed inventory against the plain one: the same listings must give the same
// plan, draw for draw, on every generation, over several activations of one engine (one
// ArtifactIds, interned in whatever order the listings first named the hashes), whether a
// listing comes as hashes only or also numbered (`NumberedArtifacts`, as the simulated
// world's do), in a numbering that grows between activations or in a second one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildInventory } from './inventory.ts';
import { ArtifactIds, InventoryTable, TableMemory } from './inventory-table.ts';
import { engineParams } from './params.ts';
import { planActivation, planInventory } from './planner/index.ts';
import { seededRng } from './random.ts';
import { ENGINE_GENERATIONS, type ArtifactHash, type ListedArtifacts, type LocalRepo, type SledId } from './types.ts';

/** Hashes whose hash order is not the order the tests name them in. */
const HASHES = ['c7', 'a1', 'f0', 'b2', 'e9', 'd3', 'a10', 'b'];

/**
 * How a sled's listing comes: hashes only, also numbered in the case's numbering (which
 * numbers a hash it lacks when a listing first names it), or in a second numbering.
 */
type ListingForm = 'hashes' | 'numbered' | 'other numbering';

interface Activation {
  /** Per sled: copies of each of HASHES (0: not listed), or null when the sled did not answer. */
  readonly listed: readonly (readonly number[] | null)[];
  readonly forms: readonly ListingForm[];
  readonly wanted: readonly ArtifactHash[];
  /** Local repos, each a list of hashes (some never listed nor wanted). */
  readonly local: readonly (readonly ArtifactHash[])[];
  /**
   * Per sled, when it gave a snapshot the activation before: that one again, that one with
   * a few copies come and gone (`edits`), or `listed`.
   */
  readonly change: readonly ('same' | 'churned' | 'fresh')[];
  readonly edits: readonly (readonly number[])[];
  /** Whether the wanted set is the one of the activation before. */
  readonly sameWanted: boolean;
}

const activation = (sleds: number): fc.Arbitrary<Activation> =>
  fc.record({
    listed: fc.array(
      fc.option(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: HASHES.length, maxLength: HASHES.length }), { freq: 6 }),
      { minLength: sleds, maxLength: sleds },
    ),
    forms: fc.array(fc.constantFrom<ListingForm>('hashes', 'numbered', 'other numbering'), { minLength: sleds, maxLength: sleds }),
    wanted: fc.shuffledSubarray(HASHES),
    local: fc.array(fc.shuffledSubarray([...HASHES, 'zz-never-listed'], { minLength: 1 }), { maxLength: 3 }),
    // Mostly unchanged or a little changed, as on a rack: the table is then updated, not built afresh.
    change: fc.array(fc.constantFrom('same' as const, 'same' as const, 'churned' as const, 'churned' as const, 'fresh' as const), {
      minLength: sleds,
      maxLength: sleds,
    }),
    edits: fc.array(fc.array(fc.nat(60), { minLength: 1, maxLength: 3 }), { minLength: sleds, maxLength: sleds }),
    sameWanted: fc.constantFrom(true, true, false),
  });

// Now and then a rack past 32 sleds: a second word of the table's holder bits.
const engineCase = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 7 }) }, { weight: 1, arbitrary: fc.integer({ min: 30, max: 40 }) }).chain((n) =>
  fc.record({
    sleds: fc.constant(Array.from({ length: n }, (_, i) => `sled-${i}`)),
    activations: fc.array(activation(n), { minLength: 1, maxLength: 6 }),
    generation: fc.constantFrom(...ENGINE_GENERATIONS),
    minSledReplication: fc.integer({ min: 1, max: 4 }),
    expectedCount: fc.integer({ min: 1, max: 3 }),
    maxRequests: fc.integer({ min: 0, max: 12 }),
    maxPutRequests: fc.integer({ min: 0, max: 4 }),
    seed: fc.integer(),
    /** What the numbering holds before the first listing. */
    numbered: fc.shuffledSubarray(HASHES),
    otherNumbering: fc.shuffledSubarray(HASHES, { minLength: HASHES.length }),
  }),
);

/** `listing` also as entries `number * 256 + count` of `numbering`, in the reverse of its order. */
function numberedIn(listing: Map<ArtifactHash, number>, numbering: ArtifactHash[]): ListedArtifacts {
  const entries: number[] = [];
  listing.forEach((count, hash) => {
    let n = numbering.indexOf(hash);
    if (n < 0) n = numbering.push(hash) - 1;
    entries.unshift(n * 256 + count);
  });
  return Object.assign(new Map(listing), { numbered: { hashes: numbering, entries } });
}

/** Each sled's listing (hashes only, or numbered as `forms` says); `undefined` when it did not answer. */
function listingsOf(a: Activation, numbering: ArtifactHash[], otherNumbering: ArtifactHash[]): (ListedArtifacts | undefined)[] {
  return a.listed.map((counts, sled) => {
    if (counts === null) return undefined;
    const listing = new Map<ArtifactHash, number>();
    counts.forEach((n, h) => {
      if (n > 0) listing.set(HASHES[h] as ArtifactHash, n);
    });
    const form = a.forms[sled];
    if (form === 'numbered') return numberedIn(listing, numbering);
    return form === 'other numbering' ? numberedIn(listing, otherNumbering) : listing;
  });
}

/**
 * `before` as a store's next snapshot after a few copies came and went, entries kept in
 * their slots as a store keeps them: a count changed in place, the last entry moved into a
 * removed one's slot, a new artifact appended (numbered in `before`'s numbering).
 */
function churned(before: ListedArtifacts, edits: readonly number[]): ListedArtifacts {
  const numbering = before.numbered?.hashes as ArtifactHash[] | undefined;
  const pairs: [ArtifactHash, number][] =
    before.numbered === undefined || numbering === undefined
      ? [...before]
      : before.numbered.entries.map((entry) => [numbering[entry >>> 8] as ArtifactHash, entry & 0xff]);
  for (const edit of edits) {
    const k = edit % (pairs.length + 1);
    const pair = pairs[k];
    if (pair === undefined) {
      const absent = HASHES.find((hash) => !pairs.some(([held]) => held === hash));
      if (absent !== undefined) pairs.push([absent, 1 + (edit % 3)]);
    } else if (edit % 2 === 0) {
      const last = pairs.pop() as [ArtifactHash, number];
      if (k < pairs.length) pairs[k] = last;
    } else pairs[k] = [pair[0], (pair[1] % 3) + 1];
  }
  const listing = new Map(pairs);
  if (numbering === undefined) return listing;
  const entries = pairs.map(([hash, count]) => {
    let n = numbering.indexOf(hash);
    if (n < 0) n = numbering.push(hash) - 1;
    return n * 256 + count;
  });
  return Object.assign(listing, { numbered: { hashes: numbering, entries } });
}

function localRepos(a: Activation): LocalRepo[] {
  return a.local.map((hashes, i) => ({ id: `repo-${i}`, artifacts: hashes.map((hash) => ({ hash, size: 1 })), release: () => {} }));
}

/** All a planner can read of `table`, whether built afresh or updated from the table before. */
function contentsOf(table: InventoryTable) {
  return {
    artifacts: [...table.inHashOrder].map((id) => ({
      hash: table.hashOf(id),
      wanted: table.isWanted(id),
      held: table.presentCount(id),
      copies: table.sleds.map((_, position) => table.copiesAt(id, position)),
      holderPositions: Array.from({ length: table.presentCount(id) }, (_, k) => table.sledPosition(id, true, k, 0)),
      short: [1, 2, 3, 4].map((expected) => table.anyShort(id, expected)),
    })),
    found: HASHES.map((hash) => table.find(hash)),
  };
}

describe('InventoryTable', () => {
  it('plans exactly as planActivation over buildInventory, activation after activation, leaving the rng in the same state (tables on one reused TableMemory, as the engine builds them, updated for the listings that changed)', () => {
    fc.assert(
      fc.property(engineCase, (c) => {
        const params = engineParams({
          generation: c.generation,
          minSledReplication: c.minSledReplication,
          expectedCount: c.expectedCount,
          maxRequests: c.maxRequests,
          maxPutRequests: c.maxPutRequests,
        });
        const keepUnwanted = c.generation === 'review' || c.generation === 'merged';
        const ids = new ArtifactIds();
        const memory = new TableMemory();
        const numbering = [...c.numbered];
        const otherNumbering = [...c.otherNumbering];
        const typedRng = seededRng(`${c.seed}`);
        const plainRng = seededRng(`${c.seed}`);
        let before: { listings: (ListedArtifacts | undefined)[]; wanted: readonly ArtifactHash[] } | undefined;
        for (const fresh of c.activations) {
          const a = { ...fresh, wanted: fresh.sameWanted && before !== undefined ? before.wanted : fresh.wanted };
          const listings = listingsOf(a, numbering, otherNumbering).map((listing, i) => {
            const last = before?.listings[i];
            if (last === undefined || a.change[i] === 'fresh') return listing;
            return a.change[i] === 'same' ? last : churned(last, a.edits[i] ?? []);
          });
          before = { listings, wanted: a.wanted };
          const byName = new Map<SledId, ReadonlyMap<ArtifactHash, number>>();
          listings.forEach((listing, i) => {
            if (listing !== undefined) byName.set(c.sleds[i] as SledId, listing);
          });
          const repos = localRepos(a);
          const plain = planActivation({ sleds: c.sleds, inventory: buildInventory(a.wanted, byName, keepUnwanted), localRepos: repos }, plainRng, params);
          const table = new InventoryTable(ids, c.sleds, listings, a.wanted, keepUnwanted, memory);
          expect(contentsOf(table)).toEqual(contentsOf(new InventoryTable(ids, c.sleds, listings, a.wanted, keepUnwanted)));
          const typed = planInventory(table, repos, typedRng, params);
          expect(typed).toEqual(plain);
          // Review's deferred requests are a getter (ReviewPlan), which toEqual does not read.
          expect(typed.deferred).toEqual(plain.deferred);
          expect(typed.release.map((r) => r.id)).toEqual(plain.release.map((r) => r.id));
        }
        expect(typedRng.nextU32()).toBe(plainRng.nextU32());
      }),
      { numRuns: 600 },
    );
  });

  it('reads a listing snapshot into ids once, and walks artifacts in hash order whatever order they were first seen in', () => {
    const ids = new ArtifactIds();
    const snapshot = new Map([
      ['f0', 1],
      ['a1', 2],
    ]);
    expect(ids.listing(snapshot)).toBe(ids.listing(snapshot));
    ids.intern('b2');
    expect([...ids.inHashOrder()].map((id) => ids.hashOf(id))).toEqual(['a1', 'b2', 'f0']);
    const table = new InventoryTable(ids, ['sled-0', 'sled-1'], [undefined, snapshot], ['b2', 'f0'], true);
    expect([...table.inHashOrder].map((id) => table.hashOf(id))).toEqual(['a1', 'b2', 'f0']);
    expect(table.copiesAt(ids.find('a1') as number, 1)).toBe(2);
    expect(table.isWanted(ids.find('a1') as number)).toBe(false);
    expect(table.split(ids.find('f0') as number)).toEqual({ holders: ['sled-1'], missing: ['sled-0'] });
    expect(table.find('zz')).toBeUndefined();
    expect(new InventoryTable(ids, ['sled-0', 'sled-1'], [undefined, snapshot], ['b2'], false).find('a1')).toBeUndefined();
  });

  it("reads a numbered listing's entries by number, in the first numbering it met, and any other numbering by hashes", () => {
    const ids = new ArtifactIds();
    ids.intern('a1');
    // The maps say the opposite of the entries: what the table holds tells which it read.
    const numbering = ['f0', 'a1'];
    const byNumber = Object.assign(new Map([['a1', 1]]), { numbered: { hashes: numbering, entries: [0 * 256 + 3] } });
    const other = ['a1', 'f0'];
    const byHash = Object.assign(new Map([['f0', 2]]), { numbered: { hashes: other, entries: [0 * 256 + 1] } });
    const table = new InventoryTable(ids, ['sled-0', 'sled-1'], [byNumber, byHash], ['a1', 'f0'], true);
    const f0 = table.find('f0') as number;
    const a1 = table.find('a1') as number;
    expect([table.copiesAt(f0, 0), table.copiesAt(a1, 0)]).toEqual([3, 0]);
    expect([table.copiesAt(f0, 1), table.copiesAt(a1, 1)]).toEqual([2, 0]);
    // A number appended to the numbering later is read too.
    numbering.push('b2');
    const grown = Object.assign(new Map(), { numbered: { hashes: numbering, entries: [2 * 256 + 1, 1 * 256 + 2] } });
    const next = new InventoryTable(ids, ['sled-0'], [grown], ['b2'], true);
    expect([next.copiesAt(next.find('b2') as number, 0), next.copiesAt(next.find('a1') as number, 0)]).toEqual([1, 2]);
    expect([...next.inHashOrder].map((id) => next.hashOf(id))).toEqual(['a1', 'b2']);
  });
});
