import { ListedSleds, SledCopies } from './sled-copies.ts';
import type { ArtifactHash, SledId } from './types.ts';

/** Where one artifact is: omicron's `ArtifactPresence`, minus the local handle. */
export interface ArtifactPresence {
  /** Referenced by a repo in the datastore, as this activation read it. */
  readonly wanted: boolean;
  /** Sled → copies it reported; only sleds of this activation that listed at least one copy. */
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
 * `sleds`, in order, split into those holding a copy and those not (`missing` is a fresh
 * array the caller may reorder). A presence only names sleds the activation listed, so a
 * presence on none or on all of them needs no lookup: the usual cases, every activation.
 */
export function splitByPresence(
  presence: ArtifactPresence,
  sleds: readonly SledId[],
): { readonly holders: readonly SledId[]; readonly missing: SledId[] } {
  const held = presence.sleds.size;
  if (held === 0) return { holders: [], missing: [...sleds] };
  if (held === sleds.length) return { holders: sleds, missing: [] };
  const holders: SledId[] = [];
  const missing: SledId[] = [];
  for (const sled of sleds) (presence.sleds.has(sled) ? holders : missing).push(sled);
  return { holders, missing };
}

/** Whether some sled holds at least one copy but fewer than `expected`. */
export function anyShort(presence: ArtifactPresence, expected: number): boolean {
  // forEach, not values(): no iterator object per artifact per activation.
  let short = false;
  presence.sleds.forEach((count) => {
    if (count < expected) short = true;
  });
  return short;
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
  const listed = new ListedSleds();
  for (const sled of listings.keys()) listed.add(sled);
  const byHash = new Map<ArtifactHash, { readonly wanted: boolean; readonly sleds: SledCopies }>();
  for (const hash of wanted) {
    if (!byHash.has(hash)) byHash.set(hash, { wanted: true, sleds: new SledCopies(listed) });
  }
  let at = 0;
  const record = (count: number, hash: ArtifactHash): void => {
    if (count <= 0) return;
    let presence = byHash.get(hash);
    if (presence === undefined) {
      if (!keepUnwanted) return;
      presence = { wanted: false, sleds: new SledCopies(listed) };
      byHash.set(hash, presence);
    }
    presence.sleds.set(at, count);
  };
  for (const artifacts of listings.values()) {
    artifacts.forEach(record);
    at++;
  }
  return byHash;
}

/** Entries in hash order, as omicron's `BTreeMap` walks them. */
export function entriesByHash(inventory: Inventory): [ArtifactHash, ArtifactPresence][] {
  return [...inventory].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * What the planner reads of one activation's inventory: artifacts by handle, sleds by
 * their position in the activation's sled list. `inventoryView` reads an `Inventory` map
 * (the plain form, for `depotsim plan` and the tests); `InventoryTable` (inventory-table.ts)
 * reads interned integer ids and a count table (the engine's form). Both give the same
 * plan from the same listings, draw for draw.
 */
export interface PlannerInventory {
  /** In-service sleds in the datastore's order. */
  readonly sleds: readonly SledId[];
  /** Handles of the inventory's artifacts in hash order, as omicron's `BTreeMap` walks them. */
  readonly inHashOrder: ArrayLike<number>;
  hashOf(artifact: number): ArtifactHash;
  isWanted(artifact: number): boolean;
  /** Sleds holding at least one copy. */
  presentCount(artifact: number): number;
  /** `sleds`, in order, split into those holding a copy and those not (`missing` is a fresh array). */
  split(artifact: number): { readonly holders: readonly SledId[]; readonly missing: SledId[] };
  /** Whether some sled holds at least one copy but fewer than `expected`. */
  anyShort(artifact: number, expected: number): boolean;
  /** Copies on the sled at `position` in `sleds`. */
  copiesAt(artifact: number, position: number): number;
  /**
   * The position in `sleds` of the sled `skip` places after the first one at or after
   * `from` that holds a copy of `artifact` (`holding`), or holds none (`!holding`), counting
   * only such sleds; there must be that many.
   */
  sledPosition(artifact: number, holding: boolean, skip: number, from: number): number;
  /** The handle of `hash`, `undefined` when the inventory does not hold it. */
  find(hash: ArtifactHash): number | undefined;
}

/** The planner's view of an `Inventory` map over the activation's `sleds`. */
export function inventoryView(inventory: Inventory, sleds: readonly SledId[]): PlannerInventory {
  const entries = entriesByHash(inventory);
  const handles = new Map(entries.map(([hash], i) => [hash, i]));
  const presence = (artifact: number): ArtifactPresence => (entries[artifact] as [ArtifactHash, ArtifactPresence])[1];
  return {
    sleds,
    inHashOrder: entries.map((_, i) => i),
    hashOf: (artifact) => (entries[artifact] as [ArtifactHash, ArtifactPresence])[0],
    isWanted: (artifact) => presence(artifact).wanted,
    presentCount: (artifact) => presentCount(presence(artifact)),
    split: (artifact) => splitByPresence(presence(artifact), sleds),
    anyShort: (artifact, expected) => anyShort(presence(artifact), expected),
    copiesAt: (artifact, position) => copiesOn(presence(artifact), sleds[position] as SledId),
    sledPosition: (artifact, holding, skip, from) => {
      const { sleds: held } = presence(artifact);
      for (let position = from; ; position++) {
        if (held.has(sleds[position] as SledId) !== holding) continue;
        if (skip === 0) return position;
        skip--;
      }
    },
    find: (hash) => handles.get(hash),
  };
}
