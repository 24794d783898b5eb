// The metrics' repo rows: one per repo of the catalog is made with the metrics, and `repos`
// lists it only from its repo's first event, as when rows were made on that event.
import { describe, expect, it } from 'vitest';
import { fedObservers } from '../testing/fed-observers.ts';

function observed() {
  const { observers, send } = fedObservers({
    m2PerSled: 1,
    catalog: [
      { name: 'v1', artifacts: [{ hash: 'h', size: 10 }] },
      { name: 'v2', artifacts: [{ hash: 'g', size: 20 }, { hash: 'h', size: 10 }] },
    ],
    checkers: false,
  });
  return { metrics: observers.metrics, send };
}

describe('repo rows', () => {
  it('are listed from their repo’s first event; copies before it leave them untouched', () => {
    const { metrics, send } = observed();
    send({ type: 'sled_added', sled: 'sled-0' });
    send({ type: 'artifact_stored', sled: 'sled-0', m2: 0, hash: 'h', bytes: 10, via: 'put' });
    expect([...metrics.repos.keys()]).toEqual([]);
    send({ type: 'repo_inserted', repo: 'v2', nexus: null, artifacts: ['g', 'h'], generation: 1 });
    send({ type: 'repo_inserted', repo: 'v1', nexus: null, artifacts: ['h'], generation: 2 });
    expect([...metrics.repos.keys()]).toEqual(['v2', 'v1']);
    const v1 = metrics.repos.get('v1');
    expect(v1).toMatchObject({ artifacts: 1, bytes: 10, inDbAt: 4, minReplicatedAt: 4, fullyReplicatedAt: 4, lost: 0 });
    expect(metrics.repos.get('v2')).toMatchObject({ artifacts: 2, bytes: 30, inDbAt: 3, minReplicatedAt: null });
    send({ type: 'artifact_stored', sled: 'sled-0', m2: 0, hash: 'g', bytes: 20, via: 'put' });
    expect(metrics.repos.get('v2')).toMatchObject({ minReplicatedAt: 5, fullyReplicatedAt: 5 });
  });

  it('of a repo the catalog does not know have no artifacts', () => {
    const { metrics, send } = observed();
    send({ type: 'repo_inserted', repo: 'other', nexus: null, artifacts: [], generation: 1 });
    expect(metrics.repos.get('other')).toMatchObject({ repo: 'other', artifacts: 0, bytes: 0, inDbAt: 1 });
  });
});
