import type { PlannerInventory } from '../inventory.ts';
import type { EngineParams } from '../params.ts';
import type { Rng } from '../ports.ts';
import type { RandSamplers } from '../rng/index.ts';
import type { ArtifactHash, DeleteRequest, CopyRequest, LocalArtifact, PutRequest, Request } from '../types.ts';
import type { GeneratedRequests } from './generated-requests.ts';
import { chooseHolder, chooseMissing } from './sled-walk.ts';

export interface ReviewRequests {
  readonly put: PutRequest[];
  readonly other: (CopyRequest | DeleteRequest)[];
  /** How many were generated but held back by the caps. */
  readonly deferredCount: number;
  /** Those requests, built when called; valid until `generated` plans the next activation. */
  readonly deferred: () => Request[];
}

/**
 * The PR under review: at most one PUT or one copy per wanted artifact per activation,
 * deletes for every unwanted copy, then a random selection under the two caps. The
 * requests are generated as records in `generated` (see there why) and become objects
 * only when taken.
 */
export function reviewRequests(
  inventory: PlannerInventory,
  local: ReadonlyMap<ArtifactHash, LocalArtifact>,
  rng: Rng,
  draws: RandSamplers,
  params: EngineParams,
  generated: GeneratedRequests,
): ReviewRequests {
  const { sleds, inHashOrder } = inventory;
  generated.begin(inventory, local);
  for (let i = 0; i < inHashOrder.length; i++) {
    const artifact = inHashOrder[i] as number;
    if (!inventory.isWanted(artifact)) {
      generated.deletes(artifact);
      continue;
    }
    if (inventory.presentCount(artifact) === 0) {
      // `sleds.choose(rng)`: no draw without sleds.
      if (sleds.length === 0) continue;
      const target = draws.index(rng, sleds.length);
      if (local.has(inventory.hashOf(artifact))) generated.put(artifact, target);
    } else {
      // The PR's `missing.choose(rng)` then `holders.choose(rng)`, without building the slices.
      const target = chooseMissing(inventory, artifact, draws, rng);
      const source = chooseHolder(inventory, artifact, draws, rng);
      if (target !== undefined && source !== undefined) generated.copy(artifact, target, source);
    }
  }

  generated.shuffle(draws, rng);
  const unlimited = params.bugs.has('ignore_limits');
  const put: PutRequest[] = [];
  const other: (CopyRequest | DeleteRequest)[] = [];
  for (let k = 0; k < generated.length; k++) {
    const taken = put.length + other.length;
    // Nothing fits any more: the rest are deferred, in one move (most of an activation's
    // records on a rack-day, 26 sent of some 320).
    if (taken >= params.maxRequests && !unlimited) {
      generated.deferFrom(k);
      break;
    }
    const record = generated.at(k);
    const run = generated.runOf(record);
    const isPut = generated.isPut(run);
    const fits = isPut ? taken < params.maxRequests && put.length < params.maxPutRequests : taken < params.maxRequests;
    if (!fits && !unlimited) generated.defer(k);
    else if (isPut) put.push(generated.putRequest(run));
    else other.push(generated.otherRequest(run, record));
  }
  return { put, other, deferredCount: generated.deferred, deferred: generated.deferredRequests() };
}
