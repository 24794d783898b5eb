import type { Micros } from './kernel/event-queue.ts';
import { objectArray } from '../../core/shapes.ts';

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
  /** Where it is in `fromLink.sent` (kept by `Link`). */
  fromSlot: number;
  /** Where it is in `toLink.received` (kept by `Link`). */
  toSlot: number;
}

/**
 * One node's link: the transfers on it, each one's equal share of the bandwidth, and the
 * earliest finish among the transfers it owns. Arrays, not a Set: a rebalance walks a link
 * (tens to hundreds of transfers) on every start and finish, and an indexed loop needs no
 * iterator.
 *
 * The transfers it receives (owns) and those it sends are apart, so a walk knows which a
 * transfer is without a test, and finding what is due or a link's earliest finish looks at
 * owned transfers only. A body from a node to itself is on its link once, as received.
 *
 * A transfer that leaves is swapped for the last one, so the two arrays hold exactly the
 * running transfers and a walk tests nothing per transfer. Their order is free: nothing
 * that reads a link depends on it (`Completions` sorts by start order where order shows,
 * and each transfer's arithmetic in a walk is its own), and keeping the insertion order
 * cost every walk a test and a count per transfer to close the gaps.
 */
export class Link<T extends OnLink> {
  // Born of the elements kind that holds objects: as `[]` a link's array was still of small
  // integers while empty, and the walk checked every array against both kinds.
  /** The transfers it receives: those whose finish it keeps. */
  readonly received: T[] = objectArray();
  /** The transfers it sends to another link. */
  readonly sent: T[] = objectArray();
  /**
   * The bandwidth over the transfers on it (both arrays: each transfer is in one of them
   * once), kept as transfers join or leave: the very division a share was computed with
   * per transfer visited, so rates round the same.
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
  /** Whether `Completions` has it among the links it scans (see `Completions.active`). */
  listed = false;

  constructor(private readonly bandwidth: number) {}

  join(t: T): void {
    if (t.toLink === this) t.toSlot = this.received.push(t) - 1;
    else t.fromSlot = this.sent.push(t) - 1;
    this.share = this.bandwidth / (this.received.length + this.sent.length);
  }

  /** `t`, on this link, has stopped. */
  leave(t: T): void {
    if (t.toLink === this) {
      const last = this.received.pop() as T;
      if (last !== t) {
        this.received[t.toSlot] = last;
        last.toSlot = t.toSlot;
      }
    } else {
      const last = this.sent.pop() as T;
      if (last !== t) {
        this.sent[t.fromSlot] = last;
        last.fromSlot = t.fromSlot;
      }
    }
    this.share = this.bandwidth / (this.received.length + this.sent.length);
  }

  /** Makes `earliest` exact again by looking at every transfer it owns. */
  refreshEarliest(): void {
    let earliest = Infinity;
    let by: T | undefined;
    const received = this.received;
    for (let i = 0; i < received.length; i++) {
      const t = received[i] as T;
      if (t.eta < earliest) {
        earliest = t.eta;
        by = t;
      }
    }
    this.earliest = earliest;
    this.earliestBy = by;
    this.stale = false;
  }
}
