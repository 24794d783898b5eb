import type { PlannerInventory } from '../inventory.ts';
import type { Rng } from '../ports.ts';
import type { RandSamplers } from '../rng/index.ts';
import type { ArtifactHash, DeleteRequest, SledId } from '../types.ts';

/*
 * The planners' uses of `holders` and `missing` (the activation's sleds holding a copy of
 * an artifact, and those not) that need neither slice, only its elements in sled order.
 * Building both slices for every artifact every activation was the largest allocation of
 * an engine's planning, where review keeps one element of each. `choose` on a slice is
 * `slice[index(len)]` (core/rng/draws.ts), so one index draw and a walk to that sled give
 * the same draw and the same sled: every plan stays byte for byte what it was.
 */

/** `missing.choose(rng)`, as the position in `sleds` of a sled holding no copy of `artifact`; `undefined`, and no draw, when every sled holds one. */
export function chooseMissing(inventory: PlannerInventory, artifact: number, draws: RandSamplers, rng: Rng): number | undefined {
  return chooseWhere(inventory, artifact, false, draws, rng);
}

/** `holders.choose(rng)`, as the position in `sleds` of a sled holding a copy of `artifact`; `undefined`, and no draw, when none does. */
export function chooseHolder(inventory: PlannerInventory, artifact: number, draws: RandSamplers, rng: Rng): number | undefined {
  return chooseWhere(inventory, artifact, true, draws, rng);
}

/** A DELETE of `artifact` (`hash`) for every sled holding a copy, in sled order, appended to `into`. */
export function pushDeletes(inventory: PlannerInventory, artifact: number, hash: ArtifactHash, into: { push(request: DeleteRequest): unknown }): void {
  const held = inventory.presentCount(artifact);
  for (let k = 0, position = -1; k < held; k++) {
    position = inventory.sledPosition(artifact, true, 0, position + 1);
    into.push({ kind: 'delete', target: inventory.sleds[position] as SledId, hash });
  }
}

function chooseWhere(inventory: PlannerInventory, artifact: number, holding: boolean, draws: RandSamplers, rng: Rng): number | undefined {
  const width = inventory.sleds.length;
  const held = inventory.presentCount(artifact);
  const count = holding ? held : width - held;
  if (count === 0) return undefined;
  const skip = draws.index(rng, count);
  // Every sled is one: no walk. Review draws a source even for an artifact on every sled
  // (no target, no request): 4 in 10 of a rack-day seed's walks.
  if (count === width) return skip;
  return inventory.sledPosition(artifact, holding, skip, 0);
}
