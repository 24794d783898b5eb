// Why V8's promise hooks: the executor must let every promise continuation run before it
// takes the next event, whatever the number of `await`s between a port resolving and the
// code's next call into the world. JavaScript cannot ask whether the microtask queue is
// empty, but a counter of promise reaction jobs can tell: a marker microtask that finds
// that no reaction ran since it was queued proves the queue ahead of it was empty. The
// alternative, a macrotask per event (setImmediate), is a real timer and 3x slower.
import { promiseHooks } from 'node:v8';

let reactions = 0;
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  promiseHooks.onBefore(() => {
    reactions++;
  });
}

/**
 * Resolves once no promise reaction is left to run: every continuation that was runnable
 * has run, and so have the ones they made runnable. Code under test must not use
 * `queueMicrotask` or `process.nextTick` (the engine uses neither).
 */
export function settleMicrotasks(): Promise<void> {
  install();
  return new Promise<void>((resolve) => {
    let seen = reactions;
    const check = (): void => {
      if (reactions === seen) {
        resolve();
        return;
      }
      seen = reactions;
      queueMicrotask(check);
    };
    queueMicrotask(check);
  });
}

export function installMicrotaskProbe(): void {
  install();
}
