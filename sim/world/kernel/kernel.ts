import { EventQueue, QueuedEvent, type Micros, type Occurrence, type QueueEntry } from './event-queue.ts';
import { JobQueue } from './job-queue.ts';
import { afterMicrotasksSettle, drainMicrotasks } from './microtasks.ts';
import type { RandomStream } from './random-streams.ts';
import { FLOAT_ZERO } from '../../../core/shapes.ts';

const RESOLVED = Promise.resolve();

export interface KernelOptions {
  /** Breaks ties among same-time events with this stream instead of scheduling order. */
  readonly tieBreak?: RandomStream | undefined;
  /** Settle microtasks after every event, not only after those that touched a promise. */
  readonly alwaysSettle?: boolean | undefined;
  /** Settle through a marker and its tick even where the microtasks can be drained in place (to prove the two the same). */
  readonly settleByTick?: boolean | undefined;
}

/** Work is waiting on promises but no event is left that could resolve them. */
export class StallError extends Error {
  constructor(
    readonly time: Micros,
    readonly waiting: readonly string[],
  ) {
    const shown = waiting.slice(0, 8).join('; ');
    const more = waiting.length > 8 ? `; and ${waiting.length - 8} more` : '';
    super(`simulation stalled at t=${time}us: no event is queued but ${waiting.length} waits are pending: ${shown}${more}`);
    this.name = 'StallError';
  }
}

/** An event callback or spawned task failed; the run cannot go on. */
export class SimulationError extends Error {
  constructor(
    readonly time: Micros,
    readonly label: string,
    override readonly cause: unknown,
  ) {
    super(`at t=${time}us in ${label}: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
    this.name = 'SimulationError';
  }
}

/**
 * A wait's name: text, or an object that spells it when asked. Names are read only by a
 * stall report, so a request names its wait by itself and builds no text of its own.
 */
export type Label = string | { readonly label: string };

export function labelText(label: Label): string {
  return typeof label === 'string' ? label : label.label;
}

/**
 * Who hears a wait's outcome through a method: an object that holds what its continuation
 * needs (a request, a writer) is its own listener, where a closure per wait (and one per
 * tick after it) cost some 200 bytes each time. The world's callback code takes these,
 * not functions, and calls `settle` itself: each call site then sees the few classes that
 * reach it, where a shared helper that told functions from objects saw them all and
 * looked `settle` up in V8's megamorphic cache on every call.
 */
export interface Settler<T> {
  settle(ok: boolean, value: T | undefined, error: unknown): void;
}

/** A wait's outcome, given the moment it is known (as a promise would settle then): a function, or a `Settler`. */
export type Settle<T> = ((ok: boolean, value: T | undefined, error: unknown) => void) | Settler<T>;

/** `then` as a `Settler`: a function is wrapped (a caller outside the world's hot paths, a test). */
export function asSettler<T>(then: Settle<T>): Settler<T> {
  return typeof then === 'function' ? { settle: then } : then;
}

/** Code that goes on later through its method: an object that is its own continuation (see `Settler`). */
export interface Resumable {
  resume(): void;
}

/** What `Kernel.tick` runs: a function, or a `Resumable`. */
export type Job = (() => void) | Resumable;

export function runJob(job: Job): void {
  if (typeof job === 'function') job();
  else job.resume();
}

/** A wait that only the world settles, registered as a wait until it settles. */
export interface Settleable<T> {
  readonly settled: boolean;
  resolve(value: T): void;
  reject(reason: unknown): void;
  /** Gives up on it: it never settles and no longer counts as a wait. */
  abandon(): void;
}

/** A wait whose outcome something `await`s: a promise that only the world resolves. */
export interface Deferred<T> extends Settleable<T> {
  readonly promise: Promise<T>;
}

/**
 * A pending wait, linked into its scope's list (what a crash abandons; waits made outside
 * any node belong to the kernel's root scope). Intrusive links, so that registering and
 * settling a wait, once per request, message and sleep, costs a few pointer writes
 * instead of map and set operations. An object the world makes per request anyway (an
 * rpc exchange) may be its own wait: it starts `UNCOUNTED` and goes through
 * `Kernel.register`, `pending` and `delivers` as the kernel's own waits do.
 */
export interface Wait {
  /** What a stall report names (not `label`: an exchange is also a message with a label of its own). */
  readonly name: Label;
  readonly scope: WaitScope;
  /** Creation order, for the stall report. */
  readonly created: number;
  state: WaitState;
  prev: Wait | undefined;
  next: Wait | undefined;
}

/**
 * Where a wait stands, in one field where two flags were (a run makes a wait per request,
 * message and sleep): `COUNTED` neither settled nor abandoned, its scope open; `UNCOUNTED`
 * not settled but not counted either (not registered yet, or its scope closed); `SETTLED`
 * settled or abandoned, never counted again.
 */
export type WaitState = typeof UNCOUNTED | typeof COUNTED | typeof SETTLED;
/** @internal Where a wait starts. */
export const UNCOUNTED = 0;
const COUNTED = 1;
const SETTLED = 2;

// The holder of the promise being built: one executor for every deferred, where an arrow
// executor would cost a closure and a context per deferred. The executor writes the
// resolving functions into the holder, a young object like them: stored into this
// module's scope (old) first, each cost a remembered-set write, two a promise where the
// holder is now the one.
let filling: PromiseHolder<never> | undefined;
function fillHolder(resolve: (value: never) => void, reject: (reason: unknown) => void): void {
  const holder = filling as PromiseHolder<never>;
  holder.resolveFn = resolve;
  holder.rejectFn = reject;
}

/** What holds the resolving functions of a promise made by `promiseFor`. */
export interface PromiseHolder<T> {
  resolveFn: (value: T) => void;
  rejectFn: (reason: unknown) => void;
}

/** What a `PromiseHolder`'s fields hold until `promiseFor` fills them: a function, so that their shape never changes. */
export const NO_RESOLVE = (): void => undefined;

/** @internal A native promise that only `holder` settles, through the resolving functions it is given. */
export function promiseFor<T>(holder: PromiseHolder<T>): Promise<T> {
  filling = holder as PromiseHolder<never>;
  const promise = new Promise<T>(fillHolder);
  filling = undefined;
  return promise;
}

/**
 * What every wait shares: its place in its scope's list and the rule that a crashed
 * incarnation's code never resumes. Classes, not closures: under tsx every named closure
 * costs a defineProperty call, and a run creates a wait per request, message and sleep.
 */
abstract class KernelWait implements Wait {
  state: WaitState = UNCOUNTED;
  prev: Wait | undefined = undefined;
  next: Wait | undefined = undefined;

  // The kernel is the scope's: one field fewer on every wait.
  constructor(
    readonly name: Label,
    readonly scope: WaitScope,
    readonly created: number,
  ) {}

  get settled(): boolean {
    return this.state === SETTLED;
  }

  abandon(): void {
    if (this.state !== SETTLED) this.scope.kernel.settled(this, false);
  }

  /** Whether the outcome may be delivered; `resumesPromise` when a promise settles with it. */
  protected settle(resumesPromise: boolean): boolean {
    return this.scope.kernel.delivers(this, resumesPromise);
  }
}

class KernelDeferred<T> extends KernelWait implements Deferred<T>, PromiseHolder<T> {
  readonly promise: Promise<T>;
  /** @internal */ resolveFn: (value: T) => void = NO_RESOLVE;
  /** @internal */ rejectFn: (reason: unknown) => void = NO_RESOLVE;

  constructor(label: Label, scope: WaitScope, created: number) {
    super(label, scope, created);
    this.promise = promiseFor(this);
  }

  resolve(value: T): void {
    if (this.settle(true)) this.resolveFn(value);
  }

  reject(reason: unknown): void {
    if (this.settle(true)) this.rejectFn(reason);
  }
}

/**
 * A wait of the world's own code, which goes on in a callback instead of an `await`: no
 * promise, and settling it leaves the microtask queue alone. `then` hears the outcome the
 * moment it is known; a caller that stood for an `await` continues through `Kernel.tick`.
 */
class CallbackWait<T> extends KernelWait implements Settleable<T> {
  constructor(
    label: Label,
    scope: WaitScope,
    created: number,
    private readonly then: Settle<T>,
  ) {
    super(label, scope, created);
  }

  resolve(value: T): void {
    if (!this.settle(false)) return;
    const then = this.then;
    if (typeof then === 'function') then(true, value, undefined);
    else then.settle(true, value, undefined);
  }

  reject(reason: unknown): void {
    if (!this.settle(false)) return;
    const then = this.then;
    if (typeof then === 'function') then(false, undefined, reason);
    else then.settle(false, undefined, reason);
  }
}

/**
 * Waits that belong to one incarnation of a node. When the node crashes its pending waits
 * are abandoned: the promises stay pending forever and no longer count as stalled work.
 */
export class WaitScope {
  private first: Wait | undefined;
  private last: Wait | undefined;
  private closed = false;

  constructor(
    /** @internal */ readonly kernel: Kernel,
    readonly name: string,
  ) {
    kernel.adopt(this);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  deferred<T>(label: Label): Deferred<T> {
    return this.kernel.deferredIn(this, label);
  }

  /** A wait settled through `then` instead of a promise. */
  waitFor<T>(label: Label, then: Settle<T>): Settleable<T> {
    return this.kernel.register(new CallbackWait<T>(label, this, this.kernel.nextWaitSeq(), then));
  }

  /** @internal */ track(wait: Wait): void {
    wait.prev = this.last;
    if (this.last === undefined) this.first = wait;
    else this.last.next = wait;
    this.last = wait;
  }

  /** @internal */ untrack(wait: Wait): void {
    if (wait.prev === undefined) this.first = wait.next;
    else wait.prev.next = wait.next;
    if (wait.next === undefined) this.last = wait.prev;
    else wait.next.prev = wait.prev;
    wait.prev = wait.next = undefined;
  }

  /** @internal */ collect(into: Wait[]): void {
    for (let wait = this.first; wait !== undefined; wait = wait.next) into.push(wait);
  }

  close(): void {
    this.closed = true;
    for (let wait = this.first; wait !== undefined; wait = wait.next) this.kernel.forget(wait);
    this.first = this.last = undefined;
    this.kernel.disown(this);
  }
}

/**
 * The scheduler: integer-microsecond virtual time, one event queue, and an executor that
 * lets promise continuations settle after every event that touched a promise, before it
 * takes the next one. Nothing here reads a real clock.
 */
export class Kernel {
  private readonly queue = new EventQueue();
  // A float from the start (`FLOAT_ZERO`): times pass 2^30 us 18 minutes into a seed, and
  // code fed small integers until then deoptimized there.
  private time: Micros = FLOAT_ZERO;
  private seq = 0;
  private dirty = false;
  private failure: SimulationError | undefined;
  /** Open scopes, for the stall report; the root scope holds the waits of no node. */
  private readonly scopes = new Set<WaitScope>();
  private readonly root = new WaitScope(this, '');
  private waitSeq = 0;
  private waitCount = 0;
  private running = false;
  /** Whether `tick` jobs go to the kernel's own queue (see `tick`): only inside an event that touched no promise. */
  private ownJobs = false;
  private readonly jobs = new JobQueue();
  private readonly microJobs = new JobQueue();
  /** Events run so far (cancelled ones excluded). */
  eventsRun = 0;
  /** `options.tieBreak`, read once per event scheduled. */
  private readonly tieBreak: RandomStream | undefined;

  constructor(private readonly options: KernelOptions = {}) {
    this.tieBreak = options.tieBreak;
  }

  get now(): Micros {
    return this.time;
  }

  get queued(): number {
    return this.queue.size;
  }

  /** Schedules `fn` at absolute time `time` (not before now). */
  at(time: Micros, label: string, fn: () => void): QueuedEvent {
    return this.enqueue(time, label, fn);
  }

  after(delay: Micros, label: string, fn: () => void): QueuedEvent {
    return this.at(this.time + delay, label, fn);
  }

  /** Schedules `occurrence` (an object that is its own callback) at absolute time `time`. */
  schedule(occurrence: Occurrence, time: Micros): QueuedEvent {
    return this.enqueue(time, occurrence, undefined);
  }

  /**
   * Puts `entry`, an object that is its own queue entry (see `QueueEntry`), in the queue at
   * absolute time `time`: the key a `schedule` now would give it, without a `QueuedEvent`
   * around it. `entry` must not be in the queue already.
   */
  scheduleEntry(entry: QueueEntry, time: Micros): void {
    if (!Number.isSafeInteger(time) || time < this.time) throw this.badTime(time, entry);
    entry.tie = this.tieBreak === undefined ? 0 : this.tieBreak.nextInt(0x40000000);
    entry.seq = this.seq++;
    this.queue.push(entry, time);
  }

  /**
   * `scheduleEntry` for a timer that is usually due after every other timer scheduled this
   * way (a fixed timeout after each request): the queue keeps those in order without
   * sifting them. The same event, the same order: only where the queue holds it differs.
   */
  scheduleTimer(entry: QueueEntry, time: Micros): void {
    if (!Number.isSafeInteger(time) || time < this.time) throw this.badTime(time, entry);
    entry.tie = this.tieBreak === undefined ? 0 : this.tieBreak.nextInt(0x40000000);
    entry.seq = this.seq++;
    this.queue.pushLate(entry, time);
  }

  // The key is written out in each of the three: a shared method for it was a call more a
  // message where V8 had run out of room to inline it (the draw, then the sequence number,
  // in that order in each).
  private enqueue(time: Micros, what: string | Occurrence, fn: (() => void) | undefined): QueuedEvent {
    if (!Number.isSafeInteger(time) || time < this.time) throw this.badTime(time, what);
    const tie = this.tieBreak === undefined ? 0 : this.tieBreak.nextInt(0x40000000);
    const event = new QueuedEvent(tie, this.seq++, what, fn);
    this.queue.push(event, time);
    return event;
  }

  private badTime(time: Micros, what: string | { readonly label: string }): RangeError {
    const label = typeof what === 'string' ? what : what.label;
    return new RangeError(`cannot schedule ${label} at t=${time}us: now is ${this.time}us and times are whole microseconds`);
  }

  deferred<T>(label: Label): Deferred<T> {
    return this.deferredIn(this.root, label);
  }

  /** @internal */ deferredIn<T>(scope: WaitScope, label: Label): Deferred<T> {
    return this.register(new KernelDeferred<T>(label, scope, this.waitSeq++));
  }

  /** @internal */ nextWaitSeq(): number {
    return this.waitSeq++;
  }

  /** @internal */ register<W extends Wait>(wait: W): W {
    if (!wait.scope.isClosed) {
      wait.state = COUNTED;
      this.waitCount++;
      wait.scope.track(wait);
    }
    return wait;
  }

  /** @internal Whether `wait`'s outcome may still be delivered: neither settled nor abandoned, its scope open. */
  pending(wait: Wait): boolean {
    return wait.state !== SETTLED && !wait.scope.isClosed;
  }

  /**
   * @internal Settles `wait` if its outcome may be delivered (`resumesPromise`: a promise
   * settles with it) and tells whether it may.
   */
  delivers(wait: Wait, resumesPromise: boolean): boolean {
    if (!this.pending(wait)) return false;
    this.settled(wait, resumesPromise);
    return true;
  }

  /** @internal `wait` is settled or abandoned. */ settled(wait: Wait, resumes: boolean): void {
    if (wait.state === COUNTED) {
      wait.scope.untrack(wait);
      this.waitCount--;
    }
    wait.state = SETTLED;
    if (resumes) this.touchPromises();
  }

  /**
   * Runs `job` one microtask tick from now: where the code after an `await` of a promise
   * settled now would run. While an event's work touches no promise, such jobs run from
   * the kernel's own first-in first-out queue right after the event, in exactly the order
   * the microtask queue would give them, and the event needs no settling; once a promise
   * is settled, they ride the microtask queue itself (see `touchPromises`).
   */
  tick(job: Job): void {
    if (this.ownJobs) this.jobs.push(job);
    else {
      this.microJobs.push(job);
      void RESOLVED.then(this.runMicroJob);
    }
  }

  /**
   * A promise is settled or async code starts: from here to the end of this event's
   * settling, jobs go through the microtask queue. The jobs already queued go first, as
   * they were queued before the promise's reactions, so one first-in first-out order holds.
   */
  private touchPromises(): void {
    this.dirty = true;
    if (!this.ownJobs) return;
    this.ownJobs = false;
    for (let job = this.jobs.shift(); job !== undefined; job = this.jobs.shift()) {
      this.microJobs.push(job);
      void RESOLVED.then(this.runMicroJob);
    }
  }

  // Jobs run in the order queued, so the n-th reaction takes the n-th job.
  private readonly runMicroJob = (): void => {
    const job = this.microJobs.shift() as Job;
    try {
      runJob(job);
    } catch (err) {
      this.failure ??= new SimulationError(this.time, 'a world continuation', err);
    }
  };

  /** Runs the kernel's own jobs after an event until none is left or a promise is touched. */
  private runOwnJobs(event: QueueEntry): SimulationError | undefined {
    while (this.ownJobs) {
      const job = this.jobs.shift();
      if (job === undefined) break;
      try {
        runJob(job);
      } catch (err) {
        this.dropOwnJobs();
        return new SimulationError(this.time, event.label, err);
      }
    }
    this.dropOwnJobs();
    return undefined;
  }

  private dropOwnJobs(): void {
    this.ownJobs = false;
    this.jobs.clear();
  }

  /** @internal `wait`'s scope closed. */ forget(wait: Wait): void {
    if (wait.state !== COUNTED) return;
    wait.state = UNCOUNTED;
    this.waitCount--;
  }

  /** @internal */ adopt(scope: WaitScope): void {
    this.scopes.add(scope);
  }

  /** @internal */ disown(scope: WaitScope): void {
    this.scopes.delete(scope);
  }

  /** Labels of the pending waits, oldest first (only for a stall report: sorting is fine). */
  private pendingWaits(): string[] {
    const waits: Wait[] = [];
    for (const scope of this.scopes) scope.collect(waits);
    waits.sort((a, b) => a.created - b.created);
    return waits.map((wait) => (wait.scope === this.root ? labelText(wait.name) : `${wait.scope.name}: ${labelText(wait.name)}`));
  }

  sleep(delay: Micros, label: string, scope?: WaitScope): Promise<void> {
    const d = this.deferredIn<void>(scope ?? this.root, label);
    this.after(delay, label, () => d.resolve());
    return d.promise;
  }

  /** `sleep` for callback code: `then` runs at the event that ends it, unless `scope` closed first. */
  sleepThen(delay: Micros, label: string, scope: WaitScope, then: () => void): void {
    const wait = scope.waitFor<void>(label, then);
    this.after(delay, label, () => wait.resolve());
  }

  /** Starts async work now; a rejection fails the run with `label` and the time. */
  spawn(label: string, task: () => Promise<void>): void {
    this.touchPromises();
    task().catch((err: unknown) => {
      this.failure ??= new SimulationError(this.time, label, err);
    });
  }

  /**
   * Runs every event due at or before `until`, then leaves the clock at `until`. Throws
   * `StallError` if the queue runs dry while waits are pending, `SimulationError` if an
   * event or task fails.
   */
  run(until: Micros = Number.MAX_SAFE_INTEGER): Promise<void> {
    if (this.running) return Promise.reject(new Error('Kernel.run is already running'));
    this.running = true;
    const alwaysSettle = this.options.alwaysSettle === true;
    const queue = this.queue;
    return new Promise<void>((resolve, reject) => {
      const fail = (err: unknown): void => {
        this.running = false;
        reject(err);
      };
      // The loop runs in the tick that follows a settle, so an event costs no promise; where
      // the runtime can drain the microtasks from there, the loop stays in that one tick.
      const drain = this.options.settleByTick === true ? undefined : drainMicrotasks;
      const loop = (): void => {
        this.dirty = false;
        if (this.failure) return fail(this.failure);
        for (;;) {
          const event = queue.popDue(until);
          if (event === undefined) break;
          if (event.cancelled) continue;
          this.time = queue.lastTime;
          this.eventsRun++;
          this.ownJobs = true;
          try {
            event.fire();
          } catch (err) {
            this.dropOwnJobs();
            return fail(new SimulationError(this.time, event.label, err));
          }
          // Most events queue no job: the test alone, where a call that ran none cost
          // some 77 instructions an event (callgrind, the kernel benchmark's hold model).
          if (this.jobs.isEmpty) this.ownJobs = false;
          else {
            const failed = this.runOwnJobs(event);
            if (failed !== undefined) return fail(failed);
          }
          if (this.dirty || alwaysSettle) {
            if (drain === undefined) return afterMicrotasksSettle(loop);
            drain();
            this.dirty = false;
            if (this.failure) return fail(this.failure);
          }
        }
        if (queue.size === 0 && this.waitCount > 0) {
          return fail(new StallError(this.time, this.pendingWaits()));
        }
        if (until !== Number.MAX_SAFE_INTEGER && until > this.time) this.time = until;
        this.running = false;
        resolve();
      };
      afterMicrotasksSettle(loop);
    });
  }
}
