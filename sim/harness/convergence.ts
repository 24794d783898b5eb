import type { World } from '../world/world.ts';

/** What keeps a world from having converged, read from ground truth (empty: converged). */
export interface ConvergenceGaps {
  /** (sled, artifact) pairs where an in-service sled lacks a copy on some working M.2 (a short file is no copy). */
  readonly missingPairs: number;
  /** Copies of artifacts no repo references, on in-service sleds. */
  readonly unwantedPairs: number;
  /** Local repos still held by live Nexus instances. */
  readonly localRepos: number;
}

/**
 * SPEC §4 `converges`: every in-service sled holds every wanted artifact on every working
 * M.2, no sled holds an unwanted one, and every live Nexus has released its local repos.
 */
export function convergenceGaps(world: World): ConvergenceGaps {
  const wanted = world.datastore.wanted();
  let missingPairs = 0;
  let unwantedPairs = 0;
  for (const sledId of world.datastore.inServiceSleds()) {
    const sled = world.sleds.get(sledId);
    if (sled === undefined) continue;
    const working = sled.store.workingDatasets;
    for (const hash of wanted) if (sled.store.copies(hash) < working) missingPairs++;
    for (const hash of sled.store.storedHashes()) if (!world.datastore.isWanted(hash)) unwantedPairs++;
  }
  let localRepos = 0;
  for (const nexus of world.nexus.values()) if (nexus.isUp) localRepos += nexus.localRepoCount;
  return { missingPairs, unwantedPairs, localRepos };
}

export function isConverged(world: World): boolean {
  const gaps = convergenceGaps(world);
  return gaps.missingPairs === 0 && gaps.unwantedPairs === 0 && gaps.localRepos === 0;
}
