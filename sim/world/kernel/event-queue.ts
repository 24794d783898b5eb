import { FLOAT_ZERO } from '../../../core/shapes.ts';

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
 * What the queue holds: an event with the rest of its key, (tie-break, sequence), written
 * when it is scheduled; its time is given to `push` and kept by the queue alone, in typed
 * arrays beside the events (a float field on every entry was a box more for each one
 * made: every `QueuedEvent`, message and request timeout). An object the world makes
 * anyway (a message, a request's timeout) may be its own entry (`Kernel.scheduleEntry`),
 * where a `QueuedEvent` around it was an object more per message: some three a request.
 * Such an entry is in the queue at most once at a time; it may go in again once it has
 * fired (a request travels back as its reply). An interface, not a base class: a
 * constructor more in the chain of a message (a base class for every message, say) is a
 * call V8 does not inline.
 */
export interface QueueEntry {
  /** Seeded tie-break among same-time events; 0 when tie-breaking is off. */
  tie: number;
  /** Taken when scheduled: same-time, same-tie events run in scheduling order. */
  seq: number;
  /** Read only by an error report, so it may be spelt only then. */
  readonly label: string;
  /** Whether the queue skips it when its time comes. */
  readonly cancelled: boolean;
  fire(): void;
}

/**
 * A callback, or an occurrence, in the queue. `cancel()` makes the queue skip it.
 */
export class QueuedEvent implements QueueEntry {
  constructor(
    public tie: number,
    public seq: number,
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

/**
 * The simulator's whole ordering rule, (time, tie-break, sequence), for an event `a` due
 * at `at` and `b` due at `bt`. The queue keeps the times in typed arrays beside the events,
 * so that a comparison reads event objects only when two times are equal (3% of
 * comparisons on rack-day).
 */
function precedes(at: Micros, a: QueueEntry, bt: Micros, b: QueueEntry): boolean {
  return at !== bt ? at < bt : sameTimeBefore(a, b);
}

/** The order of two events due at the same time. */
function sameTimeBefore(a: QueueEntry, b: QueueEntry): boolean {
  if (a.tie !== b.tie) return a.tie < b.tie;
  return a.seq < b.seq;
}

/** What a free slot holds: nothing the event it held kept alive. */
const NO_EVENT = new QueuedEvent(0, -1, CANCELLED);

/**
 * Events in key order, each later than the one before it, first in first out: taking
 * the front costs no sift. A ring of slots whose capacity is a power of two, each event's
 * time beside it in `times`; a free slot's time is `Infinity`, so `frontTime` needs no test
 * for an empty run.
 */
class Run {
  private events: QueueEntry[] = new Array<QueueEntry>(16).fill(NO_EVENT);
  private times = new Float64Array(16).fill(Infinity);
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The earliest event's time; `Infinity` when the run is empty. */
  get frontTime(): Micros {
    return this.times[this.head] as number;
  }

  /** The earliest event; only when the run is not empty. */
  get front(): QueueEntry {
    return this.events[this.head] as QueueEntry;
  }

  /** Appends `event`, due at `time`, if it is later than every event here; false, and nothing done, if not. */
  offer(event: QueueEntry, time: Micros): boolean {
    if (this.count !== 0) {
      const last = (this.head + this.count - 1) & (this.times.length - 1);
      if (!precedes(this.times[last] as number, this.events[last] as QueueEntry, time, event)) return false;
      if (this.count === this.times.length) this.grow();
    }
    const tail = (this.head + this.count++) & (this.times.length - 1);
    this.events[tail] = event;
    this.times[tail] = time;
    return true;
  }

  /** Takes the front, which must be there. */
  take(): QueueEntry {
    const head = this.head;
    const next = this.events[head] as QueueEntry;
    this.events[head] = NO_EVENT;
    this.times[head] = Infinity;
    this.head = (head + 1) & (this.times.length - 1);
    this.count--;
    return next;
  }

  /** Twice the slots, the events moved to the front in order. */
  private grow(): void {
    const capacity = this.times.length;
    const events = new Array<QueueEntry>(2 * capacity).fill(NO_EVENT);
    const times = new Float64Array(2 * capacity).fill(Infinity);
    for (let k = 0; k < capacity; k++) {
      const from = (this.head + k) & (capacity - 1);
      events[k] = this.events[from] as QueueEntry;
      times[k] = this.times[from] as number;
    }
    this.events = events;
    this.times = times;
    this.head = 0;
  }
}

/**
 * The heap's first capacity: room for a rack-day world's events (some 310 at most). Grown,
 * the heap's arrays are new ones, and V8 drops the optimized code that had read those
 * fields as never changing (`pop`, compiled again in each new worker).
 */
const HEAP_CAPACITY = 512;

/**
 * A min-heap of events in key order, four children a node, not two: half the levels for a
 * pop to sift through, and the four siblings sit side by side (8% more events a second on
 * the hold model than the binary heap, measured interleaved).
 *
 * The heap itself is two typed arrays, an event's time and its slot at each position: an
 * event waits in a slot of `events` from push to pop, and a sift moves numbers, reading an
 * event object only when two times are equal (3% of comparisons on rack-day). Moving the
 * events themselves through an array that outlives them cost a write barrier a move.
 * Positions past the last event hold the time `Infinity`, so the top's time needs no test
 * for an empty heap and a node's last children need no bound (an `Infinity` never comes
 * before a real time); there are four such positions past the end at least.
 */
class EventHeap {
  /** The events, each in its slot; a free slot holds `NO_EVENT`. */
  private events: QueueEntry[] = new Array<QueueEntry>(HEAP_CAPACITY).fill(NO_EVENT);
  /** The free slots, a stack: `free[0 .. capacity - size)`. */
  private free = freeSlots(HEAP_CAPACITY, 0);
  /** The heap: the time and the slot of the event at each position. */
  private times = new Float64Array(HEAP_CAPACITY + 4).fill(Infinity);
  private slots = new Int32Array(HEAP_CAPACITY + 4);
  size = 0;

  /** The earliest event's time; `Infinity` when the heap is empty. */
  get topTime(): Micros {
    return this.times[0] as number;
  }

  /** The earliest event; only when the heap is not empty. */
  get top(): QueueEntry {
    return this.events[this.slots[0] as number] as QueueEntry;
  }

  push(event: QueueEntry, time: Micros): void {
    if (this.size === this.events.length) this.grow();
    const slot = this.free[this.events.length - 1 - this.size] as number;
    this.events[slot] = event;
    const times = this.times;
    const slots = this.slots;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const parentTime = times[parent] as number;
      if (parentTime < time || (parentTime === time && this.keyBefore(slots[parent] as number, slot))) break;
      times[i] = parentTime;
      slots[i] = slots[parent] as number;
      i = parent;
    }
    times[i] = time;
    slots[i] = slot;
  }

  /** Takes the earliest event, which must be there. */
  pop(): QueueEntry {
    const times = this.times;
    const slots = this.slots;
    const topSlot = slots[0] as number;
    const top = this.events[topSlot] as QueueEntry;
    this.events[topSlot] = NO_EVENT;
    this.free[this.events.length - this.size] = topSlot;
    const n = --this.size;
    const lastTime = times[n] as number;
    const lastSlot = slots[n] as number;
    times[n] = Infinity;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      // The earliest of the (up to) four children, written out: no inner loop to check.
      const base = i << 2;
      const first = base | 1;
      if (first >= n) break;
      let child = first;
      let childTime = times[first] as number;
      let t = times[base | 2] as number;
      if (this.before(base | 2, t, child, childTime)) {
        child = base | 2;
        childTime = t;
      }
      t = times[base | 3] as number;
      if (this.before(base | 3, t, child, childTime)) {
        child = base | 3;
        childTime = t;
      }
      t = times[base + 4] as number;
      if (this.before(base + 4, t, child, childTime)) {
        child = base + 4;
        childTime = t;
      }
      if (lastTime < childTime || (lastTime === childTime && this.keyBefore(lastSlot, slots[child] as number))) break;
      times[i] = childTime;
      slots[i] = slots[child] as number;
      i = child;
    }
    times[i] = lastTime;
    slots[i] = lastSlot;
    return top;
  }

  /** Whether the event at position `k`, due at `t`, comes before the one at `j`, due at `tj`. */
  private before(k: number, t: Micros, j: number, tj: Micros): boolean {
    return t < tj || (t === tj && this.keyBefore(this.slots[k] as number, this.slots[j] as number));
  }

  /** The rest of the key, for two events due at the same time (in slots `a` and `b`). */
  private keyBefore(a: number, b: number): boolean {
    return sameTimeBefore(this.events[a] as QueueEntry, this.events[b] as QueueEntry);
  }

  /** Twice the slots and positions; the new ones free. */
  private grow(): void {
    const capacity = this.events.length;
    const events = new Array<QueueEntry>(2 * capacity).fill(NO_EVENT);
    for (let k = 0; k < capacity; k++) events[k] = this.events[k] as QueueEntry;
    const times = new Float64Array(2 * capacity + 4).fill(Infinity);
    times.set(this.times.subarray(0, this.size));
    const slots = new Int32Array(2 * capacity + 4);
    slots.set(this.slots.subarray(0, this.size));
    this.events = events;
    this.free = freeSlots(2 * capacity, capacity);
    this.times = times;
    this.slots = slots;
  }
}

/** A free-slot stack for `capacity` slots of which `from ..` are free, the lowest on top. */
function freeSlots(capacity: number, from: number): Int32Array {
  const free = new Int32Array(capacity);
  for (let k = 0; k < capacity - from; k++) free[k] = capacity - 1 - k;
  return free;
}

/**
 * The whole ordering rule of the simulator: events in (time, tie-break, sequence) order.
 * Every key is distinct, so the order is total and where an event waits cannot change
 * which comes next.
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
  private readonly heap = new EventHeap();
  private readonly first = new Run();
  private readonly second = new Run();

  /** The time of the event `pop` or `popDue` took last. */
  lastTime: Micros = FLOAT_ZERO;

  get size(): number {
    return this.heap.size + this.first.size + this.second.size;
  }

  /** Queues `event` at `time`. */
  push(event: QueueEntry, time: Micros): void {
    this.heap.push(event, time);
  }

  /**
   * `push` for an event that is likely later than every other pushed this way with the
   * same delay (a timeout of fixed length): it joins a run when it is, and the heap when not.
   */
  pushLate(event: QueueEntry, time: Micros): void {
    if (!this.first.offer(event, time) && !this.second.offer(event, time)) this.heap.push(event, time);
  }

  pop(): QueueEntry | undefined {
    return this.popDue(Number.MAX_VALUE);
  }

  /**
   * Takes the next event if it is due by `until`; `undefined` otherwise. The three fronts'
   * times decide, as numbers; only fronts due at the same time compare their events.
   */
  popDue(until: Micros): QueueEntry | undefined {
    const h = this.heap.topTime;
    const a = this.first.frontTime;
    const b = this.second.frontTime;
    // Each test is strict, so the front it picks is a real event, not an empty one's `Infinity`.
    if (h < a && h < b) {
      if (h > until) return undefined;
      this.lastTime = h;
      return this.heap.pop();
    }
    if (a < h && a < b) {
      if (a > until) return undefined;
      this.lastTime = a;
      return this.first.take();
    }
    if (b < h && b < a) {
      if (b > until) return undefined;
      this.lastTime = b;
      return this.second.take();
    }
    return this.popTied(until, h, a, b);
  }

  /** `popDue` when two or three fronts are due at the earliest time, or all are empty. */
  private popTied(until: Micros, h: Micros, a: Micros, b: Micros): QueueEntry | undefined {
    const time = Math.min(h, a, b);
    if (time === Infinity || time > until) return undefined;
    this.lastTime = time;
    let from: Run | undefined;
    let next = h === time ? this.heap.top : undefined;
    if (a === time && (next === undefined || precedes(time, this.first.front, time, next))) {
      next = this.first.front;
      from = this.first;
    }
    if (b === time && (next === undefined || precedes(time, this.second.front, time, next))) from = this.second;
    return from === undefined ? this.heap.pop() : from.take();
  }
}
