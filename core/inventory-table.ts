import type { PlannerInventory } from './inventory.ts';
import type { ArtifactHash, SledId } from './types.ts';

/**
 * One sled's listing with interned artifact ids: each entry with a count above 0 as
 * `id * 256 + count`. A plain array of small integers: most listings are read once (on a
 * busy rack a store changes between most of them), and a typed array's separate backing
 * store costs more to allocate and collect than the read saves.
 */
export type IdListing = readonly number[];

/**
 * The artifact hashes one engine has seen, numbered in the order it first saw them, and
 * each listing it was given in those numbers. A sled's listing is a snapshot the sled never
 * changes (the `SledClient.list` contract), and a store hands out the same snapshot until
 * its contents change, so on a quiet rack every activation of every Nexus reads the same
 * few objects: each is turned into ids once, not once per activation.
 */
export class ArtifactIds {
  private readonly ids = new Map<ArtifactHash, number>();
  private readonly hashes: ArtifactHash[] = [];
  private sorted: Int32Array | undefined;
  private readonly listings = new WeakMap<ReadonlyMap<ArtifactHash, number>, IdListing>();

  get size(): number {
    return this.hashes.length;
  }

  hashOf(id: number): ArtifactHash {
    return this.hashes[id] as ArtifactHash;
  }

  find(hash: ArtifactHash): number | undefined {
    return this.ids.get(hash);
  }

  intern(hash: ArtifactHash): number {
    let id = this.ids.get(hash);
    if (id === undefined) {
      id = this.hashes.length;
      this.hashes.push(hash);
      this.ids.set(hash, id);
      this.sorted = undefined;
    }
    return id;
  }

  /** Every id, in hash order (code-unit order, as `entriesByHash` sorts). */
  inHashOrder(): Int32Array {
    if (this.sorted === undefined) {
      const { hashes } = this;
      this.sorted = Int32Array.from(hashes.keys()).sort((a, b) => {
        const x = hashes[a] as ArtifactHash;
        const y = hashes[b] as ArtifactHash;
        return x < y ? -1 : x > y ? 1 : 0;
      });
    }
    return this.sorted;
  }

  listing(artifacts: ReadonlyMap<ArtifactHash, number>): IdListing {
    const cached = this.listings.get(artifacts);
    if (cached !== undefined) return cached;
    const listing: number[] = [];
    artifacts.forEach((count, hash) => {
      if (count <= 0) return;
      // A count is copies on one sled, one per M.2 (at most 8 by the limits).
      if (count > 255) throw new RangeError(`a listing reports ${count} copies of ${hash}; at most 255 fit the table`);
      listing.push(this.intern(hash) * 256 + count);
    });
    this.listings.set(artifacts, listing);
    return listing;
  }
}

const UNKNOWN = 0;
const WANTED = 1;
const UNWANTED = 2;

/**
 * One activation's inventory as integer tables: a sled × artifact count table (artifact
 * major, sleds by position in the activation's sled list), the sleds holding each artifact,
 * and which artifacts it holds (wanted, or reported and kept as unwanted). The same
 * artifacts and counts as `buildInventory` over the same listings.
 */
export class InventoryTable implements PlannerInventory {
  readonly inHashOrder: Int32Array;
  private readonly counts: Uint8Array;
  private readonly held: Int32Array;
  private readonly kind: Uint8Array;

  /**
   * `listings[i]` is what `sleds[i]` listed, `undefined` when it did not answer. An
   * artifact a sled reported but nobody wants is kept (as unwanted) only when
   * `keepUnwanted`, as in `buildInventory`.
   */
  constructor(
    private readonly ids: ArtifactIds,
    readonly sleds: readonly SledId[],
    listings: readonly (ReadonlyMap<ArtifactHash, number> | undefined)[],
    wanted: readonly ArtifactHash[],
    keepUnwanted: boolean,
  ) {
    const byId = listings.map((listing) => (listing === undefined ? undefined : ids.listing(listing)));
    for (const hash of wanted) ids.intern(hash);
    const width = sleds.length;
    this.counts = new Uint8Array(ids.size * width);
    this.held = new Int32Array(ids.size);
    this.kind = new Uint8Array(ids.size);
    for (const hash of wanted) this.kind[ids.intern(hash)] = WANTED;
    byId.forEach((listing, position) => {
      if (listing === undefined) return;
      for (let k = 0; k < listing.length; k++) {
        const entry = listing[k] as number;
        const id = entry >>> 8;
        if (this.kind[id] === UNKNOWN) {
          if (!keepUnwanted) continue;
          this.kind[id] = UNWANTED;
        }
        this.counts[id * width + position] = entry & 0xff;
        this.held[id] = (this.held[id] as number) + 1;
      }
    });
    this.inHashOrder = ids.inHashOrder().filter((id) => this.kind[id] !== UNKNOWN);
  }

  hashOf(artifact: number): ArtifactHash {
    return this.ids.hashOf(artifact);
  }

  isWanted(artifact: number): boolean {
    return this.kind[artifact] === WANTED;
  }

  presentCount(artifact: number): number {
    return this.held[artifact] as number;
  }

  split(artifact: number): { readonly holders: readonly SledId[]; readonly missing: SledId[] } {
    const { sleds } = this;
    const held = this.held[artifact] as number;
    if (held === 0) return { holders: [], missing: [...sleds] };
    if (held === sleds.length) return { holders: sleds, missing: [] };
    const holders: SledId[] = [];
    const missing: SledId[] = [];
    const row = artifact * sleds.length;
    for (let position = 0; position < sleds.length; position++) {
      (this.counts[row + position] === 0 ? missing : holders).push(sleds[position] as SledId);
    }
    return { holders, missing };
  }

  anyShort(artifact: number, expected: number): boolean {
    const width = this.sleds.length;
    const row = artifact * width;
    for (let position = 0; position < width; position++) {
      const count = this.counts[row + position] as number;
      if (count !== 0 && count < expected) return true;
    }
    return false;
  }

  copiesAt(artifact: number, position: number): number {
    return this.counts[artifact * this.sleds.length + position] as number;
  }

  find(hash: ArtifactHash): number | undefined {
    const id = this.ids.find(hash);
    return id === undefined || this.kind[id] === UNKNOWN ? undefined : id;
  }
}
