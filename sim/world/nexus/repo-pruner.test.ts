// HEAD's TUF repo pruner (nexus/src/app/background/tasks/tuf_repo_pruner.rs@b848b6df): the
// decision, and the task on Nexus instances of a `current` world.
import fc from 'fast-check';
import type { EngineGeneration } from '../../../core/index.ts';
import { describe, expect, it } from 'vitest';
import { MS, SECOND, worldConfig } from '../testing/world-fixtures.ts';
import { World } from '../world.ts';
import type { WorldEvent } from '../world-events.ts';
import { decidePrune, PRUNER_PERIOD } from './repo-pruner.ts';

describe('decidePrune', () => {
  it('keeps target releases and the two newest other repos, and names the oldest other one', () => {
    const repos = [
      { repo: 'a', created: 40 },
      { repo: 'b', created: 10 },
      { repo: 'c', created: 30 },
      { repo: 'd', created: 20 },
    ];
    expect(decidePrune(repos, new Set())).toBe('b');
    expect(decidePrune(repos, new Set(['b']))).toBe('d');
    expect(decidePrune(repos, new Set(['b', 'd']))).toBeUndefined();
    expect(decidePrune(repos.slice(0, 2), new Set())).toBeUndefined();
  });

  it('property: prunes iff more than two non-target repos, never a target release, always one of the oldest', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ repo: fc.stringMatching(/^[a-f]{1,3}$/), created: fc.integer({ min: 0, max: 5 }) }), {
          selector: (r) => r.repo,
          maxLength: 12,
        }),
        fc.array(fc.stringMatching(/^[a-f]{1,3}$/), { maxLength: 4 }),
        (repos, targets) => {
          const sorted = [...repos].sort((x, y) => (x.repo < y.repo ? -1 : 1));
          const targetSet = new Set(targets);
          const others = sorted.filter((r) => !targetSet.has(r.repo));
          const pruned = decidePrune(sorted, targetSet);
          if (others.length <= 2) return pruned === undefined;
          const oldest = Math.min(...others.map((r) => r.created));
          const chosen = others.find((r) => r.repo === pruned);
          return chosen !== undefined && chosen.created === oldest && !targetSet.has(chosen.repo);
        },
      ),
    );
  });
});

describe('RepoPruner on current Nexus instances', () => {
  function prunerWorld(nexus: number, repoPruner = true, generation: EngineGeneration = 'current') {
    const world = new World(
      worldConfig({
        sleds: 4,
        network: { latency: { fixed: 1 * MS }, bandwidth: 1024 * 1024 * 1024, timeout: 60 * SECOND, loss: 0 },
        datastoreLatency: { fixed: 2 * MS },
        nexus: { count: nexus, period: PRUNER_PERIOD, unpack: 30 * SECOND, uploadOrder: 'db_first', repoPruner },
        engine: { generation },
        repos: ['v1', 'v2', 'v3', 'v4'].map((name) => ({ name, artifacts: [{ hash: `${name}-a`, size: 1024 }] })),
      }),
    );
    const events: WorldEvent[] = [];
    world.subscribe((e) => events.push(e));
    world.start();
    // Inserted 10 s apart: v1 is the oldest.
    for (const [i, name] of ['v1', 'v2', 'v3', 'v4'].entries()) {
      world.kernel.at((i + 1) * 10 * SECOND, 'insert', () => void world.datastore.insertRepo(name, [`${name}-a`], null));
    }
    const prunes = (): [string, number][] =>
      events.flatMap((e) => (e.type === 'repo_deleted' ? [[e.repo, Math.floor(e.t / PRUNER_PERIOD)] as [string, number]] : []));
    return { world, prunes };
  }

  it('prunes one repo per activation, oldest first, until two are left; three Nexus still prune one a period', async () => {
    for (const nexus of [1, 3]) {
      const { world, prunes } = prunerWorld(nexus);
      await world.run(4 * PRUNER_PERIOD - 1);
      // Periods 1 and 2 (t = 300 s, 600 s): v1, then v2; then nothing.
      expect(prunes()).toEqual([
        ['v1', 1],
        ['v2', 2],
      ]);
      expect(world.datastore.wanted().sort()).toEqual(['v3-a', 'v4-a']);
      expect(world.datastore.hasRepo('v1')).toBe(true);
    }
  });

  it('keeps a target release; a re-upload moves a repo to the back of the queue', async () => {
    const { world, prunes } = prunerWorld(1);
    world.kernel.at(50 * SECOND, 'target', () => world.setTargetRelease('v1'));
    // time_created := now: v2 is then the newest.
    world.kernel.at(60 * SECOND, 're-upload', () => void world.datastore.insertRepo('v2', ['v2-a'], null));
    await world.run(4 * PRUNER_PERIOD - 1);
    expect(prunes()).toEqual([['v3', 1]]);
  });

  it.each([
    [false, 'current'],
    [true, 'generation'],
  ] as const)('pruner %s on %s: nothing is pruned', async (on, generation) => {
    const { world, prunes } = prunerWorld(1, on, generation);
    await world.run(4 * PRUNER_PERIOD - 1);
    expect(prunes()).toEqual([]);
  });
});
