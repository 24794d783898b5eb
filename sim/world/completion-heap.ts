import type { Micros } from './kernel/event-queue.ts';

/** What the heap orders: a finish time, a start order, and the item's own heap position. */
export interface Completing {
  readonly eta: Micros;
  readonly seq: number;
  /** Position in the heap; -1 when not in it. */
  heapIndex: number;
}

const bySeq = (a: Completing, b: Completing): number => a.seq - b.seq;

/**
 * Things in progress as a binary min-heap by `eta`, each knowing its position, so a share
 * change moves only the items it touched and the earliest finish is always at the top.
 */
export class CompletionHeap<T extends Completing> {
  private readonly heap: T[] = [];

  get earliest(): Micros {
    return this.heap[0]?.eta ?? Infinity;
  }

  add(t: T): void {
    t.heapIndex = this.heap.length;
    this.heap.push(t);
    this.up(t.heapIndex);
  }

  remove(t: T): void {
    const i = t.heapIndex;
    const last = this.heap.pop() as T;
    t.heapIndex = -1;
    if (last === t) return;
    this.heap[i] = last;
    last.heapIndex = i;
    this.moved(last);
  }

  /** Restores the order around `t`, put in a removed item's place: it may rise or sink. */
  private moved(t: T): void {
    const i = t.heapIndex;
    if (i > 0 && (this.heap[i] as T).eta < (this.heap[(i - 1) >> 1] as T).eta) this.up(i);
    else this.down(i);
  }

  /** Restores the order after `t.eta` grew: it can only sink (no look at its parent). */
  later(t: T): void {
    this.down(t.heapIndex);
  }

  /** Restores the order after `t.eta` shrank: it can only rise (no look at its children). */
  sooner(t: T): void {
    this.up(t.heapIndex);
  }

  /** Every item, in start order. */
  inStartOrder(): T[] {
    return [...this.heap].sort(bySeq);
  }

  /** The items due by `now`, in start order. */
  due(now: Micros): T[] {
    const heap = this.heap;
    const due: T[] = [];
    // The heap's due part is a subtree at the top: walk it with the items themselves as
    // the stack of positions still to look at (no closure or index array per call).
    const first = heap[0];
    if (first === undefined || first.eta > now) return due;
    due.push(first);
    for (let next = 0; next < due.length; next++) {
      const i = (due[next] as T).heapIndex;
      const left = heap[2 * i + 1];
      if (left !== undefined && left.eta <= now) due.push(left);
      const right = heap[2 * i + 2];
      if (right !== undefined && right.eta <= now) due.push(right);
    }
    return due.length === 1 ? due : due.sort(bySeq);
  }

  private up(i: number): void {
    const heap = this.heap;
    const t = heap[i] as T;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as T;
      if (p.eta <= t.eta) break;
      heap[i] = p;
      p.heapIndex = i;
      i = parent;
    }
    heap[i] = t;
    t.heapIndex = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const t = heap[i] as T;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      let child = left;
      let c = heap[left] as T;
      const r = heap[left + 1];
      if (r !== undefined && r.eta < c.eta) {
        child = left + 1;
        c = r;
      }
      if (c.eta >= t.eta) break;
      heap[i] = c;
      c.heapIndex = i;
      i = child;
    }
    heap[i] = t;
    t.heapIndex = i;
  }
}
