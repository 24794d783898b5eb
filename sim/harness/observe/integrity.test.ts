// artifact_integrity (SPEC §4) from ground truth: a short final file is listed by its sled
// but is no copy, for the checkers, the holder tallies and the bytes on the dataset.
import { describe, expect, it } from 'vitest';
import { fedObservers } from '../testing/fed-observers.ts';

function observed() {
  const { observers, send } = fedObservers();
  send({ type: 'sled_added', sled: 'sled-0' });
  for (const m2 of [0, 1]) send({ type: 'artifact_stored', sled: 'sled-0', m2, hash: 'h', bytes: 10, via: 'copy' });
  send({ type: 'repo_inserted', repo: 'v1', nexus: null, artifacts: ['h'], generation: 1 });
  const { truth, checkers, ids } = observers;
  const h = ids.hashes.id('h');
  const sled0 = ids.sleds.id('sled-0');
  return { observers, truth, checkers, send, h, sled0 };
}

describe('a truncated final file', () => {
  it('is an artifact_integrity violation, no copy for the holder tallies, and counts the bytes it holds', () => {
    const { truth, checkers, send, h, sled0 } = observed();
    send({ type: 'artifact_truncated', sled: 'sled-0', m2: 0, hash: 'h', bytes: 4, size: 10 });
    expect(checkers.violations.map((v) => [v.invariant, v.sled, v.artifact])).toEqual([['artifact_integrity', 'sled-0', 'h']]);
    expect(truth.copiesOn(sled0, h)).toBe(1);
    expect(truth.fullHolderCount(h)).toBe(0);
    expect(truth.datasetUsage(sled0, 0)).toBe(4);
  });

  it('a complete write over it makes the copy whole again; removing it takes off the bytes it held', () => {
    const { truth, send, h, sled0 } = observed();
    send({ type: 'artifact_truncated', sled: 'sled-0', m2: 0, hash: 'h', bytes: 4, size: 10 });
    send({ type: 'artifact_stored', sled: 'sled-0', m2: 0, hash: 'h', bytes: 10, via: 'copy' });
    expect(truth.fullHolderCount(h)).toBe(1);
    expect(truth.datasetUsage(sled0, 0)).toBe(10);
    send({ type: 'artifact_truncated', sled: 'sled-0', m2: 1, hash: 'h', bytes: 3, size: 10 });
    send({ type: 'artifact_removed', sled: 'sled-0', m2: 1, hash: 'h', bytes: 3, cause: 'delete' });
    expect(truth.datasetUsage(sled0, 1)).toBe(0);
    expect(truth.copiesOn(sled0, h)).toBe(1);
  });
});

describe('a copy’s violations, from its fields', () => {
  // The observers take a copy's events as fields and the checkers its numbers: a
  // violation names its sled and artifact from the ids, as the event named them.
  it('name the sled and the artifact the event named, under the world numbers that came with it', () => {
    const { observers, checkers } = observed();
    observers.artifactRemoved('sled-0', 1, 'h', 10, 'delete', 7, 3);
    observers.artifactStored('sled-0', 1, 'h', 120, 'put', 7, 3);
    expect(checkers.violations.map((v) => [v.invariant, v.sled, v.artifact, v.detail])).toEqual([
      ['no_backwards_delete', 'sled-0', 'h', 'delete removed a copy a repo in the database references'],
      ['quota', 'sled-0', 'h', 'M.2 1 holds 120 bytes, quota 100'],
    ]);
  });
});
