/**
 * One node's link: the transfers on it in start order, and each one's equal share of
 * the bandwidth. An array, not a Set: a rebalance walks a link (tens to hundreds of
 * transfers) on every start and finish, and an indexed loop needs no iterator. Removal
 * splices, so the order stays the insertion order a Set would give.
 */
export class Link<T> {
  readonly transfers: T[] = [];
  /**
   * `bandwidth / transfers.length`, kept as each transfer joins or leaves: the very
   * division a share was computed with per transfer visited, so rates round the same.
   */
  share = Infinity;

  constructor(private readonly bandwidth: number) {}

  add(t: T): void {
    this.transfers.push(t);
    this.share = this.bandwidth / this.transfers.length;
  }

  remove(t: T): void {
    const i = this.transfers.indexOf(t);
    if (i < 0) return;
    this.transfers.splice(i, 1);
    this.share = this.bandwidth / this.transfers.length;
  }
}
