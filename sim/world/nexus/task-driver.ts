import type { Micros, QueuedEvent } from '../kernel/event-queue.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { RandomStream } from '../kernel/random-streams.ts';

/** Why an activation ran: omicron's `ActivationReason::Timeout` or `::Signaled`. */
export type ActivationReason = 'timeout' | 'signaled';

/**
 * A tick that fires more than this after its deadline counts as missed, so the missed-tick
 * behaviour picks the next deadline (tokio `Interval::poll_tick`, tokio/src/time/interval.rs).
 */
const MISSED_TICK_MARGIN: Micros = 5_000;

/**
 * One background task's activation loop, as omicron's driver runs it
 * (nexus/src/app/background/driver.rs:279-305@b848b6df, = :327-353@c31dc2f3, unchanged since
 * 74a6c136): a `tokio::time::interval(period)` whose first tick is due at once, with
 * `MissedTickBehavior::Delay`; an explicit activation is `Notify::notify_one`, which stores
 * one permit while the task runs, so any number of them coalesce into one more run and
 * never move the interval. The replication task has no watchers
 * (nexus/src/app/background/init.rs:969-982@b848b6df).
 */
export class TaskDriver {
  private deadline: Micros;
  private permit = false;
  private running = false;
  private stopped = false;
  private timer: QueuedEvent | undefined;
  /**
   * The timer's and the activation's ends, bound once: closures made at each poll would
   * lose their optimized code at every full garbage collection and be compiled again.
   */
  private readonly onTimer = this.timerFired.bind(this);
  private readonly onActivationEnd = this.activationEnded.bind(this);

  /**
   * `firstTick`: when the interval's first tick is due. `run` performs one activation and
   * resolves when it is over; `rng` draws `select!`'s branch order.
   */
  constructor(
    private readonly kernel: Kernel,
    private readonly rng: RandomStream,
    private readonly period: Micros,
    firstTick: Micros,
    private readonly label: string,
    private readonly run: (reason: ActivationReason) => Promise<void>,
  ) {
    this.deadline = firstTick;
    this.poll();
  }

  /** An explicit activation (`Activator::activate`). */
  activate(): void {
    if (this.stopped) return;
    this.permit = true;
    this.poll();
  }

  /** The task is gone with its process: nothing runs any more. */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** One pass of the driver's `select!` loop, when the task is idle. */
  private poll(): void {
    if (this.stopped || this.running) return;
    const now = this.kernel.now;
    const tickReady = now >= this.deadline;
    if (tickReady && (!this.permit || this.tickWinsSelect())) {
      // Delay: a late tick fires now and the next is due a period from now.
      this.deadline = now > this.deadline + MISSED_TICK_MARGIN ? now + this.period : this.deadline + this.period;
      this.start('timeout');
    } else if (this.permit) {
      this.permit = false;
      this.start('signaled');
    } else if (this.timer === undefined) {
      this.timer = this.kernel.at(this.deadline, `${this.label} tick`, this.onTimer);
    }
  }

  private timerFired(): void {
    this.timer = undefined;
    this.poll();
  }

  /**
   * `tokio::select!` without `biased` polls its branches from a random start over all three
   * (tick, permit, watchers) and skips the disabled watcher branch, so when both the tick
   * and a permit are ready the tick wins two times in three (tokio/src/macros/select.rs).
   */
  private tickWinsSelect(): boolean {
    return this.rng.nextInt(3) !== 1;
  }

  private start(reason: ActivationReason): void {
    this.running = true;
    this.timer?.cancel();
    this.timer = undefined;
    void this.run(reason).then(this.onActivationEnd);
  }

  private activationEnded(): void {
    this.running = false;
    this.poll();
  }
}
