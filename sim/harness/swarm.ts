import { ENGINE_GENERATIONS } from '../../core/index.ts';
import { RandomStreams } from '../world/kernel/random-streams.ts';
import type { Scenario } from './scenario/schema.ts';

/** A fault family switched on by the swarm, at a rate that bites within hours. */
const FAMILIES: Record<string, string> = {
  sled_crash: '{ every: 1h, down: { min: 1m, max: 20m } }',
  nexus_crash: '{ every: 4h, down: { min: 1m, max: 10m } }',
  partition: '{ every: 2h, for: { min: 1m, max: 15m } }',
  slow: '{ every: 1h, extra: { min: 1s, max: 2m }, for: { min: 1m, max: 10m } }',
};

const pick = <T>(items: readonly T[], draw: (bound: number) => number): T => items[draw(items.length)] as T;

/**
 * Swarm testing: from the seed's own stream (`swarm`), switch each fault family on or off
 * and draw the engine's knobs. The result is a list of `--set` overrides, so a swarm run
 * is replayed like any other: by its command line.
 */
export function swarmOverrides(scenario: Scenario, seed: number): string[] {
  const rng = new RandomStreams(seed).stream('swarm');
  const draw = (bound: number): number => rng.nextInt(bound);
  const sets: string[] = [];
  for (const [family, spec] of Object.entries(FAMILIES)) {
    sets.push(draw(2) === 1 ? `faults.${family}=${spec}` : `faults.${family}=null`);
  }
  sets.push(`engine.generation=${pick(ENGINE_GENERATIONS, draw)}`);
  sets.push(`engine.min_sled_replication=${1 + draw(5)}`);
  sets.push(`engine.max_requests=${pick([8, 16, 32, 64], draw)}`);
  sets.push(`engine.max_put_requests=${pick([2, 4, 8, 16], draw)}`);
  sets.push(`engine.max_request_concurrency=${pick([2, 4, 8, 16], draw)}`);
  sets.push(`nexus.period=${pick(['60s', '300s'], draw)}`);
  // Never fewer Nexus instances than the scenario's events name.
  const named = JSON.stringify(scenario.events).match(/nexus-\d+/g) ?? [];
  const least = Math.max(1, ...named.map((n) => Number(n.slice('nexus-'.length)) + 1));
  sets.push(`nexus.count=${least + draw(Math.max(1, 6 - least))}`);
  return sets;
}
