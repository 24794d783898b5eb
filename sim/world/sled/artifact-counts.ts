import type { ArtifactHash, NumberedArtifacts } from '../../../core/index.ts';
import type { ArtifactCatalog } from '../artifact-catalog.ts';

/**
 * A listing's hash → copies, frozen: entries `number * 256 + count` in the world's
 * `ArtifactCatalog` numbers behind the `ReadonlyMap` the engine reads, and handed to it as
 * they are (`numbered`), so its inventory reads them without hashing. Every activation of
 * every Nexus lists every sled, and a store changes between most of those listings while
 * copies land, so the snapshot must be cheap to take (one array copy) and to walk.
 */
export class ArtifactCounts implements ReadonlyMap<ArtifactHash, number> {
  readonly numbered: NumberedArtifacts;
  private index: Map<ArtifactHash, number> | undefined;

  /** `hashes`: the catalog's number → hash; `entries`: never changed afterwards. */
  constructor(hashes: readonly ArtifactHash[], entries: readonly number[]) {
    this.numbered = { hashes, entries };
  }

  get size(): number {
    return this.numbered.entries.length;
  }

  forEach(callback: (count: number, hash: ArtifactHash, map: ReadonlyMap<ArtifactHash, number>) => void): void {
    const { hashes, entries } = this.numbered;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as number;
      callback(entry & 0xff, hashes[entry >>> 8] as ArtifactHash, this);
    }
  }

  get(hash: ArtifactHash): number | undefined {
    // Lookups are rare (tests): index on first use.
    const { hashes, entries } = this.numbered;
    this.index ??= new Map(entries.map((entry) => [hashes[entry >>> 8] as ArtifactHash, entry & 0xff]));
    return this.index.get(hash);
  }

  has(hash: ArtifactHash): boolean {
    return this.get(hash) !== undefined;
  }

  *entries(): MapIterator<[ArtifactHash, number]> {
    const { hashes, entries } = this.numbered;
    for (const entry of entries) yield [hashes[entry >>> 8] as ArtifactHash, entry & 0xff];
  }

  *keys(): MapIterator<ArtifactHash> {
    for (const [hash] of this.entries()) yield hash;
  }

  *values(): MapIterator<number> {
    for (const entry of this.numbered.entries) yield entry & 0xff;
  }

  [Symbol.iterator](): MapIterator<[ArtifactHash, number]> {
    return this.entries();
  }
}

/**
 * The live counts a store keeps up to date; `snapshot()` freezes a copy of them, taken
 * when a listing asks after a change (so the copy has exactly the entries' length, and
 * the live array keeps its room to grow), and handed out until the next change.
 */
export class LiveArtifactCounts {
  private readonly entries: number[] = [];
  /** Catalog number → its entry's index + 1; 0 when no copy is counted. */
  private at = new Int32Array(0);
  private frozen: ArtifactCounts | undefined;
  /** `snapshotOf`'s last snapshot, and the members it kept. */
  private filtered: ArtifactCounts | undefined;
  private filteredBy: Uint8Array | null = null;

  constructor(private readonly catalog: ArtifactCatalog) {}

  snapshot(): ArtifactCounts {
    this.frozen ??= new ArtifactCounts(this.catalog.hashes, this.entries.slice());
    return this.frozen;
  }

  /**
   * A snapshot of the entries of the artifacts `members` marks (catalog number → 1; `null`:
   * none), taken from the live entries: a sled that lists only what its configuration
   * holds copies only that, not every entry first. Handed out, like `snapshot`, until the
   * counts or the members change.
   */
  snapshotOf(members: Uint8Array | null): ArtifactCounts {
    if (this.filtered === undefined || this.filteredBy !== members) {
      const kept: number[] = [];
      if (members !== null) {
        const entries = this.entries;
        for (let i = 0; i < entries.length; i++) {
          const entry = entries[i] as number;
          if (members[entry >>> 8] === 1) kept.push(entry);
        }
      }
      this.filtered = new ArtifactCounts(this.catalog.hashes, kept);
      this.filteredBy = members;
    }
    return this.filtered;
  }

  /** Counts one copy more or fewer of the catalog's artifact `n`. */
  change(n: number, by: 1 | -1): void {
    this.frozen = this.filtered = undefined;
    if (n >= this.at.length) {
      const grown = new Int32Array(this.catalog.hashes.length);
      grown.set(this.at);
      this.at = grown;
    }
    const i = (this.at[n] as number) - 1;
    if (i < 0) {
      if (by < 0) throw new Error(`no copy of ${this.catalog.hashes[n]} to remove`);
      this.at[n] = this.entries.push(n * 256 + 1);
      return;
    }
    const count = ((this.entries[i] as number) & 0xff) + by;
    if (count > 255) throw new RangeError(`${count} copies of ${this.catalog.hashes[n]}; a listing entry holds at most 255`);
    if (count > 0) {
      this.entries[i] = n * 256 + count;
      return;
    }
    // Move the last entry into the hole: listings promise no order.
    const last = this.entries.pop() as number;
    if (i < this.entries.length) {
      this.entries[i] = last;
      this.at[last >>> 8] = i + 1;
    }
    this.at[n] = 0;
  }
}
