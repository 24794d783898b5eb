import type { Plan } from './planner/index.ts';
import type { Request } from './types.ts';

/** Whom a request's sender tells that it is done with the request. */
export interface RequestEnds {
  /**
   * `request` has ended and its outcome is recorded: the last thing the sender does for it
   * (where an async sender's promise settles).
   */
  ended(request: Request): void;
}

/**
 * Sends a plan's requests the way omicron's `Requests::into_stream` feeds
 * `buffer_unordered(limit)`: every PUT first; once all PUTs have *started*, the other
 * copies, deletes and recopies follow as slots free up, alternating (like futures'
 * `select`) with the copy-after-put requests, which become available only once every
 * PUT has *ended*. At most `limit` requests are in flight (`Infinity`: no limit).
 *
 * `send` starts a request; it must not throw, and tells `ends` when the request has
 * ended. Resolves when all have ended.
 */
export function executePlan(plan: Plan, limit: number, send: (request: Request, ends: RequestEnds) => void): Promise<void> {
  return new Promise<void>((resolve) => new PlanSending(plan, limit, send, resolve).pump());
}

/** A promise settled already: what a `.then` on it runs, it runs one microtask from now. */
const SETTLED = Promise.resolve();

/**
 * One plan's sending. Its steps are methods, not closures made per plan: V8 keeps the
 * optimized code of a closure made per call only weakly, so every full garbage collection
 * dropped it and it was compiled again a few plans later.
 *
 * A request's end (`endPut`, `endOther`) runs one microtask after its sender is done with
 * it, where a `.then` on an async sender's promise ran it: the order of the microtasks
 * decides the order of everything the world draws, so that place is kept exactly. Only
 * an end that can do nothing there is done at once (see `ended`): most of a review
 * activation's, which cost a derived promise and a reaction job each.
 */
class PlanSending implements RequestEnds {
  // Queues are read through cursors: shift() is linear, and a plan can hold 65,000 copies.
  private readonly puts: readonly Request[];
  private readonly afterPut: readonly Request[];
  private readonly rest: readonly Request[];
  private nextPut = 0;
  private nextAfterPut = 0;
  private nextRest = 0;
  private putsRunning = 0;
  private inFlight = 0;
  /** Requests sent whose sender has not called `ended` yet. */
  private unended = 0;
  private afterPutFirst = true;
  /** Two settle callbacks for the whole plan, not a closure per request. */
  private readonly putEnded = this.endPut.bind(this);
  private readonly otherEnded = this.endOther.bind(this);

  constructor(
    plan: Plan,
    private readonly limit: number,
    private readonly send: (request: Request, ends: RequestEnds) => void,
    private readonly resolve: () => void,
  ) {
    this.puts = plan.put;
    this.afterPut = plan.copyAfterPut;
    this.rest = plan.other.concat(plan.recopy);
  }

  pump(): void {
    while (this.inFlight < this.limit) {
      const request = this.next();
      if (request === undefined) break;
      this.inFlight++;
      this.unended++;
      if (request.kind === 'put') this.putsRunning++;
      this.send(request, this);
    }
    if (
      this.inFlight === 0 &&
      this.nextPut === this.puts.length &&
      this.nextAfterPut === this.afterPut.length &&
      this.nextRest === this.rest.length
    ) {
      this.resolve();
    }
  }

  /**
   * Without a limit, the first `pump` sends everything but the copy-after-put requests, and
   * the PUT end that leaves no PUT running sends those: the end of any other request can
   * only find the plan done, and only if it is the last end to run. Ends run in the order
   * their senders finished, so while another request's sender has not finished, this end
   * does nothing but count, and counts now instead of a microtask later.
   */
  ended(request: Request): void {
    this.unended--;
    if (request.kind !== 'put' && this.limit === Infinity && this.unended > 0) {
      this.inFlight--;
      return;
    }
    void SETTLED.then(request.kind === 'put' ? this.putEnded : this.otherEnded);
  }

  private next(): Request | undefined {
    if (this.nextPut < this.puts.length) return this.puts[this.nextPut++];
    const afterPutReady = this.putsRunning === 0 && this.nextAfterPut < this.afterPut.length;
    const preferAfterPut = this.afterPutFirst;
    this.afterPutFirst = !this.afterPutFirst;
    if (preferAfterPut && afterPutReady) return this.afterPut[this.nextAfterPut++];
    if (this.nextRest < this.rest.length) return this.rest[this.nextRest++];
    return afterPutReady ? this.afterPut[this.nextAfterPut++] : undefined;
  }

  private endPut(): void {
    this.putsRunning--;
    this.endOther();
  }

  private endOther(): void {
    this.inFlight--;
    this.pump();
  }
}
