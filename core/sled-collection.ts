import type { ArtifactListing } from './types.ts';

/**
 * What collecting one sled gave: its listing (as the sled returned it: no wrapper per sled
 * per activation), nothing usable (`FAILED`), or a reason to stop the activation.
 */
export type Collected = ArtifactListing | typeof FAILED | { readonly stop: string };
export const FAILED = { failed: true } as const;

/** A promise settled already: what a `.then` on it runs, it runs one microtask from now. */
const SETTLED = Promise.resolve();

/**
 * One activation's collection from every sled, in sled order: `Promise.all` over the sleds'
 * futures, by hand. Each future puts its result in its slot when it ends (`settle`) and
 * returns nothing; the last one to settle resumes the activation. Why: `Promise.all` made
 * a derived promise, a reaction job and an element closure per sled, and each future's own
 * promise, resolved with a listing, looked a `then` property up on it to see whether the
 * listing was a promise; a review rack-day seed collects 31.7k listings.
 *
 * Byte identity: the order of the microtasks decides the order of everything the world
 * draws, so `complete` settles exactly where `Promise.all`'s promise did: in the microtask
 * after the one in which the last future's promise settled (its element reaction), which
 * is what `settle` queues. A slot settles where its future's promise settled. The element
 * reactions of the other futures only stored a value: they queued nothing, so leaving them
 * out moves nothing else in the queue.
 */
export class SledCollection {
  /** By sled, in the order of the activation's sleds. */
  readonly results: Collected[];
  /** Resolves (with nothing: read `results`) once every sled has settled. */
  readonly complete: Promise<void>;
  private remaining: number;
  private resolve: () => void = () => undefined;
  /** Settlements waiting a microtask (`late`), oldest first: a slot, then its result. */
  private readonly late: (number | Collected)[] = [];
  private lateHead = 0;
  private readonly settleLate = this.settleOldestLate.bind(this);

  constructor(sleds: number) {
    this.results = [];
    for (let i = 0; i < sleds; i++) this.results.push(FAILED);
    this.remaining = sleds;
    this.complete = new Promise<void>((resolve) => {
      this.resolve = resolve;
    });
    // `Promise.all([])` is resolved as it returns.
    if (sleds === 0) this.resolve();
  }

  /**
   * Sled `slot`'s future ended with `result`, and its promise settles now, or (`late`) one
   * microtask from now: a future that ended by returning another future's promise (the
   * `generation` engine's listing after its configuration) settled a reaction after that one.
   */
  settle(slot: number, result: Collected, late = false): void {
    if (late) {
      this.late.push(slot, result);
      void SETTLED.then(this.settleLate);
      return;
    }
    this.results[slot] = result;
    if (--this.remaining === 0) void SETTLED.then(this.resolve);
  }

  // Microtasks run in the order queued, so the n-th of these takes the n-th waiting settlement.
  private settleOldestLate(): void {
    const slot = this.late[this.lateHead] as number;
    const result = this.late[this.lateHead + 1] as Collected;
    this.lateHead += 2;
    this.settle(slot, result);
  }
}
