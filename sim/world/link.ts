import type { Micros } from './kernel/event-queue.ts';

/** What a link carries: a transfer with a finish time and a start order. */
export interface OnLink {
  /** Start order: transfers due at once complete in this order. */
  readonly seq: number;
  /** When the last byte arrives at the current rate (set by its links' walks). */
  eta: Micros;
  /** The link at its sending end. */
  readonly fromLink: Link<OnLink>;
  /** The link at its receiving end, which keeps its finish in `earliest` (its owner). */
  readonly toLink: Link<OnLink>;
  /** Where it is in `fromLink.transfers` (kept by `Link`). */
  fromSlot: number;
  /** Where it is in `toLink.transfers`; a transfer whose two ends are one link is there once, here. */
  toSlot: number;
}

/**
 * One node's link: the transfers on it, each one's equal share of the bandwidth, and the
 * earliest finish among the transfers it owns. An array, not a Set: a rebalance walks a
 * link (tens to hundreds of transfers) on every start and finish, and an indexed loop needs
 * no iterator.
 *
 * A transfer that leaves is swapped for the last one, so `transfers` holds exactly the
 * running transfers and a walk tests nothing per transfer. Their order is free: nothing
 * that reads a link depends on it (`Completions` sorts by start order where order shows,
 * and each transfer's arithmetic in a walk is its own), and keeping the insertion order
 * cost every walk a test and a count per transfer to close the gaps.
 */
export class Link<T extends OnLink> {
  readonly transfers: T[] = [];
  /**
   * `bandwidth / transfers.length`, kept as transfers join or leave: the very division a
   * share was computed with per transfer visited, so rates round the same.
   */
  share = Infinity;
  /**
   * The earliest finish among the transfers this link owns: exact unless `stale`, and then
   * no later than it (see `Completions`).
   */
  earliest = Infinity;
  /** The owned transfer that finishes at `earliest`, while that is exact. */
  earliestBy: OnLink | undefined = undefined;
  stale = false;
  /** How many transfers it owns (kept by `Completions`). */
  owned = 0;
  /** Whether `Completions` has it among the links it scans (see `Completions.active`). */
  listed = false;

  constructor(private readonly bandwidth: number) {}

  join(t: T): void {
    const transfers = this.transfers;
    if (t.toLink === this) t.toSlot = transfers.length;
    else t.fromSlot = transfers.length;
    transfers.push(t);
    this.share = this.bandwidth / transfers.length;
  }

  /** `t`, on this link, has stopped. */
  leave(t: T): void {
    const transfers = this.transfers;
    const slot = t.toLink === this ? t.toSlot : t.fromSlot;
    const last = transfers.pop() as T;
    if (last !== t) {
      transfers[slot] = last;
      if (last.toLink === this) last.toSlot = slot;
      else last.fromSlot = slot;
    }
    this.share = this.bandwidth / transfers.length;
  }

  /** Makes `earliest` exact again by looking at every transfer it owns. */
  refreshEarliest(): void {
    let earliest = Infinity;
    let by: T | undefined;
    const transfers = this.transfers;
    for (let i = 0; i < transfers.length; i++) {
      const t = transfers[i] as T;
      if (t.eta < earliest && t.toLink === this) {
        earliest = t.eta;
        by = t;
      }
    }
    this.earliest = earliest;
    this.earliestBy = by;
    this.stale = false;
  }
}
