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

/** What a taken slot of the run holds: nothing the event it held kept alive. */
const NO_EVENT = new QueuedEvent(0, 0, -1, CANCELLED);

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
 *
 * Beside the heap, a run: events pushed with `pushLate` in key order, each later than
 * the one pushed before it, kept in a first-in first-out array. A request's timeout is
 * due a fixed time after it is sent, so each is later than the last: they join the run
 * and never enter the heap, where a rack-day seed's 100k of them, nearly all cancelled,
 * made a quarter of the sifts and a deeper heap. The next event is the earlier of the
 * two fronts, so the order is the same total order whichever holds an event.
 */
export class EventQueue {
  private readonly heap: QueuedEvent[] = [];
  private readonly run: QueuedEvent[] = [];
  private runHead = 0;

  get size(): number {
    return this.heap.length + this.run.length - this.runHead;
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

  /**
   * `push` for an event that is likely later than every other pushed this way (a timeout
   * of fixed length): it joins the run when it is, and the heap when not.
   */
  pushLate(event: QueuedEvent): void {
    const run = this.run;
    if (this.runHead === run.length) {
      if (this.runHead !== 0) run.length = this.runHead = 0;
    } else if (!before(run[run.length - 1] as QueuedEvent, event)) {
      return this.push(event);
    }
    run.push(event);
  }

  pop(): QueuedEvent | undefined {
    return this.popDue(Infinity);
  }

  /**
   * Takes the next event if it is due by `until`; `undefined` otherwise. One call where a
   * look and a take compared the two fronts twice, once per event run.
   */
  popDue(until: Micros): QueuedEvent | undefined {
    const run = this.run;
    const first = this.heap[0];
    if (this.runHead < run.length) {
      const next = run[this.runHead] as QueuedEvent;
      if (first === undefined || before(next, first)) {
        if (next.time > until) return undefined;
        run[this.runHead++] = NO_EVENT;
        // A run that never empties (a timeout always pending) drops its taken front
        // now and then, so that it does not grow with the day.
        if (this.runHead >= 1024 && 2 * this.runHead >= run.length) {
          run.copyWithin(0, this.runHead);
          run.length -= this.runHead;
          this.runHead = 0;
        }
        return next;
      }
    }
    if (first === undefined || first.time > until) return undefined;
    return this.popHeap();
  }

  private popHeap(): QueuedEvent | undefined {
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
