// The world's numbering of artifacts: fixed for the scenario's repos before any sled
// exists, shared by every sled's listing, so that the engine reads every listing by
// number (an engine reads one numbering by number and any other by hashes).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArtifactCatalog } from './artifact-catalog.ts';
import { repo, worldConfig } from './testing/world-fixtures.ts';
import { World } from './world.ts';

describe('ArtifactCatalog', () => {
  it('numbers the given hashes in order, then each new hash as it first appears; a number never changes', () => {
    const catalog = new ArtifactCatalog(['r0-0', 'r0-1', 'r0-0']);
    expect([catalog.numberOf('r0-1'), catalog.numberOf('x'), catalog.numberOf('r0-0'), catalog.numberOf('x')]).toEqual([1, 2, 0, 2]);
    expect(catalog.hashes).toEqual(['r0-0', 'r0-1', 'x']);
  });

  it('numbers the given hashes as numbering them one by one does, on random lists', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { maxLength: 12 }), fc.array(fc.constantFrom('a', 'c', 'x', 'y')), (given, later) => {
        const built = new ArtifactCatalog(given);
        const oneByOne = new ArtifactCatalog();
        for (const hash of given) oneByOne.numberOf(hash);
        expect(built.hashes).toEqual(oneByOne.hashes);
        expect(later.map((h) => built.numberOf(h))).toEqual(later.map((h) => oneByOne.numberOf(h)));
        expect(built.hashes).toEqual(oneByOne.hashes);
      }),
      { numRuns: 200 },
    );
  });

  it('marks the numbers of a hash list, numbering new hashes, once per list', () => {
    const catalog = new ArtifactCatalog(['a', 'b', 'c']);
    const sent = ['c', 'x', 'a'];
    const members = catalog.membersOf(sent);
    expect([...members]).toEqual([1, 0, 1, 1]);
    expect(catalog.membersOf(sent)).toBe(members);
    expect([...catalog.membersOf([...sent])]).toEqual([1, 0, 1, 1]);
    expect([...catalog.membersOf(['b'])]).toEqual([0, 1, 0, 0]);
  });

  it('tells whether one hash list is within another, the same answer again for the same pair and a fresh one for any other', () => {
    const catalog = new ArtifactCatalog(['a', 'b', 'c']);
    const stored = catalog.membersOf(['a', 'b']);
    const within = catalog.membersOf(['b', 'a']);
    const beyond = catalog.membersOf(['a', 'x']);
    const answers = [
      catalog.everyMemberIn(within, stored),
      catalog.everyMemberIn(within, stored),
      catalog.everyMemberIn(beyond, stored),
      catalog.everyMemberIn(stored, beyond),
      catalog.everyMemberIn(within, stored),
      catalog.everyMemberIn(stored, catalog.membersOf(['a', 'b', 'c', 'x'])),
    ];
    expect(answers).toEqual([true, true, false, false, true, true]);
  });

  it('spells a prefixed hash once per prefix and artifact, numbers met in any order, each kept apart by prefix and number', () => {
    const catalog = new ArtifactCatalog(['a', 'b', 'c']);
    const texts = [catalog.withHash('p ', 2), catalog.withHash('p ', 0), catalog.withHash('q ', 2), catalog.withHash('p ', 2)];
    expect(texts).toEqual(['p c', 'p a', 'q c', 'p c']);
    expect(catalog.withHash('p ', catalog.numberOf('zz'))).toBe('p zz');
  });

  it("numbers the world's repos, shared artifacts once, and every sled lists in that one numbering", () => {
    const r0 = repo('r0', 3);
    const r1 = { name: 'r1', artifacts: [...(r0.artifacts.slice(1)), ...repo('r1', 1).artifacts] };
    const world = new World(worldConfig({ sleds: 3, repos: [r0, r1], engine: { generation: 'current' } }));
    world.seedRepo('r1', ['sled-0', 'sled-2']);
    const listings = [...world.sleds.values()].map((sled) => sled.store.list());
    const numbering = listings[0]?.numbered.hashes;
    expect(numbering).toEqual(['r0-0000', 'r0-0001', 'r0-0002', 'r1-0000']);
    for (const listing of listings) expect(listing.numbered.hashes).toBe(numbering);
    const decoded = listings.map(({ numbered }) => numbered.entries.map((entry) => [numbered.hashes[entry >>> 8], entry & 0xff]));
    const r1Copies = [['r0-0001', 2], ['r0-0002', 2], ['r1-0000', 2]];
    expect(decoded).toEqual([r1Copies, [], r1Copies]);
  });
});
