import type { Plan } from './planner/index.ts';
import type { Request } from './types.ts';

/**
 * Sends a plan's requests the way omicron's `Requests::into_stream` feeds
 * `buffer_unordered(limit)`: every PUT first; once all PUTs have *started*, the other
 * copies, deletes and recopies follow as slots free up, alternating (like futures'
 * `select`) with the copy-after-put requests, which become available only once every
 * PUT has *ended*. At most `limit` requests are in flight (`Infinity`: no limit).
 *
 * `send` must not reject; it records its own outcome. Resolves when all have ended.
 */
export function executePlan(
  plan: Plan,
  limit: number,
  send: (request: Request) => Promise<void>,
): Promise<void> {
  return new Promise<void>((resolve) => new PlanSending(plan, limit, send, resolve).pump());
}

/**
 * One plan's sending. Its steps are methods, not closures made per plan: V8 keeps the
 * optimized code of a closure made per call only weakly, so every full garbage collection
 * dropped it and it was compiled again a few plans later.
 */
class PlanSending {
  // Queues are read through cursors: shift() is linear, and a plan can hold 65,000 copies.
  private readonly puts: readonly Request[];
  private readonly afterPut: readonly Request[];
  private readonly rest: readonly Request[];
  private nextPut = 0;
  private nextAfterPut = 0;
  private nextRest = 0;
  private putsRunning = 0;
  private inFlight = 0;
  private afterPutFirst = true;
  /** Two settle callbacks for the whole plan, not a closure per request. */
  private readonly putEnded = this.endPut.bind(this);
  private readonly otherEnded = this.endOther.bind(this);

  constructor(
    plan: Plan,
    private readonly limit: number,
    private readonly send: (request: Request) => Promise<void>,
    private readonly resolve: () => void,
  ) {
    this.puts = plan.put;
    this.afterPut = plan.copyAfterPut;
    this.rest = [...plan.other, ...plan.recopy];
  }

  pump(): void {
    while (this.inFlight < this.limit) {
      const request = this.next();
      if (request === undefined) break;
      this.inFlight++;
      if (request.kind === 'put') {
        this.putsRunning++;
        void this.send(request).then(this.putEnded);
      } else {
        void this.send(request).then(this.otherEnded);
      }
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
