import type { ArtifactHash, SledId } from './types.ts';

/** Where one artifact is: omicron's `ArtifactPresence`, minus the local handle. */
export interface ArtifactPresence {
  /** Referenced by a repo in the datastore, as this activation read it. */
  readonly wanted: boolean;
  /** Sled → copies it reported; only sleds that listed at least one copy. */
  readonly sleds: ReadonlyMap<SledId, number>;
}

export type Inventory = ReadonlyMap<ArtifactHash, ArtifactPresence>;

/** Sleds holding at least one copy. */
export function presentCount(presence: ArtifactPresence | undefined): number {
  return presence === undefined ? 0 : presence.sleds.size;
}

export function copiesOn(presence: ArtifactPresence, sled: SledId): number {
  return presence.sleds.get(sled) ?? 0;
}

/**
 * The wanted artifacts, with what each sled reported. An artifact some sled reported but
 * nobody wants is kept (as unwanted) only when `keepUnwanted`: the `generation` engine
 * drops it, because a sled's delete reconciler, not the Nexus, removes it.
 */
export function buildInventory(
  wanted: readonly ArtifactHash[],
  listings: ReadonlyMap<SledId, ReadonlyMap<ArtifactHash, number>>,
  keepUnwanted: boolean,
): Inventory {
  const sledsByHash = new Map<ArtifactHash, { wanted: boolean; sleds: Map<SledId, number> }>();
  for (const hash of wanted) {
    if (!sledsByHash.has(hash)) sledsByHash.set(hash, { wanted: true, sleds: new Map() });
  }
  for (const [sled, artifacts] of listings) {
    for (const [hash, count] of artifacts) {
      if (count <= 0) continue;
      let presence = sledsByHash.get(hash);
      if (presence === undefined) {
        if (!keepUnwanted) continue;
        presence = { wanted: false, sleds: new Map() };
        sledsByHash.set(hash, presence);
      }
      presence.sleds.set(sled, count);
    }
  }
  return sledsByHash;
}

/** Entries in hash order, as omicron's `BTreeMap` walks them. */
export function entriesByHash(inventory: Inventory): [ArtifactHash, ArtifactPresence][] {
  return [...inventory].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
