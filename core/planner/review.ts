import { entriesByHash, presentCount, splitByPresence } from '../inventory.ts';
import type { EngineParams } from '../params.ts';
import type { Rng } from '../ports.ts';
import type { RandSamplers } from '../rng/index.ts';
import type { ArtifactHash, DeleteRequest, CopyRequest, LocalArtifact, PutRequest, Request } from '../types.ts';
import type { PlanInput } from './plan.ts';

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
  input: PlanInput,
  local: ReadonlyMap<ArtifactHash, LocalArtifact>,
  rng: Rng,
  draws: RandSamplers,
  params: EngineParams,
): ReviewRequests {
  const { sleds } = input;
  const generated: Request[] = [];
  for (const [hash, presence] of entriesByHash(input.inventory)) {
    if (!presence.wanted) {
      for (const target of splitByPresence(presence, sleds).holders) generated.push({ kind: 'delete', target, hash });
      continue;
    }
    const present = presentCount(presence);
    if (present === 0) {
      const artifact = local.get(hash);
      const target = draws.choose(sleds, rng);
      if (artifact !== undefined && target !== undefined) generated.push({ kind: 'put', target, artifact });
    } else {
      const { holders, missing } = splitByPresence(presence, sleds);
      const target = draws.choose(missing, rng);
      const source = draws.choose(holders, rng);
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
