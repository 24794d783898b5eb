/** Virtual time: an integer number of microseconds since the start of the run. */
export type Micros = number;

export const MICROS_PER_SECOND = 1_000_000;

const NOTHING = (): void => undefined;

/**
 * What happens at a time, as an object that is its own callback (a message, a timer): it
 * needs no closure. `label` is read only by an error report, so it may be spelt only then.
 */
export interface Occurrence {
  readonly label: string;
  fire(): void;
}

/** What a cancelled occurrence leaves in the queue: nothing it held stays alive. */
const CANCELLED: Occurrence = { label: 'cancelled', fire: NOTHING };

/**
 * A callback, or an occurrence, due at `time`. `cancel()` makes the queue skip it. One
 * class for both, so that the heap's reads of the key stay monomorphic.
 */
export class QueuedEvent {
  cancelled = false;
  constructor(
    readonly time: Micros,
    /** Seeded tie-break among same-time events; 0 when tie-breaking is off. */
    readonly tie: number,
    /** Taken when scheduled: same-time, same-tie events run in scheduling order. */
    readonly seq: number,
    /** A callback's label, or the occurrence that is both what happens and its label. */
    private what: string | Occurrence,
    private fn: () => void = NOTHING,
  ) {}

  get label(): string {
    return typeof this.what === 'string' ? this.what : this.what.label;
  }

  fire(): void {
    if (typeof this.what === 'string') this.fn();
    else this.what.fire();
  }

  cancel(): void {
    this.cancelled = true;
    // A cancelled event waits in the queue until its time (a request's timeout: a minute
    // of simulated time); dropping what it holds lets that die young.
    this.fn = NOTHING;
    if (typeof this.what !== 'string') this.what = CANCELLED;
  }
}

function before(a: QueuedEvent, b: QueuedEvent): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.tie !== b.tie) return a.tie < b.tie;
  return a.seq < b.seq;
}

/**
 * The whole ordering rule of the simulator: a min-heap keyed by (time, tie-break,
 * sequence). Every key is distinct, so the order is total and the heap's shape cannot
 * change which event comes next. Four children a node, not two: half the levels for a
 * pop to sift through, and the four siblings sit side by side in the array (8% more
 * events a second on the hold model than the binary heap, measured interleaved).
 */
export class EventQueue {
  private readonly heap: QueuedEvent[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(event: QueuedEvent): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const p = heap[parent] as QueuedEvent;
      if (!before(event, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = event;
  }

  peek(): QueuedEvent | undefined {
    return this.heap[0];
  }

  pop(): QueuedEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    const n = heap.length;
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      let child = first;
      let c = heap[first] as QueuedEvent;
      const end = first + 4 < n ? first + 4 : n;
      for (let k = first + 1; k < end; k++) {
        const sibling = heap[k] as QueuedEvent;
        if (before(sibling, c)) {
          c = sibling;
          child = k;
        }
      }
      if (!before(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
