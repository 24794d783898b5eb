import { isReleasable, localCopies, releaseThreshold } from '../local-repos.ts';
import { inventoryView, type PlannerInventory } from '../inventory.ts';
import type { EngineParams } from '../params.ts';
import type { Rng } from '../ports.ts';
import { randSamplers, randVersionOf, type RandSamplers } from '../rng/index.ts';
import type { LocalRepo } from '../types.ts';
import { GeneratedRequests } from './generated-requests.ts';
import { mergedRequests } from './merged.ts';
import { ReviewPlan, type Plan, type PlanInput } from './plan.ts';
import { reviewRequests } from './review.ts';

export type { Plan, PlanInput } from './plan.ts';
export { allRequests } from './plan.ts';
export { GeneratedRequests } from './generated-requests.ts';

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

/**
 * `planActivation` on either form of inventory (the engine passes an `InventoryTable`).
 * `generated` holds review's generated requests: an engine passes the same one every
 * activation (its arrays are kept), and a plan's `deferred` must be read before it plans again.
 */
export function planInventory(
  inventory: PlannerInventory,
  localRepos: readonly LocalRepo[],
  rng: Rng,
  params: EngineParams,
  draws: RandSamplers = randSamplers(randVersionOf(params.generation)),
  generated: GeneratedRequests = new GeneratedRequests(),
): Plan {
  const threshold = releaseThreshold(params, inventory.sleds.length);
  const release: LocalRepo[] = [];
  const kept: LocalRepo[] = [];
  for (const repo of localRepos) {
    (isReleasable(repo, inventory, threshold) ? release : kept).push(repo);
  }
  const local = localCopies(kept, inventory);

  if (params.generation === 'review') {
    const { put, other, deferredCount, deferred } = reviewRequests(inventory, local, rng, draws, params, generated);
    return new ReviewPlan(put, other, deferredCount, deferred, release);
  }
  const { put, copyAfterPut, other, recopy } = mergedRequests(inventory, local, rng, draws, params, params.generation === 'merged');
  // Named, not spread: a spread copies through a generic path, every activation.
  return { put, copyAfterPut, other, recopy, deferredCount: 0, deferred: [], release };
}
