import { QueuedEvent, type Micros } from '../kernel/event-queue.ts';

/**
 * A queued event that remembers its own time, for tests that check the queue's order
 * against a sorted reference: the queue keeps its events' times apart from them.
 */
export class TimedEvent extends QueuedEvent {
  constructor(
    readonly time: Micros,
    tie: number,
    seq: number,
    label: string,
    fn: () => void,
  ) {
    super(tie, seq, label, fn);
  }
}
