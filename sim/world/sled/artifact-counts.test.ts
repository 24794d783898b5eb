// The store's listing snapshots against a plain model: after any sequence of copies
// counted and removed, every snapshot taken on the way still says what the counts were
// when it was taken, both as the `ReadonlyMap` and as the numbered entries the engine reads.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ArtifactHash } from '../../../core/index.ts';
import { ArtifactCatalog } from '../artifact-catalog.ts';
import { LiveArtifactCounts, type ArtifactCounts } from './artifact-counts.ts';

const HASHES = ['c7', 'a1', 'f0', 'b2', 'e9'];

type Step = { readonly change: 1 | -1; readonly hash: ArtifactHash } | 'snapshot';

const steps = fc.array(
  fc.oneof(
    fc.record({ change: fc.constantFrom<1 | -1>(1, 1, -1), hash: fc.constantFrom(...HASHES) }),
    fc.constant<Step>('snapshot'),
  ),
  { maxLength: 60 },
);

/** The snapshot's numbered entries, decoded through its numbering. */
function decoded(snapshot: ArtifactCounts): Map<ArtifactHash, number> {
  const { hashes, entries } = snapshot.numbered;
  return new Map(entries.map((entry) => [hashes[entry >>> 8] as ArtifactHash, entry & 0xff]));
}

describe('LiveArtifactCounts', () => {
  it('freezes each snapshot as the counts were, as a map and as numbered entries, whatever the catalog numbered first', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(HASHES), steps, (numberedFirst, plan) => {
        const catalog = new ArtifactCatalog(numberedFirst);
        const live = new LiveArtifactCounts(catalog);
        const model = new Map<ArtifactHash, number>();
        const taken: [ArtifactCounts, Map<ArtifactHash, number>][] = [];
        for (const step of plan) {
          if (step === 'snapshot') {
            taken.push([live.snapshot(), new Map(model)]);
            continue;
          }
          const count = (model.get(step.hash) ?? 0) + step.change;
          if (count < 0) {
            expect(() => live.change(catalog.numberOf(step.hash), step.change)).toThrow(`no copy of ${step.hash} to remove`);
            continue;
          }
          live.change(catalog.numberOf(step.hash), step.change);
          if (count === 0) model.delete(step.hash);
          else model.set(step.hash, count);
        }
        taken.push([live.snapshot(), new Map(model)]);
        for (const [snapshot, then] of taken) {
          expect(new Map(snapshot)).toEqual(then);
          expect(decoded(snapshot)).toEqual(then);
          expect(snapshot.numbered.entries.length).toBe(then.size);
          expect(snapshot.numbered.hashes).toBe(catalog.hashes);
          for (const hash of HASHES) expect(snapshot.get(hash)).toBe(then.get(hash));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('snapshotOf keeps the entries of the members only, as the counts were, and is handed out until the counts or members change', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(HASHES), fc.subarray(HASHES), steps, (numberedFirst, memberHashes, plan) => {
        const catalog = new ArtifactCatalog(numberedFirst);
        const live = new LiveArtifactCounts(catalog);
        const members = catalog.membersOf(memberHashes);
        const model = new Map<ArtifactHash, number>();
        const taken: [ArtifactCounts, Map<ArtifactHash, number>][] = [];
        let last: ArtifactCounts | undefined;
        for (const step of plan) {
          if (step === 'snapshot') {
            const snapshot = live.snapshotOf(members);
            if (last !== undefined) expect(snapshot).toBe(last);
            last = snapshot;
            expect(live.snapshotOf(null).size).toBe(0);
            expect(live.snapshotOf(members)).not.toBe(snapshot);
            last = live.snapshotOf(members);
            taken.push([last, new Map([...model].filter(([hash]) => memberHashes.includes(hash)))]);
            continue;
          }
          const count = (model.get(step.hash) ?? 0) + step.change;
          if (count < 0) continue;
          live.change(catalog.numberOf(step.hash), step.change);
          last = undefined;
          if (count === 0) model.delete(step.hash);
          else model.set(step.hash, count);
        }
        for (const [snapshot, then] of taken) {
          expect(new Map(snapshot)).toEqual(then);
          expect(decoded(snapshot)).toEqual(then);
          expect(snapshot.numbered.hashes).toBe(catalog.hashes);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('hands out one snapshot until the counts change', () => {
    const catalog = new ArtifactCatalog();
    const live = new LiveArtifactCounts(catalog);
    live.change(catalog.numberOf('a1'), 1);
    const first = live.snapshot();
    expect(live.snapshot()).toBe(first);
    live.change(catalog.numberOf('a1'), 1);
    expect(live.snapshot()).not.toBe(first);
    expect([first.get('a1'), live.snapshot().get('a1')]).toEqual([1, 2]);
  });
});
