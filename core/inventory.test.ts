// The inventory the engine builds each activation, against a plain reference: a Map per
// artifact filled listing by listing, which is what omicron's code does.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyShort, buildInventory, splitByPresence, type ArtifactPresence } from './inventory.ts';
import { engineParams } from './params.ts';
import { planActivation } from './planner/index.ts';
import { seededRng } from './random.ts';
import { ENGINE_GENERATIONS, type ArtifactHash, type SledId } from './types.ts';

const HASHES = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];

interface RawCase {
  readonly sleds: readonly SledId[];
  /** Per sled, copies of each of HASHES it lists (0: not listed). */
  readonly listed: readonly (readonly number[])[];
  /** Whether the sled answered its list request. */
  readonly answered: readonly boolean[];
  readonly wanted: readonly ArtifactHash[];
  readonly keepUnwanted: boolean;
}

const rawCase: fc.Arbitrary<RawCase> = fc.integer({ min: 0, max: 6 }).chain((n) =>
  fc.record({
    sleds: fc.constant(Array.from({ length: n }, (_, i) => `sled-${i}`)),
    listed: fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: HASHES.length, maxLength: HASHES.length }), { minLength: n, maxLength: n }),
    answered: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    wanted: fc.subarray(HASHES),
    keepUnwanted: fc.boolean(),
  }),
);

function listings(c: RawCase): Map<SledId, Map<ArtifactHash, number>> {
  const result = new Map<SledId, Map<ArtifactHash, number>>();
  c.sleds.forEach((sled, i) => {
    if (!c.answered[i]) return;
    const counts = new Map<ArtifactHash, number>();
    c.listed[i]?.forEach((n, h) => {
      if (n > 0) counts.set(HASHES[h] as ArtifactHash, n);
    });
    result.set(sled, counts);
  });
  return result;
}

/** The reference: a Map per artifact, filled listing by listing. */
function reference(c: RawCase): Map<ArtifactHash, { wanted: boolean; sleds: Map<SledId, number> }> {
  const inventory = new Map<ArtifactHash, { wanted: boolean; sleds: Map<SledId, number> }>();
  for (const hash of c.wanted) inventory.set(hash, { wanted: true, sleds: new Map() });
  for (const [sled, counts] of listings(c)) {
    for (const [hash, n] of counts) {
      let presence = inventory.get(hash);
      if (presence === undefined) {
        if (!c.keepUnwanted) continue;
        presence = { wanted: false, sleds: new Map() };
        inventory.set(hash, presence);
      }
      presence.sleds.set(sled, n);
    }
  }
  return inventory;
}

function asPlain(presence: ArtifactPresence): { wanted: boolean; sleds: [SledId, number][] } {
  return { wanted: presence.wanted, sleds: [...presence.sleds] };
}

describe('buildInventory', () => {
  it('holds what the reference holds, and reads like a Map in every way the planner reads it', () => {
    fc.assert(
      fc.property(rawCase, (c) => {
        const built = buildInventory(c.wanted, listings(c), c.keepUnwanted);
        const expected = reference(c);
        expect(new Set(built.keys())).toEqual(new Set(expected.keys()));
        for (const [hash, want] of expected) {
          const got = built.get(hash) as ArtifactPresence;
          expect(asPlain(got)).toEqual({ wanted: want.wanted, sleds: [...want.sleds] });
          expect(got.sleds.size).toBe(want.sleds.size);
          for (const sled of [...c.sleds, 'sled-unknown']) {
            expect(got.sleds.get(sled)).toBe(want.sleds.get(sled));
            expect(got.sleds.has(sled)).toBe(want.sleds.has(sled));
          }
          const walked: [SledId, number][] = [];
          got.sleds.forEach((n, sled) => walked.push([sled, n]));
          expect(walked).toEqual([...want.sleds]);
          expect([...got.sleds.keys()]).toEqual([...want.sleds.keys()]);
          expect([...got.sleds.values()]).toEqual([...want.sleds.values()]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('splitByPresence and anyShort agree with a plain walk over the sleds', () => {
    fc.assert(
      fc.property(rawCase, fc.integer({ min: 1, max: 4 }), (c, expected) => {
        for (const presence of buildInventory(c.wanted, listings(c), true).values()) {
          const { holders, missing } = splitByPresence(presence, c.sleds);
          expect(holders).toEqual(c.sleds.filter((s) => (presence.sleds.get(s) ?? 0) > 0));
          expect(missing).toEqual(c.sleds.filter((s) => (presence.sleds.get(s) ?? 0) === 0));
          expect(anyShort(presence, expected)).toBe([...presence.sleds.values()].some((n) => n < expected));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('gives every planner the same plan as the reference inventory does', () => {
    fc.assert(
      fc.property(rawCase, fc.constantFrom(...ENGINE_GENERATIONS), fc.integer(), (c, generation, seed) => {
        const params = engineParams({ generation });
        const input = { sleds: c.sleds, localRepos: [] };
        const built = planActivation({ ...input, inventory: buildInventory(c.wanted, listings(c), c.keepUnwanted) }, seededRng(`${seed}`), params);
        const expected = planActivation({ ...input, inventory: reference(c) }, seededRng(`${seed}`), params);
        expect(built).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
