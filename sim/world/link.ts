import type { Completing } from './completion-heap.ts';

/**
 * One node's link: the transfers on it in start order, and each one's equal share of
 * the bandwidth. An array, not a Set: a rebalance walks a link (tens to hundreds of
 * transfers) on every start and finish, and an indexed loop needs no iterator.
 *
 * A transfer leaves the link by leaving the completion heap (`heapIndex` -1): `leave`
 * only counts it out, and the walk that follows every finish (`Network.rebalanceLink`)
 * closes the gap as it passes, so the order stays the insertion order a Set would give
 * without a search and a splice per finish.
 */
export class Link<T extends Completing> {
  readonly transfers: T[] = [];
  private size = 0;
  /**
   * `bandwidth / size`, kept as transfers join or leave: the very division a share was
   * computed with per transfer visited, so rates round the same.
   */
  share = Infinity;

  constructor(private readonly bandwidth: number) {}

  join(t: T): void {
    this.transfers.push(t);
    this.share = this.bandwidth / ++this.size;
  }

  /** `t` has left the completion heap; the next walk drops it from `transfers`. */
  leave(): void {
    this.share = this.bandwidth / --this.size;
  }
}
