import type { PlannerInventory } from '../inventory.ts';
import type { EngineParams } from '../params.ts';
import type { Rng } from '../ports.ts';
import type { RandSamplers } from '../rng/index.ts';
import type { ArtifactHash, CopyRequest, DeleteRequest, LocalArtifact, PutRequest, SledId } from '../types.ts';
import { pushDeletes } from './sled-walk.ts';

export interface MergedRequests {
  readonly put: PutRequest[];
  readonly copyAfterPut: CopyRequest[];
  readonly other: (CopyRequest | DeleteRequest)[];
  readonly recopy: CopyRequest[];
}

/**
 * The merged task's `Inventory::into_requests`: PUT local artifacts until
 * `min_sled_replication` sleds hold them, have every other missing sled copy from a
 * holder (or from a PUT target, after the PUTs), recopy to sleds short of
 * `expected_count`. `deletes` is false for the `generation` engine, whose sleds
 * remove unwanted artifacts themselves.
 */
export function mergedRequests(
  inventory: PlannerInventory,
  local: ReadonlyMap<ArtifactHash, LocalArtifact>,
  rng: Rng,
  draws: RandSamplers,
  params: EngineParams,
  deletes: boolean,
): MergedRequests {
  const { sleds, inHashOrder } = inventory;
  const put: PutRequest[] = [];
  const copyAfterPut: CopyRequest[] = [];
  const other: (CopyRequest | DeleteRequest)[] = [];
  const recopy: CopyRequest[] = [];

  for (let i = 0; i < inHashOrder.length; i++) {
    const handle = inHashOrder[i] as number;
    const hash = inventory.hashOf(handle);
    if (!inventory.isWanted(handle)) {
      if (!deletes) continue;
      pushDeletes(inventory, handle, hash, other);
      continue;
    }
    // On every sled (most artifacts, most activations) nothing is missing: no shuffle
    // draws, no PUT, no copy, so no slices to build; only the recopies below remain.
    let present = sleds;
    if (inventory.presentCount(handle) < sleds.length) {
      const split = inventory.split(handle);
      const { missing } = split;
      present = split.holders;
      draws.shuffle(missing, rng);

      const putTargets: SledId[] = [];
      const artifact = local.get(hash);
      if (artifact !== undefined) {
        const wanted = Math.max(0, params.minSledReplication - present.length);
        for (let i = 0; i < wanted && missing.length > 0; i++) {
          const target = missing.pop() as SledId;
          put.push({ kind: 'put', target, artifact });
          putTargets.push(target);
        }
      }

      for (const target of missing) {
        const holder = draws.choose(present, rng);
        if (holder !== undefined) {
          other.push({ kind: 'copy', target, source: holder, hash });
          continue;
        }
        const putTarget = draws.choose(putTargets, rng);
        if (putTarget !== undefined) copyAfterPut.push({ kind: 'copy', target, source: putTarget, hash });
      }
    }

    if (!inventory.anyShort(handle, params.expectedCount)) continue;
    for (let position = 0; position < sleds.length; position++) {
      const target = sleds[position] as SledId;
      const count = inventory.copiesAt(handle, position);
      if (count === 0 || count >= params.expectedCount) continue;
      // choose_weighted over every holder, the target weighing 0
      // (tuf_artifact_replication.rs:219-230@74a6c136, :212-219@8516b405): it draws even
      // when a single other holder remains, and gives up on the artifact (`break`) when
      // none does.
      const source = draws.chooseOther(present, target, rng);
      if (source === undefined) break;
      recopy.push({ kind: 'copy', target, source, hash });
    }
  }

  draws.shuffle(put, rng);
  draws.shuffle(copyAfterPut, rng);
  draws.shuffle(recopy, rng);
  draws.shuffle(other, rng);
  return { put, copyAfterPut, other, recopy };
}
