// The kernel benchmark's two workloads, and depotsim's runs of them. The peers' runs
// (kernel-peers.ts) take the same delays, so every implementation runs one timeline and
// returns a Tally the benchmark compares before it believes any rate.
import { EventQueue, QueuedEvent, type Micros, type QueueEntry } from '../sim/world/kernel/event-queue.ts';
import { Kernel } from '../sim/world/kernel/kernel.ts';
import { RandomStreams } from '../sim/world/kernel/random-streams.ts';

/**
 * The classic hold model: `pending` events wait; each event, when it fires, schedules the
 * next one `delays[k]` later, k counting schedulings in the order they happen, until
 * `delays.length` events have been scheduled (the first `pending` at time 0).
 */
export interface HoldWorkload {
  readonly delays: Int32Array;
  readonly pending: number;
}

/** `tasks` processes, each sleeping in a loop; task t's i-th sleep is `delays[t * sleeps + i]`. */
export interface ProcessWorkload {
  readonly delays: Int32Array;
  readonly tasks: number;
  readonly sleeps: number;
}

/**
 * Delays of 1 µs to 1 s, integer microseconds, from one seeded alea sequence. Integers
 * stay exact in every library's float clock, so each one reaches the same event times.
 */
export function seededDelays(count: number, seed = 1): Int32Array {
  const stream = new RandomStreams(seed).stream('kernel-bench');
  const delays = new Int32Array(count);
  for (let i = 0; i < count; i++) delays[i] = 1 + stream.nextInt(1_000_000);
  return delays;
}

export const holdWorkload = (events: number, pending: number): HoldWorkload => ({ delays: seededDelays(events), pending });

export const processWorkload = (tasks: number, sleeps: number): ProcessWorkload => ({
  delays: seededDelays(tasks * sleeps),
  tasks,
  sleeps,
});

/**
 * What a run did: events fired, the sum of their times and the last. Same-time events may
 * fire in a different order in each library (js-simulator shuffles them), but in both
 * workloads an event's successor time depends only on when it fires and on a counter, so
 * the multiset of event times, and so this sum, is the same for every correct run.
 */
export class Tally {
  events = 0;
  timeSum = 0;
  lastTime = 0;

  record(time: number): void {
    this.events++;
    this.timeSum += time;
    this.lastTime = time;
  }
}

/** Reads delay `k`; the workloads never index past the end. */
export const delayAt = (delays: Int32Array, k: number): Micros => delays[k] as number;

export async function holdOnKernel(work: HoldWorkload): Promise<Tally> {
  const { delays, pending } = work;
  const kernel = new Kernel();
  const tally = new Tally();
  let next = 0;
  const fire = (): void => {
    tally.record(kernel.now);
    if (next < delays.length) kernel.after(delayAt(delays, next++), 'hold', fire);
  };
  while (next < pending) kernel.after(delayAt(delays, next++), 'hold', fire);
  await kernel.run();
  return tally;
}

/**
 * A pending event of the hold model as the world's messages and timeouts are: an object
 * that is its own queue entry (`Kernel.scheduleEntry`), put back in the queue when it
 * fires, as js-simulator's events are.
 */
class HoldEntry implements QueueEntry {
  tie = 0;
  seq = 0;
  readonly label = 'hold';
  readonly cancelled = false;

  constructor(private readonly pool: EntryPool) {}

  fire(): void {
    this.pool.fired(this);
  }
}

class EntryPool {
  readonly kernel = new Kernel();
  readonly tally = new Tally();
  private next = 0;

  constructor(private readonly delays: Int32Array) {}

  schedule(entry: HoldEntry): void {
    this.kernel.scheduleEntry(entry, this.kernel.now + delayAt(this.delays, this.next++));
  }

  fired(entry: HoldEntry): void {
    this.tally.record(this.kernel.now);
    if (this.next < this.delays.length) this.schedule(entry);
  }
}

export async function holdOnKernelEntries(work: HoldWorkload): Promise<Tally> {
  const pool = new EntryPool(work.delays);
  for (let k = 0; k < work.pending; k++) pool.schedule(new HoldEntry(pool));
  await pool.kernel.run();
  return pool.tally;
}

/** The event queue alone, without the executor around it: the kernel's floor. */
export function holdOnEventQueue(work: HoldWorkload): Tally {
  const { delays, pending } = work;
  const queue = new EventQueue();
  const tally = new Tally();
  const noop = (): void => undefined;
  let next = 0;
  while (next < pending) queue.push(new QueuedEvent(0, next, 'hold', noop), delayAt(delays, next++));
  while (queue.pop() !== undefined) {
    const time = queue.lastTime;
    tally.record(time);
    if (next < delays.length) queue.push(new QueuedEvent(0, next, 'hold', noop), time + delayAt(delays, next++));
  }
  return tally;
}

/** The engine's shape: async tasks awaiting the kernel's sleeps. */
export async function processOnKernelTasks(work: ProcessWorkload): Promise<Tally> {
  const { delays, tasks, sleeps } = work;
  const kernel = new Kernel();
  const tally = new Tally();
  for (let t = 0; t < tasks; t++) {
    kernel.spawn('task', async () => {
      for (let i = 0; i < sleeps; i++) {
        await kernel.sleep(delayAt(delays, t * sleeps + i), 'sleep');
        tally.record(kernel.now);
      }
    });
  }
  await kernel.run();
  return tally;
}

/** The same tasks as chains of kernel callbacks: what the world's models do. */
export async function processOnKernelCallbacks(work: ProcessWorkload): Promise<Tally> {
  const { delays, tasks, sleeps } = work;
  const kernel = new Kernel();
  const tally = new Tally();
  for (let t = 0; t < tasks; t++) {
    let i = 0;
    const wake = (): void => {
      tally.record(kernel.now);
      if (++i < sleeps) kernel.after(delayAt(delays, t * sleeps + i), 'sleep', wake);
    };
    kernel.after(delayAt(delays, t * sleeps), 'sleep', wake);
  }
  await kernel.run();
  return tally;
}

/** A task as an entry of its own that puts itself back after each sleep, as js-simulator's agents do. */
class SleeperEntry implements QueueEntry {
  tie = 0;
  seq = 0;
  readonly label = 'sleep';
  readonly cancelled = false;
  private slept = 0;

  constructor(
    private readonly kernel: Kernel,
    private readonly work: ProcessWorkload,
    private readonly tally: Tally,
    private readonly first: number,
  ) {}

  start(): void {
    this.kernel.scheduleEntry(this, delayAt(this.work.delays, this.first));
  }

  fire(): void {
    this.tally.record(this.kernel.now);
    if (++this.slept < this.work.sleeps) this.kernel.scheduleEntry(this, this.kernel.now + delayAt(this.work.delays, this.first + this.slept));
  }
}

/** The same tasks as kernel entries, each its own event. */
export async function processOnKernelEntries(work: ProcessWorkload): Promise<Tally> {
  const kernel = new Kernel();
  const tally = new Tally();
  for (let t = 0; t < work.tasks; t++) new SleeperEntry(kernel, work, tally, t * work.sleeps).start();
  await kernel.run();
  return tally;
}
