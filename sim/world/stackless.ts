/**
 * Builds an error that is data of the world (a sled's refusal, a body that broke off),
 * not a fault of the simulator: without a stack trace. Nothing reads one (answers carry
 * their message and status), and capturing the deep asynchronous stack of each cost
 * more than everything else done with it: some 3% of a run for the answers alone, and
 * 0.6% of a `merged` rack-day seed for its 256 store refusals.
 */
export function stackless<E extends Error>(make: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
