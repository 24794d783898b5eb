import { isReleasable, localCopies, releaseThreshold } from '../local-repos.ts';
import { inventoryView, type PlannerInventory } from '../inventory.ts';
import type { EngineParams } from '../params.ts';
import type { Rng } from '../ports.ts';
import { randSamplers, randVersionOf, type RandSamplers } from '../rng/index.ts';
import type { LocalRepo } from '../types.ts';
import { mergedRequests } from './merged.ts';
import type { Plan, PlanInput } from './plan.ts';
import { reviewRequests } from './review.ts';

export type { Plan, PlanInput } from './plan.ts';
export { allRequests } from './plan.ts';

/**
 * Decides one activation: which local repos to drop and which requests to send. Pure and
 * synchronous: the same input, parameters and rng state give the same plan. The words of
 * `rng` become choices through `draws`, by default the `rand` release of the generation's
 * commit.
 */
export function planActivation(
  input: PlanInput,
  rng: Rng,
  params: EngineParams,
  draws: RandSamplers = randSamplers(randVersionOf(params.generation)),
): Plan {
  return planInventory(inventoryView(input.inventory, input.sleds), input.localRepos, rng, params, draws);
}

/** `planActivation` on either form of inventory (the engine passes an `InventoryTable`). */
export function planInventory(
  inventory: PlannerInventory,
  localRepos: readonly LocalRepo[],
  rng: Rng,
  params: EngineParams,
  draws: RandSamplers = randSamplers(randVersionOf(params.generation)),
): Plan {
  const threshold = releaseThreshold(params, inventory.sleds.length);
  const release: LocalRepo[] = [];
  const kept: LocalRepo[] = [];
  for (const repo of localRepos) {
    (isReleasable(repo, inventory, threshold) ? release : kept).push(repo);
  }
  const local = localCopies(kept, inventory);

  if (params.generation === 'review') {
    const { put, other, deferred } = reviewRequests(inventory, local, rng, draws, params);
    return { put, copyAfterPut: [], other, recopy: [], deferred, release };
  }
  const requests = mergedRequests(inventory, local, rng, draws, params, params.generation === 'merged');
  return { ...requests, deferred: [], release };
}
