import type { PlannerInventory } from '../inventory.ts';
import type { EngineParams } from '../params.ts';
import type { Rng } from '../ports.ts';
import type { RandSamplers } from '../rng/index.ts';
import type { ArtifactHash, DeleteRequest, CopyRequest, LocalArtifact, PutRequest, Request } from '../types.ts';
import { chooseHolder, chooseMissing, pushDeletes } from './sled-walk.ts';

export interface ReviewRequests {
  readonly put: PutRequest[];
  readonly other: (CopyRequest | DeleteRequest)[];
  readonly deferred: Request[];
}

/**
 * The PR under review: at most one PUT or one copy per wanted artifact per activation,
 * deletes for every unwanted copy, then a random selection under the two caps.
 */
export function reviewRequests(
  inventory: PlannerInventory,
  local: ReadonlyMap<ArtifactHash, LocalArtifact>,
  rng: Rng,
  draws: RandSamplers,
  params: EngineParams,
): ReviewRequests {
  const { sleds, inHashOrder } = inventory;
  const generated: Request[] = [];
  for (let i = 0; i < inHashOrder.length; i++) {
    const artifact = inHashOrder[i] as number;
    const hash = inventory.hashOf(artifact);
    if (!inventory.isWanted(artifact)) {
      pushDeletes(inventory, artifact, hash, generated);
      continue;
    }
    if (inventory.presentCount(artifact) === 0) {
      const copy = local.get(hash);
      const target = draws.choose(sleds, rng);
      if (copy !== undefined && target !== undefined) generated.push({ kind: 'put', target, artifact: copy });
    } else {
      // The PR's `missing.choose(rng)` then `holders.choose(rng)`, without building the slices.
      const target = chooseMissing(inventory, artifact, draws, rng);
      const source = chooseHolder(inventory, artifact, draws, rng);
      if (target !== undefined && source !== undefined) generated.push({ kind: 'copy', target, source, hash });
    }
  }

  draws.shuffle(generated, rng);
  const unlimited = params.bugs.has('ignore_limits');
  const put: PutRequest[] = [];
  const other: (CopyRequest | DeleteRequest)[] = [];
  const deferred: Request[] = [];
  for (const request of generated) {
    const taken = put.length + other.length;
    const fits = request.kind === 'put'
      ? taken < params.maxRequests && put.length < params.maxPutRequests
      : taken < params.maxRequests;
    if (!fits && !unlimited) deferred.push(request);
    else if (request.kind === 'put') put.push(request);
    else other.push(request);
  }
  return { put, other, deferred };
}
