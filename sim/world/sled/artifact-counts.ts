import type { ArtifactHash } from '../../../core/index.ts';

/**
 * A listing's hash → copies, frozen: two parallel arrays behind the `ReadonlyMap` the
 * engine reads. Every activation of every Nexus lists every sled, and a store changes
 * between most of those listings while copies land, so the snapshot must be cheap to take
 * (two array copies) and to walk (`forEach` over arrays).
 */
export class ArtifactCounts implements ReadonlyMap<ArtifactHash, number> {
  private index: Map<ArtifactHash, number> | undefined;

  constructor(
    private readonly hashes: readonly ArtifactHash[],
    private readonly counts: readonly number[],
  ) {}

  get size(): number {
    return this.hashes.length;
  }

  forEach(callback: (count: number, hash: ArtifactHash, map: ReadonlyMap<ArtifactHash, number>) => void): void {
    const { hashes, counts } = this;
    for (let i = 0; i < hashes.length; i++) callback(counts[i] as number, hashes[i] as ArtifactHash, this);
  }

  get(hash: ArtifactHash): number | undefined {
    // Lookups are rare (tests, the generation filter walks instead): index on first use.
    this.index ??= new Map(this.hashes.map((h, i) => [h, i]));
    const at = this.index.get(hash);
    return at === undefined ? undefined : this.counts[at];
  }

  has(hash: ArtifactHash): boolean {
    return this.get(hash) !== undefined;
  }

  *entries(): MapIterator<[ArtifactHash, number]> {
    for (let i = 0; i < this.hashes.length; i++) yield [this.hashes[i] as ArtifactHash, this.counts[i] as number];
  }

  *keys(): MapIterator<ArtifactHash> {
    yield* this.hashes;
  }

  *values(): MapIterator<number> {
    yield* this.counts;
  }

  [Symbol.iterator](): MapIterator<[ArtifactHash, number]> {
    return this.entries();
  }
}

/** The live counts a store keeps up to date; `snapshot()` freezes them copy-on-write. */
export class LiveArtifactCounts {
  private hashes: ArtifactHash[] = [];
  private counts: number[] = [];
  private readonly position = new Map<ArtifactHash, number>();
  private frozen: ArtifactCounts | undefined;

  snapshot(): ArtifactCounts {
    this.frozen ??= new ArtifactCounts(this.hashes, this.counts);
    return this.frozen;
  }

  change(hash: ArtifactHash, by: 1 | -1): void {
    if (this.frozen !== undefined) {
      this.hashes = this.hashes.slice();
      this.counts = this.counts.slice();
      this.frozen = undefined;
    }
    const at = this.position.get(hash);
    if (at === undefined) {
      if (by < 0) throw new Error(`no copy of ${hash} to remove`);
      this.position.set(hash, this.hashes.length);
      this.hashes.push(hash);
      this.counts.push(by);
      return;
    }
    const n = (this.counts[at] as number) + by;
    if (n > 0) {
      this.counts[at] = n;
      return;
    }
    // Swap the last entry into the hole: listings promise no order.
    const last = this.hashes.length - 1;
    const lastHash = this.hashes[last] as ArtifactHash;
    this.hashes[at] = lastHash;
    this.counts[at] = this.counts[last] as number;
    this.position.set(lastHash, at);
    this.hashes.pop();
    this.counts.pop();
    this.position.delete(hash);
  }
}
