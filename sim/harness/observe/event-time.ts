import type { Micros } from '../../world/kernel/event-queue.ts';
import type { EventClock } from '../../world/world-events.ts';

/**
 * The time of the event the observers are being given. Watching a world's event log, that
 * is the log's clock: the log stamps no event only its observer sees (see
 * `WorldEventObserver`). Given whole events (`recheck`, tests), it is each event's own `t`.
 */
export class EventTime implements EventClock {
  private clock: EventClock | undefined = undefined;
  private given: Micros = Number.NaN;

  get now(): Micros {
    return this.clock !== undefined ? this.clock.now : this.given;
  }

  /** From now on, the time is `clock`'s. */
  follow(clock: EventClock): void {
    this.clock = clock;
  }

  /** The `t` of the whole event about to be observed, where no clock is followed. */
  set(t: Micros): void {
    this.given = t;
  }
}
