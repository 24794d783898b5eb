import type { Micros } from './kernel/event-queue.ts';

/** What the heap orders: a finish time, a start order, and the item's own heap position. */
export interface Completing {
  readonly eta: Micros;
  readonly seq: number;
  /** Position in the heap; -1 when not in it. */
  heapIndex: number;
}

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

  /** Restores the order after `t.eta` changed. */
  moved(t: T): void {
    const i = t.heapIndex;
    if (i > 0 && (this.heap[i] as T).eta < (this.heap[(i - 1) >> 1] as T).eta) this.up(i);
    else this.down(i);
  }

  /** Every item, in start order. */
  inStartOrder(): T[] {
    return [...this.heap].sort((a, b) => a.seq - b.seq);
  }

  /** The items due by `now`, in start order. */
  due(now: Micros): T[] {
    const due: T[] = [];
    const visit = (i: number): void => {
      const t = this.heap[i];
      if (t === undefined || t.eta > now) return;
      due.push(t);
      visit(2 * i + 1);
      visit(2 * i + 2);
    };
    visit(0);
    return due.sort((a, b) => a.seq - b.seq);
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
