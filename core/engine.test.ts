import { describe, expect, it } from 'vitest';
import { ReplicationEngine } from './engine.ts';
import { engineParams } from './params.ts';
import { seededRng } from './random.ts';
import { FakeRack, fakeRepo, hash } from './testing/fake-rack.ts';
import { UploadChannel } from './upload-channel.ts';

function engineOn(rack: FakeRack, generation: 'review' | 'merged' | 'generation') {
  const uploads = new UploadChannel();
  const engine = new ReplicationEngine(
    { datastore: rack.datastore, sledAgents: rack.sledAgents, clock: rack.clock, rng: seededRng('t'), log: rack.log },
    engineParams({ generation }),
    uploads,
  );
  return { engine, uploads };
}

describe('omicron integration expectation (merged, 4 sleds, min 3)', () => {
  it('replicates a repo of N artifacts, then releases it, and a re-upload changes nothing', async () => {
    const rack = new FakeRack(4);
    const { engine, uploads } = engineOn(rack, 'merged');
    const n = 5;
    const hashes = Array.from({ length: n }, (_, i) => hash(i + 1));
    rack.db.artifacts = hashes;
    const repo = fakeRepo('v1', hashes);
    uploads.send(repo);

    const first = await rack.run(engine.activate());
    expect(first.error).toBeNull();
    expect(first.lastRun.list).toEqual({ ok: 4, error: 0 });
    expect(first.lastRun.put).toEqual({ ok: 3 * n, error: 0 });
    expect(first.lastRun.copy).toEqual({ ok: n, error: 0 });
    expect(first.lastRun.delete).toEqual({ ok: 0, error: 0 });
    expect(first.localRepos).toBe(1);
    expect(repo.released).toBe(false);

    const second = await rack.run(engine.activate());
    expect(second.lastRun.list).toEqual({ ok: 4, error: 0 });
    expect(second.lastRun.put.ok + second.lastRun.copy.ok + second.lastRun.delete.ok).toBe(0);
    expect(second.localRepos).toBe(0);
    expect(repo.released).toBe(true);
  });
});
