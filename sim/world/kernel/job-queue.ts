import type { Job } from './kernel.ts';
import { objectArray } from '../../../core/shapes.ts';

/**
 * Continuations waiting their turn, first in first out, as slots between a head and a tail
 * that go back to 0 when they meet. An array emptied by setting its length (a runtime call
 * once or twice an event that settles a promise) frees its store, which the next push
 * allocates again; these slots are kept, and a taken one is cleared so that it holds
 * nothing alive.
 *
 * The slots start with room for a few jobs (a rack-day seed queues three at most): a
 * store past the array's end grows it, and the code V8 had optimized while every store
 * fell inside it was thrown away at the first growth, late in a worker's first seed.
 */
export class JobQueue {
  private readonly slots = emptySlots(8);
  private head = 0;
  private tail = 0;

  get isEmpty(): boolean {
    return this.head === this.tail;
  }

  push(job: Job): void {
    this.slots[this.tail++] = job;
  }

  /** Takes the oldest job off; `undefined` when none is left. */
  shift(): Job | undefined {
    if (this.head === this.tail) return undefined;
    const job = this.slots[this.head];
    this.slots[this.head++] = undefined;
    if (this.head === this.tail) this.head = this.tail = 0;
    return job;
  }

  /** Drops every job left. */
  clear(): void {
    while (this.head < this.tail) this.slots[this.head++] = undefined;
    this.head = this.tail = 0;
  }
}

/** `n` empty slots, in an array of the kind that holds any value (`objectArray`). */
function emptySlots(n: number): (Job | undefined)[] {
  const slots = objectArray<Job | undefined>();
  for (let k = 0; k < n; k++) slots.push(undefined);
  return slots;
}
