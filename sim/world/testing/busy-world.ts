import type { EngineGeneration } from '../../../core/index.ts';
import { scheduleRandomFaults } from '../fault-generator.ts';
import { World, type WorldConfig } from '../world.ts';
import { HOUR, MINUTE, MiB, repo, worldConfig } from './world-fixtures.ts';

/**
 * A 32-sled, 3-Nexus rack through six hours of uploads, a delete and random faults of
 * every family: the workload of the determinism tests and the benchmark.
 */
export function busyWorld(seed: number, generation: EngineGeneration, overrides: Partial<WorldConfig> = {}): World {
  const v2 = repo('v2', 48, 32 * MiB);
  const v1 = repo('v1', 64, 32 * MiB);
  // v2 shares half of v1's artifacts, as consecutive releases do.
  const shared = { name: v2.name, artifacts: [...v1.artifacts.slice(0, 24), ...v2.artifacts.slice(24)] };
  const world = new World({
    ...worldConfig({ seed, engine: { generation }, repos: [repo('v0', 32, 32 * MiB), v1, shared, repo('v3', 16, 32 * MiB)] }),
    ...overrides,
  });
  world.seedRepo('v0', [...world.sleds.keys()]);
  world.start();
  const at = (t: number, label: string, fn: () => void): void => void world.kernel.at(t, label, fn);
  at(5 * MINUTE, 'upload v1', () => world.upload('v1', 'nexus-0'));
  at(50 * MINUTE, 'upload v2', () => world.upload('v2', 'nexus-1'));
  at(52 * MINUTE, 'upload v2 again', () => world.upload('v2', 'nexus-2'));
  at(2 * HOUR, 'delete v0', () => world.deleteRepo('v0'));
  at(3 * HOUR, 'upload v3', () => world.upload('v3', 'nexus-2'));
  at(4 * HOUR, 'add sleds', () => world.addSleds(2));
  at(4 * HOUR, 'm2 failure', () => world.failM2('sled-5', 1));
  at(5 * HOUR, 'expunge', () => world.expungeSled('sled-7'));
  scheduleRandomFaults(world, {
    until: 5 * HOUR,
    sledCrash: { every: 30 * MINUTE, down: { min: 1 * MINUTE, max: 20 * MINUTE } },
    nexusCrash: { every: 2 * HOUR, down: 5 * MINUTE },
    partition: { every: 1 * HOUR, for: { min: 1 * MINUTE, max: 15 * MINUTE } },
    slow: { every: 45 * MINUTE, extra: { min: 1_000_000, max: 90_000_000 }, for: 10 * MINUTE },
  });
  return world;
}

