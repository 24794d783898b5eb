// The kernel benchmark's workloads on two JavaScript discrete-event simulators, each in
// its own natural style (both devDependencies, MIT): simjs (entities, timers and callbacks)
// and js-simulator (self-rescheduling events, MASON-like). Neither has coroutines or
// promises, so a "process" there is a callback chain.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';
import { delayAt, Tally, type HoldWorkload, type ProcessWorkload } from './kernel-workloads.ts';

const require = createRequire(import.meta.url);

export const peerVersion = (name: 'simjs' | 'js-simulator'): string =>
  (require(`${name}/package.json`) as { version: string }).version;

// The subset of each library's API the workloads use, as their sources define it.
interface SimjsRequest {
  done(callback: () => void): SimjsRequest;
}
interface SimjsEntity {
  time(): number;
  setTimer(duration: number): SimjsRequest;
}
interface SimjsSim {
  addEntity<A extends unknown[]>(
    klass: new (sim: SimjsSim, name: string) => SimjsEntity & { start(...args: A): void },
    name: string,
    ...args: A
  ): SimjsEntity;
  simulate(endTime: number): boolean;
}
interface Simjs {
  readonly Sim: new () => SimjsSim;
  readonly Entity: new (sim: SimjsSim, name: string) => SimjsEntity;
}

/**
 * simjs 2.0.3 ships a browserify bundle that exports nothing to CommonJS (`require`
 * gives `{}`): its entry only sets `window.Sim`. So the bundle runs with a `window` of
 * our own, in this realm, and the library is what it puts there.
 */
function loadSimjs(): Simjs {
  const source = readFileSync(require.resolve('simjs'), 'utf8');
  const window: { Sim?: Simjs } = {};
  compileFunction(source, ['window'])(window);
  if (window.Sim === undefined) throw new Error('simjs did not define window.Sim');
  return window.Sim;
}

const simjs = loadSimjs();
const FOREVER = Number.MAX_SAFE_INTEGER;

/** One entity holding the pool: each timer's callback sets the next timer. */
class SimjsHolder extends simjs.Entity {
  private work!: HoldWorkload;
  private tally!: Tally;
  private next = 0;

  start(work: HoldWorkload, tally: Tally): void {
    this.work = work;
    this.tally = tally;
    while (this.next < work.pending) this.setTimer(delayAt(work.delays, this.next++)).done(this.fire);
  }

  fire(): void {
    this.tally.record(this.time());
    if (this.next < this.work.delays.length) this.setTimer(delayAt(this.work.delays, this.next++)).done(this.fire);
  }
}

export function holdOnSimjs(work: HoldWorkload): Tally {
  const sim = new simjs.Sim();
  const tally = new Tally();
  sim.addEntity(SimjsHolder, 'hold', work, tally);
  sim.simulate(FOREVER);
  return tally;
}

/** One entity a task, sleeping by a chain of timers. */
class SimjsSleeper extends simjs.Entity {
  private work!: ProcessWorkload;
  private tally!: Tally;
  private first = 0;
  private slept = 0;

  start(work: ProcessWorkload, tally: Tally, task: number): void {
    this.work = work;
    this.tally = tally;
    this.first = task * work.sleeps;
    this.setTimer(delayAt(work.delays, this.first)).done(this.wake);
  }

  wake(): void {
    this.tally.record(this.time());
    if (++this.slept < this.work.sleeps) this.setTimer(delayAt(this.work.delays, this.first + this.slept)).done(this.wake);
  }
}

export function processOnSimjs(work: ProcessWorkload): Tally {
  const sim = new simjs.Sim();
  const tally = new Tally();
  for (let t = 0; t < work.tasks; t++) sim.addEntity(SimjsSleeper, 'task', work, tally, t);
  sim.simulate(FOREVER);
  return tally;
}

interface JssimScheduler {
  schedule(event: JssimEvent, time: number): void;
  scheduleOnceIn(event: JssimEvent, delta: number): void;
  hasEvents(): boolean;
  update(): void;
}
interface JssimEvent {
  time: number;
  update(deltaTime: number): void;
}
interface Jssim {
  readonly Scheduler: new () => JssimScheduler;
  readonly SimEvent: new (rank: number) => { time: number };
}

const jssim = require('js-simulator') as Jssim;

/** Runs the scheduler's loop as its README does, until no event is left. */
function runJssim(scheduler: JssimScheduler): void {
  while (scheduler.hasEvents()) scheduler.update();
}

/** An event of the pool that, when it fires, schedules itself again with the next delay. */
class JssimHoldEvent extends jssim.SimEvent implements JssimEvent {
  constructor(private readonly pool: JssimPool) {
    super(1);
  }

  update(): void {
    this.pool.fired(this);
  }
}

class JssimPool {
  readonly tally = new Tally();
  readonly scheduler = new jssim.Scheduler();
  private next = 0;

  constructor(private readonly work: HoldWorkload) {
    while (this.next < work.pending) this.scheduler.scheduleOnceIn(new JssimHoldEvent(this), delayAt(work.delays, this.next++));
  }

  fired(event: JssimHoldEvent): void {
    this.tally.record(event.time);
    if (this.next < this.work.delays.length) this.scheduler.scheduleOnceIn(event, delayAt(this.work.delays, this.next++));
  }
}

export function holdOnJssim(work: HoldWorkload): Tally {
  const pool = new JssimPool(work);
  runJssim(pool.scheduler);
  return pool.tally;
}

/** An agent a task: each time it fires it reschedules itself after its next sleep. */
class JssimSleeper extends jssim.SimEvent implements JssimEvent {
  private slept = 0;

  constructor(
    private readonly scheduler: JssimScheduler,
    private readonly work: ProcessWorkload,
    private readonly tally: Tally,
    private readonly first: number,
  ) {
    super(1);
  }

  update(): void {
    this.tally.record(this.time);
    if (++this.slept < this.work.sleeps) this.scheduler.scheduleOnceIn(this, delayAt(this.work.delays, this.first + this.slept));
  }
}

export function processOnJssim(work: ProcessWorkload): Tally {
  const scheduler = new jssim.Scheduler();
  const tally = new Tally();
  for (let t = 0; t < work.tasks; t++) {
    const first = t * work.sleeps;
    scheduler.scheduleOnceIn(new JssimSleeper(scheduler, work, tally, first), delayAt(work.delays, first));
  }
  runJssim(scheduler);
  return tally;
}
