import { describe, expect, it } from 'vitest';
import { ENGINE_GENERATIONS, type EngineGeneration } from '../../core/index.ts';
import { convergenceGaps, isConverged } from './convergence.ts';
import { MINUTE, HOUR, repo, worldConfig } from '../world/testing/world-fixtures.ts';
import { World } from '../world/world.ts';
import type { WorldEvent } from '../world/world-events.ts';

interface Outcome {
  readonly convergedAt: number | null;
  readonly events: readonly WorldEvent[];
  readonly world: World;
}

/** A healthy 32-sled, 3-Nexus rack; one 64-artifact repo uploaded to nexus-0 at 1 min. */
async function replicateOneRepo(generation: EngineGeneration): Promise<Outcome> {
  const world = new World(worldConfig({ engine: { generation }, repos: [repo('v1', 64)] }));
  const events: WorldEvent[] = [];
  world.subscribe((e) => events.push(e));
  world.start();
  world.kernel.at(1 * MINUTE, 'upload v1', () => world.upload('v1', 'nexus-0'));
  let convergedAt: number | null = null;
  for (let t = 2 * MINUTE; t <= 6 * HOUR && convergedAt === null; t += MINUTE) {
    await world.run(t);
    if (world.datastore.hasRepo('v1') && isConverged(world)) convergedAt = t;
  }
  return { convergedAt, events, world };
}

const count = (events: readonly WorldEvent[], pred: (e: WorldEvent) => boolean): number => events.filter(pred).length;

describe.each(ENGINE_GENERATIONS)('the %s engine on a healthy 32-sled rack', (generation) => {
  it('converges one 64-artifact repo: every sled holds both copies, the local repo is released, nothing is deleted', async () => {
    const { convergedAt, events, world } = await replicateOneRepo(generation);
    expect(convergedAt).not.toBeNull();
    expect(convergenceGaps(world)).toEqual({ missingPairs: 0, unwantedPairs: 0, localRepos: 0 });
    for (const sled of world.sleds.values()) {
      expect(sled.store.storedHashes()).toHaveLength(64);
      for (const hash of sled.store.storedHashes()) expect(sled.store.copies(hash)).toBe(2);
    }
    // Racing Nexus instances may write a copy twice (the second replaces the first).
    const stored = new Set(events.flatMap((e) => (e.type === 'artifact_stored' ? [`${e.sled}/${e.m2}/${e.hash}`] : [])));
    expect(stored.size).toBe(32 * 64 * 2);
    expect(count(events, (e) => e.type === 'artifact_removed')).toBe(0);
    expect(events.filter((e) => e.type === 'local_repo_released').map((e) => e.type === 'local_repo_released' && e.nexus)).toEqual(['nexus-0']);
    const puts = count(events, (e) => e.type === 'request_sent' && e.kind === 'put');
    // review PUTs each artifact to one sled; later generations to min_sled_replication sleds.
    expect(puts).toBe(generation === 'review' ? 64 : 3 * 64);
    expect(count(events, (e) => e.type === 'request_sent' && e.kind === 'delete')).toBe(0);
  }, 60_000);
});

describe('how fast each generation converges', () => {
  it('review, capped at 32 requests per activation, takes longer than the uncapped engines', async () => {
    const times = new Map<EngineGeneration, number | null>();
    for (const generation of ENGINE_GENERATIONS) times.set(generation, (await replicateOneRepo(generation)).convergedAt);
    const review = times.get('review') ?? Infinity;
    // 64 × 31 copies, at most 32 requests per activation of each of 3 Nexus every 5 min.
    expect(review).toBeGreaterThanOrEqual(60 * MINUTE);
    expect(times.get('merged') ?? Infinity).toBeLessThanOrEqual(10 * MINUTE);
    expect(times.get('generation') ?? Infinity).toBeLessThanOrEqual(10 * MINUTE);
  }, 120_000);
});
