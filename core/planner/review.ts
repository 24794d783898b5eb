import type { PlannerInventory } from '../inventory.ts';
import type { EngineParams } from '../params.ts';
import type { Rng } from '../ports.ts';
import type { RandSamplers } from '../rng/index.ts';
import type { ArtifactHash, DeleteRequest, CopyRequest, LocalArtifact, PutRequest, Request, SledId } from '../types.ts';

export interface ReviewRequests {
  readonly put: PutRequest[];
  readonly other: (CopyRequest | DeleteRequest)[];
  /** How many requests the caps held back. */
  readonly deferredCount: number;
  /** The held-back requests, in shuffled order; built on each call. */
  deferred(): Request[];
}

const DELETE = 0;
const PUT = 1;
const COPY = 2;

/**
 * The requests an activation generated, in generation order, as columns rather than one
 * object each: most of them are deferred by the caps on a busy rack and only their number
 * is read (the activation status), so a request object is made only for those sent, or
 * when the deferred ones are asked for (`depotsim plan`). A request made from the columns
 * equals the one the generation loop would have built.
 */
class GeneratedRequests {
  readonly kinds: number[] = [];
  private readonly targets: SledId[] = [];
  private readonly sources: SledId[] = [];
  private readonly hashes: ArtifactHash[] = [];
  private readonly puts: (LocalArtifact | null)[] = [];

  get length(): number {
    return this.kinds.length;
  }

  add(kind: number, target: SledId, source: SledId, hash: ArtifactHash, put: LocalArtifact | null): void {
    this.kinds.push(kind);
    this.targets.push(target);
    this.sources.push(source);
    this.hashes.push(hash);
    this.puts.push(put);
  }

  request(i: number): Request {
    const target = this.targets[i] as SledId;
    const hash = this.hashes[i] as ArtifactHash;
    switch (this.kinds[i]) {
      case DELETE:
        return { kind: 'delete', target, hash };
      case PUT:
        return { kind: 'put', target, artifact: this.puts[i] as LocalArtifact };
      default:
        return { kind: 'copy', target, source: this.sources[i] as SledId, hash };
    }
  }
}

/**
 * The PR under review: at most one PUT or one copy per wanted artifact per activation,
 * deletes for every unwanted copy, then a random selection under the two caps. The
 * shuffle permutes the generated requests' positions: its draws depend only on how many
 * there are, so they are the draws of shuffling the requests themselves.
 */
export function reviewRequests(
  inventory: PlannerInventory,
  local: ReadonlyMap<ArtifactHash, LocalArtifact>,
  rng: Rng,
  draws: RandSamplers,
  params: EngineParams,
): ReviewRequests {
  const { sleds, inHashOrder } = inventory;
  const generated = new GeneratedRequests();
  for (let i = 0; i < inHashOrder.length; i++) {
    const artifact = inHashOrder[i] as number;
    const hash = inventory.hashOf(artifact);
    if (!inventory.isWanted(artifact)) {
      for (const target of inventory.split(artifact).holders) generated.add(DELETE, target, target, hash, null);
      continue;
    }
    if (inventory.presentCount(artifact) === 0) {
      const copy = local.get(hash);
      const target = draws.choose(sleds, rng);
      if (copy !== undefined && target !== undefined) generated.add(PUT, target, target, hash, copy);
    } else {
      const { holders, missing } = inventory.split(artifact);
      const target = draws.choose(missing, rng);
      const source = draws.choose(holders, rng);
      if (target !== undefined && source !== undefined) generated.add(COPY, target, source, hash, null);
    }
  }

  const order = new Array<number>(generated.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  draws.shuffle(order, rng);
  const unlimited = params.bugs.has('ignore_limits');
  const put: PutRequest[] = [];
  const other: (CopyRequest | DeleteRequest)[] = [];
  const deferredAt: number[] = [];
  for (const i of order) {
    const taken = put.length + other.length;
    const isPut = generated.kinds[i] === PUT;
    const fits = isPut
      ? taken < params.maxRequests && put.length < params.maxPutRequests
      : taken < params.maxRequests;
    if (!fits && !unlimited) deferredAt.push(i);
    else if (isPut) put.push(generated.request(i) as PutRequest);
    else other.push(generated.request(i) as CopyRequest | DeleteRequest);
  }
  return { put, other, deferredCount: deferredAt.length, deferred: () => deferredAt.map((i) => generated.request(i)) };
}
