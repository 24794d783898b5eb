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
  // Queues are read through cursors: shift() is linear, and a plan can hold 65,000 copies.
  const puts = plan.put;
  const afterPut = plan.copyAfterPut;
  const rest: Request[] = [...plan.other, ...plan.recopy];
  let nextPut = 0;
  let nextAfterPut = 0;
  let nextRest = 0;
  let putsRunning = 0;
  let inFlight = 0;
  let afterPutFirst = true;

  const next = (): Request | undefined => {
    if (nextPut < puts.length) return puts[nextPut++];
    const afterPutReady = putsRunning === 0 && nextAfterPut < afterPut.length;
    const preferAfterPut = afterPutFirst;
    afterPutFirst = !afterPutFirst;
    if (preferAfterPut && afterPutReady) return afterPut[nextAfterPut++];
    if (nextRest < rest.length) return rest[nextRest++];
    return afterPutReady ? afterPut[nextAfterPut++] : undefined;
  };

  return new Promise<void>((resolve) => {
    // Two settle callbacks for the whole plan, not a closure per request.
    const putEnded = (): void => {
      putsRunning--;
      otherEnded();
    };
    const otherEnded = (): void => {
      inFlight--;
      pump();
    };
    const pump = (): void => {
      while (inFlight < limit) {
        const request = next();
        if (request === undefined) break;
        inFlight++;
        if (request.kind === 'put') {
          putsRunning++;
          void send(request).then(putEnded);
        } else {
          void send(request).then(otherEnded);
        }
      }
      if (inFlight === 0 && nextPut === puts.length && nextAfterPut === afterPut.length && nextRest === rest.length) resolve();
    };
    pump();
  });
}
