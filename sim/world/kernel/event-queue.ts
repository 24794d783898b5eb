/** Virtual time: an integer number of microseconds since the start of the run. */
export type Micros = number;

export const MICROS_PER_SECOND = 1_000_000;

const NOTHING = (): void => undefined;
/** A cancelled event's callback: what marks it cancelled (see `QueuedEvent.cancelled`). */
const SKIPPED = (): void => undefined;

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

  /**
   * Told by the callback, where a flag was a field more on every event. (Not by `what`:
   * a comparison with a value that may be a string is a call to compare strings.)
   */
  get cancelled(): boolean {
    return this.fn === SKIPPED;
  }

  get label(): string {
    return typeof this.what === 'string' ? this.what : this.what.label;
  }

  fire(): void {
    if (typeof this.what === 'string') this.fn();
    else this.what.fire();
  }

  cancel(): void {
    // A cancelled event waits in the queue until its time (a request's timeout: a minute
    // of simulated time); dropping what it holds lets that die young.
    this.fn = SKIPPED;
    this.what = CANCELLED;
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
 * Events in key order, each later than the one before it, first in first out: taking
 * the front costs no sift. Taken slots are dropped when the run empties, or now and then
 * when it never does.
 */
class Run {
  private readonly events: QueuedEvent[] = [];
  private head = 0;

  get size(): number {
    return this.events.length - this.head;
  }

  /** The earliest event, `undefined` when empty. */
  get front(): QueuedEvent | undefined {
    return this.head < this.events.length ? this.events[this.head] : undefined;
  }

  /** Appends `event` if it is later than every event here; false, and nothing done, if not. */
  offer(event: QueuedEvent): boolean {
    const events = this.events;
    if (this.head === events.length) {
      if (this.head !== 0) events.length = this.head = 0;
    } else if (!before(events[events.length - 1] as QueuedEvent, event)) {
      return false;
    }
    events.push(event);
    return true;
  }

  /** Takes the front, which must be there. */
  take(): QueuedEvent {
    const events = this.events;
    const next = events[this.head] as QueuedEvent;
    events[this.head++] = NO_EVENT;
    // A run that never empties (a timeout always pending) drops its taken front
    // now and then, so that it does not grow with the day.
    if (this.head >= 1024 && 2 * this.head >= events.length) {
      events.copyWithin(0, this.head);
      events.length -= this.head;
      this.head = 0;
    }
    return next;
  }
}

/**
 * The whole ordering rule of the simulator: a min-heap keyed by (time, tie-break,
 * sequence). Every key is distinct, so the order is total and the heap's shape cannot
 * change which event comes next. Four children a node, not two: half the levels for a
 * pop to sift through, and the four siblings sit side by side in the array (8% more
 * events a second on the hold model than the binary heap, measured interleaved).
 *
 * Beside the heap, two runs: events pushed with `pushLate` join the first run they are
 * later than the last of. A request's timeout is due a fixed time after it is sent, so
 * each is later than the last of its length: a Nexus's requests (one length) and the
 * sleds' depot requests (another) fill a run each and never enter the heap, where a
 * rack-day seed's 100k of them, nearly all cancelled, made a quarter of the sifts and a
 * deeper heap (with one run, the sleds' shorter timeouts still left a fifth of the heap
 * cancelled). The next event is the earliest of the three fronts, so the order is the
 * same total order whichever holds an event.
 */
export class EventQueue {
  private readonly heap: QueuedEvent[] = [];
  private readonly first = new Run();
  private readonly second = new Run();

  get size(): number {
    return this.heap.length + this.first.size + this.second.size;
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
   * `push` for an event that is likely later than every other pushed this way with the
   * same delay (a timeout of fixed length): it joins a run when it is, and the heap when not.
   */
  pushLate(event: QueuedEvent): void {
    if (!this.first.offer(event) && !this.second.offer(event)) this.push(event);
  }

  pop(): QueuedEvent | undefined {
    return this.popDue(Infinity);
  }

  /**
   * Takes the next event if it is due by `until`; `undefined` otherwise. One call where a
   * look and a take compared the fronts twice, once per event run.
   */
  popDue(until: Micros): QueuedEvent | undefined {
    let next = this.heap[0];
    let from: Run | undefined;
    const a = this.first.front;
    if (a !== undefined && (next === undefined || before(a, next))) {
      next = a;
      from = this.first;
    }
    const b = this.second.front;
    if (b !== undefined && (next === undefined || before(b, next))) {
      next = b;
      from = this.second;
    }
    if (next === undefined || next.time > until) return undefined;
    return from === undefined ? this.popHeap() : from.take();
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
