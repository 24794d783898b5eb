import type { Micros } from './kernel/event-queue.ts';

/** What a link carries: a transfer with a finish time and a start order. */
export interface OnLink {
  /** Start order: transfers due at once complete in this order. */
  readonly seq: number;
  /** When the last byte arrives at the current rate (set only by `Completions`). */
  eta: Micros;
  /**
   * False once it finished or broke off: the next walk drops it from `transfers`. Tested
   * with `===` (as is `Link.stale`): V8 knows such a field only as holding an oddball, and
   * compiles `!` or a bare test into checks for every falsy kind.
   */
  running: boolean;
  /** The link at its receiving end, which keeps its finish in `earliest` (its owner). */
  readonly toLink: Link<OnLink>;
}

/**
 * One node's link: the transfers on it in start order, each one's equal share of the
 * bandwidth, and the earliest finish among the transfers it owns. An array, not a Set: a
 * rebalance walks a link (tens to hundreds of transfers) on every start and finish, and an
 * indexed loop needs no iterator.
 *
 * A transfer leaves by stopping (`running` false): `leave` only counts it out, and the
 * walk that follows every finish (`Network.rebalanceLink`) closes the gap as it passes, so
 * the order stays the insertion order a Set would give without a search and a splice per
 * finish.
 */
export class Link<T extends OnLink> {
  readonly transfers: T[] = [];
  private size = 0;
  /**
   * `bandwidth / size`, kept as transfers join or leave: the very division a share was
   * computed with per transfer visited, so rates round the same.
   */
  share = Infinity;
  /**
   * The earliest finish among the running transfers this link owns: exact unless `stale`,
   * and then no later than it (see `Completions`).
   */
  earliest = Infinity;
  /** The owned transfer that finishes at `earliest`, while that is exact. */
  earliestBy: OnLink | undefined = undefined;
  stale = false;
  /** How many running transfers it owns (kept by `Completions`). */
  owned = 0;
  /** Whether `Completions` has it among the links it scans (see `Completions.active`). */
  listed = false;

  constructor(private readonly bandwidth: number) {}

  join(t: T): void {
    this.transfers.push(t);
    this.share = this.bandwidth / ++this.size;
  }

  /** A transfer on the link has stopped; the next walk drops it from `transfers`. */
  leave(): void {
    this.share = this.bandwidth / --this.size;
  }

  /** Makes `earliest` exact again by looking at every transfer it owns. */
  refreshEarliest(): void {
    let earliest = Infinity;
    let by: T | undefined;
    const transfers = this.transfers;
    for (let i = 0; i < transfers.length; i++) {
      const t = transfers[i] as T;
      if (t.eta < earliest && t.running === true && t.toLink === this) {
        earliest = t.eta;
        by = t;
      }
    }
    this.earliest = earliest;
    this.earliestBy = by;
    this.stale = false;
  }
}
