// Why V8's promise hooks: the executor must let every promise continuation run before it
// takes the next event, whatever the number of `await`s between a port resolving and the
// code's next call into the world. JavaScript cannot ask whether the microtask queue is
// empty, but a counter of promise reaction jobs can tell: a marker job that finds that no
// other reaction ran since it was queued proves the queue ahead of it was empty. The
// alternative, a macrotask per event (setImmediate), is a real timer and 3x slower.
import { promiseHooks } from 'node:v8';

let reactions = 0;
// Installed on import: V8 does not count jobs that were queued before the hook existed.
promiseHooks.onBefore(() => {
  reactions++;
});

// Markers ride on promise reactions (cheaper than queueMicrotask in Node); each marker job
// takes its own reaction back off the count, so that markers never count as pending work:
// no reaction since a marker was queued means no other ran. Were they counted, two
// kernels settling at once in one thread (two runs under one Promise.all) would each see
// the other's marker run, re-queue, and never go on. Jobs run in the order queued, so the
// n-th marker job takes the n-th marker. A marker is a slot in two parallel arrays between
// a head and a tail that go back to 0 when they meet, not an object shifted off an array:
// a marker re-queues itself about six times a settle, 300k times a rack-day seed. The
// arrays never shrink (emptying one frees its store, which the next push allocates again).
const thens: (() => void)[] = [];
const seens: number[] = [];
let head = 0;
let tail = 0;
const resolved = Promise.resolve();

function checkMarker(): void {
  reactions--;
  const then = thens[head] as () => void;
  const seen = seens[head] as number;
  if (++head === tail) head = tail = 0;
  if (reactions === seen) then();
  else queue(then);
}

function queue(then: () => void): void {
  thens[tail] = then;
  seens[tail] = reactions;
  tail++;
  void resolved.then(checkMarker);
}

/**
 * Calls `then` (from a microtask) once no promise reaction is left to run: every
 * continuation that was runnable has run, and so have the ones they made runnable.
 * Callback-style so that the executor's loop costs no extra promise per event. Code under
 * test must not use `queueMicrotask` or `process.nextTick` (the engine uses neither).
 */
export function afterMicrotasksSettle(then: () => void): void {
  queue(then);
}
