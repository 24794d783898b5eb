import type { Micros } from './kernel/event-queue.ts';
import type { Link, OnLink } from './link.ts';
import { objectArray } from '../../core/shapes.ts';

const bySeq = (a: OnLink, b: OnLink): number => a.seq - b.seq;

/**
 * The transfers in progress, by finish time: each link keeps the earliest finish of the
 * transfers it owns (those it receives), and this the earliest over the links.
 *
 * Why not one heap of every transfer: a start or finish walks both its links and changes
 * the finish of nearly every transfer on them (their shares changed), and each change cost
 * a sift through a heap of hundreds. A walk passes over every transfer its link owns, so it
 * learns that link's earliest finish for a compare each; a transfer it passes that another
 * link owns lowers that link's earliest at once, or, when it was that link's earliest and
 * finishes later now, leaves that link `stale`: its `earliest` is then no later than the
 * truth, and is looked at again only when it could be the network's earliest.
 *
 * The network's earliest is kept the same way: `min` is exact while `exact`, and otherwise
 * no later than the truth (only a rise at `minLink` clears `exact`).
 *
 * A walk of a link gives every transfer on it its finish: those the link owns directly
 * (the walker keeps their earliest and hands it to `walked`), the others through `retime`
 * when theirs changed.
 */
export class Completions<T extends OnLink> {
  private readonly links: Link<T>[] = objectArray();
  /**
   * The links that own a transfer, and any that stopped owning one since the last
   * `rescan`: what `rescan` and `due` look at. Of a rack's tens of links a handful have
   * bodies arriving, and each scan of them all was a pass per start and finish. A link
   * that owns none was walked since (a transfer that leaves its links has them walked),
   * so its earliest is `Infinity`, and leaving it out changes no answer (`due` sorts by
   * start order; `min` is a minimum).
   */
  private readonly active: Link<T>[] = objectArray();
  private min = Infinity;
  private minLink: Link<OnLink> | undefined = undefined;
  private exact = true;

  /** A link whose transfers this will hold. */
  addLink(link: Link<T>): void {
    this.links.push(link);
  }

  /**
   * `t` has started; its links' walks give it its finish. A transfer that stops leaves its
   * links, and its owner must be walked before `earliest` or `due` is asked.
   */
  add(t: T): void {
    // A link that owns a transfer is listed, so one not listed owns none yet.
    const owner = t.toLink as Link<T>;
    if (owner.listed === false) {
      owner.listed = true;
      this.active.push(owner);
    }
  }

  get earliest(): Micros {
    if (this.exact === false) this.rescan();
    return this.min;
  }

  /** Every transfer in progress, in start order. */
  inStartOrder(): T[] {
    const all: T[] = [];
    for (const link of this.links) for (const t of link.received) all.push(t);
    return all.sort(bySeq);
  }

  /** The transfers due by `now`, in start order. */
  due(now: Micros): T[] {
    const due: T[] = [];
    const links = this.active;
    for (let i = 0; i < links.length; i++) {
      const link = links[i] as Link<T>;
      if (link.earliest > now) continue;
      const received = link.received;
      for (let j = 0; j < received.length; j++) {
        const t = received[j] as T;
        if (t.eta <= now) due.push(t);
      }
    }
    return due.length === 1 ? due : due.sort(bySeq);
  }

  /**
   * `t`, met in the walk of a link that does not own it, finishes at `eta` now, not at
   * `t.eta` as before.
   */
  retime(t: T, eta: Micros): void {
    const grew = eta > t.eta;
    t.eta = eta;
    const owner = t.toLink;
    if (eta < owner.earliest) {
      // Below even a stale owner's bound: the owner's earliest now, exactly.
      owner.earliest = eta;
      owner.earliestBy = t;
      owner.stale = false;
      // Written out, not a method: TurboFan did not inline that method into the walk, and
      // each call boxed `eta` into a new heap number.
      if (eta < this.min) {
        this.min = eta;
        this.minLink = owner;
        this.exact = true;
      }
    } else if (grew && owner.earliestBy === t) {
      owner.stale = true;
      if (owner === this.minLink) this.exact = false;
    }
  }

  /**
   * The walk of `link` has given every transfer on it its finish: `earliest` is the
   * earliest of those it owns (`Infinity` for none), `by` one of them that finishes then.
   */
  walked(link: Link<T>, earliest: Micros, by: T | undefined): void {
    link.earliest = earliest;
    link.earliestBy = by;
    link.stale = false;
    if (earliest < this.min) {
      this.min = earliest;
      this.minLink = link;
      this.exact = true;
    }
    // At the old minimum again, it is the minimum: `min` is never later than the truth.
    else if (link === this.minLink) this.exact = earliest === this.min;
  }

  /** Finds the earliest over the links, refreshing only stale links that could hold it. */
  private rescan(): void {
    let min = Infinity;
    let minLink: Link<T> | undefined;
    const links = this.active;
    let kept = 0;
    for (let i = 0; i < links.length; i++) {
      const link = links[i] as Link<T>;
      if (link.received.length === 0) {
        link.listed = false;
        continue;
      }
      if (kept !== i) links[kept] = link;
      kept++;
      if (link.earliest >= min) continue;
      if (link.stale === true) {
        link.refreshEarliest();
        if (link.earliest >= min) continue;
      }
      min = link.earliest;
      minLink = link;
    }
    if (kept !== links.length) links.length = kept;
    this.min = min;
    this.minLink = minLink;
    this.exact = true;
  }
}
