// The planners' walks over the sleds against the slices they replace: `chooseMissing` and
// `chooseHolder` must make the draws and pick the sleds (by position) that `choose` on `missing` and on
// `holders` (from `split`) did, and `pushDeletes` must name the holders in their order, on
// either form of inventory and with either `rand` release; `sledPosition`, their walk, must
// agree with the slices.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildInventory, inventoryView, type PlannerInventory } from '../inventory.ts';
import { ArtifactIds, InventoryTable } from '../inventory-table.ts';
import { seededRng } from '../random.ts';
import { RAND_VERSIONS, randSamplers } from '../rng/index.ts';
import type { ArtifactHash, SledId } from '../types.ts';
import { chooseHolder, chooseMissing, pushDeletes } from './sled-walk.ts';

const HASHES = ['d4', 'a1', 'c3', 'b2', 'e5', 'f6'];

interface RackCase {
  /** Per sled: copies of each of HASHES, or null when the sled did not answer. */
  readonly listed: readonly (readonly number[] | null)[];
  readonly version: (typeof RAND_VERSIONS)[number];
  readonly seed: number;
}

/** Rows nowhere, everywhere, sparse and dense, so that both slices are often empty. */
const copies = fc.oneof(fc.constant(0), fc.constant(2), fc.integer({ min: 0, max: 3 }), fc.constantFrom(0, 0, 0, 1));

/** Racks of `sledCount` sleds. */
const rackOf = (sledCount: fc.Arbitrary<number>): fc.Arbitrary<RackCase> => sledCount.chain((n) =>
  fc.record({
    listed: fc.array(fc.option(fc.array(copies, { minLength: HASHES.length, maxLength: HASHES.length }), { freq: 8 }), {
      minLength: n,
      maxLength: n,
    }),
    version: fc.constantFrom(...RAND_VERSIONS),
    seed: fc.integer(),
  }),
);

const rackCase = rackOf(fc.integer({ min: 0, max: 12 }));
/** Racks whose sleds take two or three words of the table's holder bits (32 sleds a word), or just fill one. */
const wideRackCase = rackOf(fc.oneof(fc.constantFrom(31, 32, 33, 64, 65), fc.integer({ min: 33, max: 80 })));

/** The case as the engine's table and as the plain map's view; every hash is wanted, so each is in both. */
function inventories(c: RackCase): PlannerInventory[] {
  const sleds: SledId[] = c.listed.map((_, i) => `sled-${i}`);
  const listing = (row: readonly number[]) => new Map(HASHES.map((hash, i) => [hash, row[i] as number]));
  const answered = new Map<SledId, ReadonlyMap<ArtifactHash, number>>();
  c.listed.forEach((row, i) => {
    if (row !== null) answered.set(sleds[i] as SledId, listing(row));
  });
  const table = new InventoryTable(new ArtifactIds(), sleds, c.listed.map((row) => (row === null ? undefined : listing(row))), HASHES, true);
  return [table, inventoryView(buildInventory(HASHES, answered, true), sleds)];
}

describe('walks over the sleds, against the slices of split', () => {
  it('chooseMissing then chooseHolder draw and choose as choose(missing) then choose(holders)', () => {
    fc.assert(
      fc.property(rackCase, (c) => {
        const draws = randSamplers(c.version);
        for (const inventory of inventories(c)) {
          const bySlices = seededRng(`walk-${c.seed}`);
          const byWalks = seededRng(`walk-${c.seed}`);
          for (let i = 0; i < inventory.inHashOrder.length; i++) {
            const artifact = inventory.inHashOrder[i] as number;
            const { holders, missing } = inventory.split(artifact);
            const at = (position: number | undefined) => (position === undefined ? undefined : inventory.sleds[position]);
            expect(at(chooseMissing(inventory, artifact, draws, byWalks))).toBe(draws.choose(missing, bySlices));
            expect(at(chooseHolder(inventory, artifact, draws, byWalks))).toBe(draws.choose(holders, bySlices));
          }
          // Both streams are at the same word: the walks drew exactly as often.
          expect(byWalks.nextU32()).toBe(bySlices.nextU32());
        }
      }),
      { numRuns: 300 },
    );
  });

  it('pushDeletes names every holder, in sled order', () => {
    fc.assert(
      fc.property(rackCase, (c) => {
        for (const inventory of inventories(c)) {
          for (let i = 0; i < inventory.inHashOrder.length; i++) {
            const artifact = inventory.inHashOrder[i] as number;
            const hash = inventory.hashOf(artifact);
            const deletes: unknown[] = [];
            pushDeletes(inventory, artifact, hash, deletes);
            expect(deletes).toEqual(inventory.split(artifact).holders.map((target) => ({ kind: 'delete', target, hash })));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['up to 12 sleds', rackCase, 200],
    ['31 to 80 sleds', wideRackCase, 20],
  ] as const)('sledPosition skips `skip` matching sleds from `from` on, as indexing the positions of split from there (%s)', (_, racks, numRuns) => {
    fc.assert(
      fc.property(racks, (c) => {
        for (const inventory of inventories(c)) {
          for (let i = 0; i < inventory.inHashOrder.length; i++) {
            const artifact = inventory.inHashOrder[i] as number;
            const { holders, missing } = inventory.split(artifact);
            for (const [holding, slice] of [[true, holders], [false, missing]] as const) {
              const positions = slice.map((sled) => inventory.sleds.indexOf(sled));
              for (let from = 0; from <= inventory.sleds.length; from++) {
                const after = positions.filter((position) => position >= from);
                expect(after.map((_, skip) => inventory.sledPosition(artifact, holding, skip, from))).toEqual(after);
              }
            }
          }
        }
      }),
      { numRuns },
    );
    // A wide rack checks every skip from every sled: tens of thousands of positions a run.
  }, 20_000);
});

