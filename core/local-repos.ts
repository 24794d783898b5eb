import type { EngineParams } from './params.ts';
import type { PlannerInventory } from './inventory.ts';
import type { ArtifactHash, LocalArtifact, LocalRepo } from './types.ts';

/**
 * Sleds that must hold each artifact before a local repo may go. `review` caps it at the
 * sled count (the PR's `MIN_SLED_REPLICATION.min(sleds.len())`); later engines take the
 * parameter as is, so with fewer sleds a local repo is never released.
 */
export function releaseThreshold(params: EngineParams, sledCount: number): number {
  if (params.bugs.has('release_early')) return 1;
  if (params.generation === 'review') return Math.min(params.minSledReplication, sledCount);
  return params.minSledReplication;
}

/**
 * A repo is released when every artifact of it that the inventory knows is on enough
 * sleds. Artifacts the inventory does not know (not wanted, on no sled) do not hold it
 * back, as in the merged code: that is what makes `channel_first` uploads dangerous.
 */
export function isReleasable(repo: LocalRepo, inventory: PlannerInventory, threshold: number): boolean {
  // A loop, not `every` with a closure: a closure made per call has its optimized code
  // dropped at each full garbage collection, and recompiled, every few seeds of a check.
  for (const artifact of repo.artifacts) {
    const known = inventory.find(artifact.hash);
    if (known !== undefined && inventory.presentCount(known) < threshold) return false;
  }
  return true;
}

/**
 * The local copy to PUT for each inventory artifact, from the repos being kept. When two
 * repos share an artifact the later one's copy is used, as omicron overwrites the handle.
 */
export function localCopies(kept: readonly LocalRepo[], inventory: PlannerInventory): Map<ArtifactHash, LocalArtifact> {
  const copies = new Map<ArtifactHash, LocalArtifact>();
  for (const repo of kept) {
    for (const artifact of repo.artifacts) {
      if (inventory.find(artifact.hash) !== undefined) copies.set(artifact.hash, artifact);
    }
  }
  return copies;
}
