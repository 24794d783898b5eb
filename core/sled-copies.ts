import type { SledId } from './types.ts';

/** The sleds of one activation's listings, numbered in listing order. */
export class ListedSleds {
  readonly order: SledId[] = [];
  readonly position = new Map<SledId, number>();

  add(sled: SledId): number {
    const at = this.order.length;
    this.order.push(sled);
    this.position.set(sled, at);
    return at;
  }
}

/**
 * Sled → copies of one artifact, as a read-only map over the activation's listed sleds.
 * An inventory holds one per artifact and fills it from every listing: a dense array
 * indexed by listing position costs a store per entry, where a `Map` per artifact costs
 * a hash insert and a few rehashes as it grows. Iterates in listing order, as a `Map`
 * filled listing by listing would.
 */
export class SledCopies implements ReadonlyMap<SledId, number> {
  private readonly counts: number[];
  private held = 0;

  constructor(private readonly sleds: ListedSleds) {
    this.counts = new Array<number>(sleds.order.length).fill(0);
  }

  /** Records `count` (> 0) copies on the sled at listing position `at`. */
  set(at: number, count: number): void {
    if (this.counts[at] === 0) this.held++;
    this.counts[at] = count;
  }

  get size(): number {
    return this.held;
  }

  get(sled: SledId): number | undefined {
    const at = this.sleds.position.get(sled);
    if (at === undefined) return undefined;
    const count = this.counts[at] as number;
    return count === 0 ? undefined : count;
  }

  has(sled: SledId): boolean {
    return this.get(sled) !== undefined;
  }

  *entries(): MapIterator<[SledId, number]> {
    const { order } = this.sleds;
    for (let at = 0; at < order.length; at++) {
      const count = this.counts[at] as number;
      if (count !== 0) yield [order[at] as SledId, count];
    }
  }

  *keys(): MapIterator<SledId> {
    for (const [sled] of this.entries()) yield sled;
  }

  *values(): MapIterator<number> {
    for (const count of this.counts) if (count !== 0) yield count;
  }

  [Symbol.iterator](): MapIterator<[SledId, number]> {
    return this.entries();
  }

  forEach(callback: (count: number, sled: SledId, map: ReadonlyMap<SledId, number>) => void): void {
    const { order } = this.sleds;
    for (let at = 0; at < order.length; at++) {
      const count = this.counts[at] as number;
      if (count !== 0) callback(count, order[at] as SledId, this);
    }
  }
}
