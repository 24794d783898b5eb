import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { WorldEvent } from '../../world/world-events.ts';
import { judges } from '../runner.ts';
import { compileScenario, worldConfig } from '../scenario/compile.ts';
import { loadScenario } from '../scenario/load.ts';
import type { Observers } from './observers.ts';

const SCENARIOS = new URL('../../../scenarios/', import.meta.url);

/** Everything the observers made of a run, with sleds and artifacts by name. */
function summary(observers: Observers): unknown {
  const { ids, truth, metrics, checkers, situations } = observers;
  const names = (interner: typeof ids.sleds): string[] => Array.from({ length: interner.size }, (_, id) => interner.name(id));
  const sleds = names(ids.sleds);
  const hashes = names(ids.hashes);
  return {
    sleds,
    hashes,
    nexus: names(ids.nexus),
    holders: hashes.map((_, h) => [truth.holderCount(h), truth.fullHolderCount(h), truth.isWanted(h)]),
    copies: sleds.map((_, s) => [truth.isInService(s), hashes.map((__, h) => truth.copiesOn(s, h))]),
    requests: metrics.requests,
    sent: [...metrics.requestsSent],
    moved: [...metrics.bytesMoved],
    duplicates: metrics.duplicateRequests,
    peak: metrics.peakDatasetBytes,
    repos: [...metrics.repos.values()],
    lost: [...metrics.lostArtifacts],
    violations: checkers.violations,
    situations: [...situations.counts],
  };
}

/**
 * The same run watched twice: by observers given the world's numbers beside each event and
 * called from the event log's switch on the type (as the runner's are), and by observers given the events alone (as `recheck`'s are, from
 * JSON lines that carry no numbers), which look every name up.
 */
async function watchedTwice(file: string, seed: number): Promise<{ numbered: unknown; named: unknown; events: number }> {
  const scenario = loadScenario(file, readFileSync(new URL(file, SCENARIOS), 'utf8'));
  const config = worldConfig(scenario, { seed });
  const options = { requestRows: true, unchecked: false, situations: true };
  const numbered = judges(scenario, config, options);
  const named = judges(scenario, config, options);
  let events = 0;
  const world = compileScenario(scenario, { seed, observers: [numbered, (e: WorldEvent) => named.observe(e)] }, config);
  world.subscribe(() => events++);
  await world.run(scenario.duration);
  world.healAll();
  await world.run(scenario.duration + scenario.expect.converge_within);
  return { numbered: summary(numbered), named: summary(named), events };
}

describe('observers fed the world’s sled and artifact numbers beside each event', () => {
  // Faults that add, expunge and crash sleds, fail M.2s, truncate files, and race Nexus instances.
  it.each(['sled-failures.yaml', 'm2-failure.yaml', 'truncated-artifact.yaml', 'nexus-race-stale-delete.yaml', 'new-sled.yaml'])(
    'make of %s what observers fed the events alone make of it',
    async (file) => {
      const { numbered, named, events } = await watchedTwice(file, 1);
      expect(events).toBeGreaterThan(100);
      expect(numbered).toEqual(named);
    },
  );
});
