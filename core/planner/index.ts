import { isReleasable, localCopies, releaseThreshold } from '../local-repos.ts';
import type { EngineParams } from '../params.ts';
import type { Rng } from '../ports.ts';
import type { LocalRepo } from '../types.ts';
import { mergedRequests } from './merged.ts';
import type { Plan, PlanInput } from './plan.ts';
import { reviewRequests } from './review.ts';

export type { Plan, PlanInput } from './plan.ts';
export { allRequests } from './plan.ts';

/**
 * Decides one activation: which local repos to drop and which requests to send. Pure and
 * synchronous: the same input, parameters and rng state give the same plan.
 */
export function planActivation(input: PlanInput, rng: Rng, params: EngineParams): Plan {
  const threshold = releaseThreshold(params, input.sleds.length);
  const release: LocalRepo[] = [];
  const kept: LocalRepo[] = [];
  for (const repo of input.localRepos) {
    (isReleasable(repo, input.inventory, threshold) ? release : kept).push(repo);
  }
  const local = localCopies(kept, input.inventory);

  if (params.generation === 'review') {
    const { put, other, deferred } = reviewRequests(input, local, rng, params);
    return { put, copyAfterPut: [], other, recopy: [], deferred, release };
  }
  const requests = mergedRequests(input, local, rng, params, params.generation === 'merged');
  return { ...requests, deferred: [], release };
}
