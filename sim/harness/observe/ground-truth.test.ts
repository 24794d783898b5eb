import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { judges } from '../runner.ts';
import { compileScenario, worldConfig } from '../scenario/compile.ts';
import { loadScenario } from '../scenario/load.ts';

const SCENARIOS = new URL('../../../scenarios/', import.meta.url);

/**
 * Runs `file` (seed 1) and compares, after every event, the ground truth's count of
 * unwanted copies with each unwanted artifact's holders summed over every artifact id.
 */
async function unwantedCounted(file: string): Promise<{ events: number; wrong: number; most: number }> {
  const scenario = loadScenario(file, readFileSync(new URL(file, SCENARIOS), 'utf8'));
  const config = worldConfig(scenario, { seed: 1 });
  const observers = judges(scenario, config, { requestRows: false, unchecked: false, situations: true });
  const { truth, ids } = observers;
  const seen = { events: 0, wrong: 0, most: 0 };
  const world = compileScenario(scenario, { seed: 1, observers: [observers] }, config);
  // A listener is called after the observers, each event.
  world.subscribe(() => {
    let sum = 0;
    for (let hash = 0; hash < ids.hashes.size; hash++) if (!truth.isWanted(hash)) sum += truth.holderCount(hash);
    seen.events++;
    seen.most = Math.max(seen.most, sum);
    if (sum !== truth.unwantedPairs) seen.wrong++;
  });
  await world.run(scenario.duration);
  world.healAll();
  await world.run(scenario.duration + scenario.expect.converge_within);
  return seen;
}

describe('the ground truth’s count of unwanted copies', () => {
  // Repos deleted (copies become unwanted, then go), sleds crashing, expunged and added,
  // M.2s failing: every way a holder or a want changes.
  it.each(['partition.yaml', 'repo-churn.yaml', 'm2-failure.yaml', 'new-sled.yaml'])(
    'is, after every event of %s, each unwanted artifact’s holders summed',
    async (file) => {
      const { events, wrong } = await unwantedCounted(file);
      expect(events).toBeGreaterThan(100);
      expect(wrong).toBe(0);
    },
  );

  it('has copies to count where repos are deleted', async () => {
    expect((await unwantedCounted('repo-churn.yaml')).most).toBeGreaterThan(0);
  });
});
